"""What the database already knows about a batch of incoming messages, asked once for the
whole batch: which are stored, which cases their references belong to, who is registered."""

from __future__ import annotations

from sqlalchemy.orm import Session

from consultant import cases
from consultant.batch_sql import SelectIn, select_in_many
from consultant.mail.head import MessageHead
from consultant.models import Case, Message, Requester
from consultant.requesters import SenderPolicy, Verdict, judge_sender

_MESSAGES = Message.__table__


class Lookups:
    """The answers for one batch: `stored_keys`, its `threads` and its `senders`."""

    def __init__(self, session: Session, keys: set[str], heads: list[MessageHead]) -> None:
        """`keys`: the batch's dedupe keys; `heads`: its parsed messages."""
        references = tuple(sorted({r for head in heads for r in referenced(head)}))
        patterns = tuple(sorted({p for head in heads for p in sender_patterns(head.from_address)}))
        stored, threads, registered = select_in_many(
            session,
            [
                SelectIn(_MESSAGES, ("dedupe_key",), "dedupe_key", tuple(sorted(keys))),
                SelectIn(
                    _MESSAGES,
                    ("message_id", "id", "case_id"),
                    "message_id",
                    references,
                    also="case_id IS NOT NULL",
                ),
                SelectIn(Requester.__table__, ("pattern",), "pattern", patterns),
            ],
        )
        self.stored_keys = {key for (key,) in stored}
        self.threads = ThreadIndex(threads)
        self.senders = Senders({pattern for (pattern,) in registered})


class ThreadIndex:
    """Which case each referenced Message-ID belongs to: the newest stored message wins,
    and messages placed earlier in the same batch count as newest."""

    def __init__(self, rows: list[tuple]) -> None:
        """`rows`: (Message-ID, row id, case id) of stored messages the batch refers to."""
        # Message-ID → (row id, case id); messages of this batch carry their case object,
        # which may not have an id yet.
        self._newest: dict[str, tuple[int, int | Case | cases.NewCase]] = {}
        for message_id, row_id, case_id in rows:
            if row_id > self._newest.get(message_id, (0, 0))[0]:
                self._newest[message_id] = (row_id, case_id)
        self._next = max((row_id for row_id, _ in self._newest.values()), default=0)

    def case_of(self, head: MessageHead) -> int | Case | cases.NewCase | None:
        found = [self._newest[r] for r in referenced(head) if r in self._newest]
        return max(found, key=lambda entry: entry[0])[1] if found else None

    def add(self, head: MessageHead, case: Case | cases.NewCase) -> None:
        if head.message_id:
            self._next += 1
            self._newest[head.message_id[:998]] = (self._next, case)


def referenced(head: MessageHead) -> list[str]:
    """The Message-IDs a message answers: In-Reply-To, then References."""
    return [r for r in [head.in_reply_to, *head.references] if r]


class Senders:
    """The sender policy for a batch, and the batch's new cases: requester entries are
    looked up once for all its senders, guests under an open policy without a quota are
    served without asking, and new cases are opened together in one statement."""

    def __init__(self, registered: set[str]) -> None:
        """`registered`: the requester patterns among the batch's senders."""
        self._registered = registered
        self.pending: list[cases.NewCase] = []

    def open_case(self, spec: cases.NewCase) -> cases.NewCase:
        self.pending.append(spec)
        return spec

    def open_pending(self, session: Session) -> None:
        cases.open_cases(session, self.take_pending())

    def take_pending(self) -> list[cases.NewCase]:
        """The cases placed so far, for the caller to open."""
        pending, self.pending = self.pending, []
        return pending

    def judge(self, session: Session, address: str, policy: SenderPolicy) -> Verdict:
        guest = self._registered.isdisjoint(sender_patterns(address))
        if guest and policy.mode == "open" and policy.guest_quota is None:
            return Verdict(True)
        # Quotas and notices count rows: this batch's new cases and notices must be in.
        self.open_pending(session)
        session.flush()
        return judge_sender(session, address, policy)


def sender_patterns(address: str) -> tuple[str, str]:
    """The requester patterns that would register `address`: itself and its domain."""
    address = address.lower()
    return address, "@" + address.rsplit("@", 1)[-1]
