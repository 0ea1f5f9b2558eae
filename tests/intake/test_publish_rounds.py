"""The listener's enqueueing after commits: at once when idle, in fuller rounds under load."""

from __future__ import annotations

import queue
import threading
import time

from consultant.mail.intake import IntakeResult
from consultant.mail.writer import publish_rounds

GAP = 1.0


def committed_batch(*case_ids: int) -> list:
    return [
        (IntakeResult(case_id, case_id, False, True, "question"), None, None)
        for case_id in case_ids
    ]


class Rounds:
    """Records each round published, and when."""

    def __init__(self) -> None:
        self.rounds: list[tuple[float, list[int]]] = []
        self.changed = threading.Condition()

    def publish(self, batch: list) -> None:
        with self.changed:
            self.rounds.append((time.monotonic(), [result.case_id for result, _, _ in batch]))
            self.changed.notify_all()

    def wait_for(self, count: int) -> None:
        with self.changed:
            assert self.changed.wait_for(lambda: len(self.rounds) >= count, timeout=10)


def test_commits_within_the_gap_go_out_together_and_an_idle_commit_at_once():
    committed: queue.SimpleQueue = queue.SimpleQueue()
    seen = Rounds()
    thread = threading.Thread(target=publish_rounds, args=(committed, seen.publish, GAP))
    thread.start()

    put_at = time.monotonic()
    committed.put(committed_batch(1))
    seen.wait_for(1)
    assert seen.rounds[0][0] - put_at < GAP  # the first commit waits for nothing

    committed.put(committed_batch(2, 3))
    committed.put(committed_batch(4))
    seen.wait_for(2)
    assert seen.rounds[1][1] == [2, 3, 4]  # two commits, one round
    assert seen.rounds[1][0] - seen.rounds[0][0] >= GAP

    time.sleep(GAP * 1.1)
    put_at = time.monotonic()
    committed.put(committed_batch(5))
    seen.wait_for(3)
    assert seen.rounds[2][1] == [5] and seen.rounds[2][0] - put_at < GAP

    committed.put(None)
    thread.join(timeout=10)
    assert not thread.is_alive()


def test_stopping_publishes_what_committed_before_it():
    committed: queue.SimpleQueue = queue.SimpleQueue()
    seen = Rounds()
    for batch in (committed_batch(1), committed_batch(2), None, committed_batch(3)):
        committed.put(batch)
    publish_rounds(committed, seen.publish, GAP)
    assert [ids for _, ids in seen.rounds] == [[1, 2]]
