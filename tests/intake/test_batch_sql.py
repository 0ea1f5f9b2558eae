"""The batch lookups: several IN queries asked as one UNION ALL, split only where the bound
parameters would pass the driver's limit, each query's rows given back to it."""

from __future__ import annotations

from consultant.batch_sql import SelectIn, select_in_many
from consultant.db import transaction
from consultant.models import Requester


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
