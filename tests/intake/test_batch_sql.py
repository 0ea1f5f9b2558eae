"""The batch statements: several IN queries asked as one UNION ALL, split only where the
bound parameters would pass the driver's limit, each query's rows given back to it; and
rows of several tables inserted together, referring to keys drawn in the same call."""

from __future__ import annotations

from sqlalchemy import select

from consultant.batch_sql import Drawn, SelectIn, TableRows, insert_tables, select_in_many
from consultant.db import transaction
from consultant.models import Case, CaseEvent, Requester


def add_requesters(sessions, patterns: list[str]) -> None:
    with transaction(sessions) as session:
        session.add_all(Requester(pattern=p, name=p.upper()) for p in patterns)


def test_each_query_gets_its_own_rows_in_one_statement(sessions):
    add_requesters(sessions, ["a@x.example", "@y.example", "b@x.example"])
    table = Requester.__table__
    with transaction(sessions) as session:
        names, patterns, nothing, empty = select_in_many(
            session,
            [
                SelectIn(table, ("pattern", "name"), "pattern", ("a@x.example", "@y.example")),
                SelectIn(table, ("pattern",), "pattern", ("b@x.example", "c@x.example")),
                SelectIn(table, ("pattern",), "pattern", ("nobody@x.example",)),
                SelectIn(table, ("pattern",), "pattern", ()),
            ],
        )
    assert sorted(names) == [("@y.example", "@Y.EXAMPLE"), ("a@x.example", "A@X.EXAMPLE")]
    assert patterns == [("b@x.example",)]
    assert nothing == [] and empty == []


def test_values_bound_into_the_text_stay_values(sessions):
    """The lookups' values are written into the SQL text on PostgreSQL: quotes,
    backslashes, a semicolon and non-ASCII must come back as the same strings."""
    awkward = [
        "o'brien@x.example",
        "back\\slash@x.example",
        "x'); DROP TABLE requesters; --",
        "zoë@x.example",
    ]
    add_requesters(sessions, awkward)
    with transaction(sessions) as session:
        (found,) = select_in_many(
            session, [SelectIn(Requester.__table__, ("pattern",), "pattern", tuple(awkward))]
        )
    assert sorted(p for (p,) in found) == sorted(awkward)


def test_more_values_than_one_statement_may_bind(sessions):
    stored = [f"r{n}@x.example" for n in range(0, 1300, 2)]
    add_requesters(sessions, stored)
    asked = tuple(f"r{n}@x.example" for n in range(1300))
    table = Requester.__table__
    with transaction(sessions) as session:
        first, second = select_in_many(
            session,
            [
                SelectIn(table, ("pattern",), "pattern", asked),
                SelectIn(table, ("id", "pattern"), "pattern", asked[:3], also="name <> ''"),
            ],
        )
    assert sorted(p for (p,) in first) == sorted(stored)
    assert [p for _, p in sorted(second)] == ["r0@x.example", "r2@x.example"]


def case_row(subject: str) -> dict:
    return {"subject": subject, "requester": "a@x.example", "status": "received"}


def event_row(case_id: int | Drawn, note: str) -> dict:
    return {"case_id": case_id, "actor": "system", "action": "note", "note": note}


def test_rows_refer_to_keys_drawn_in_the_same_call(sessions):
    with transaction(sessions) as session:
        (existing,) = insert_tables(
            session, [TableRows(Case.__table__, [case_row("old")], draw_keys=True)]
        )[0]
    with transaction(sessions) as session:
        keys, none, also_none = insert_tables(
            session,
            [
                TableRows(Case.__table__, [case_row(s) for s in "abc"], draw_keys=True),
                TableRows(
                    CaseEvent.__table__,
                    [event_row(Drawn(2), "to c"), event_row(existing, "to old")]
                    + [event_row(Drawn(0), "to a")],
                ),
                TableRows(CaseEvent.__table__, []),
            ],
        )
    assert none == [] and also_none == [] and len(set(keys)) == 3 and existing not in keys
    with transaction(sessions) as session:
        subjects = dict(session.execute(select(Case.id, Case.subject)).all())
        notes = dict(session.execute(select(CaseEvent.note, CaseEvent.case_id)).all())
    assert [subjects[key] for key in keys] == ["a", "b", "c"]  # in the order of the rows
    assert notes == {"to c": keys[2], "to old": existing, "to a": keys[0]}
