"""Celery tasks: each takes ids, opens the transaction, calls one function of consultant/."""

from __future__ import annotations

import logging
from datetime import timedelta

from consultant import cases, casework
from consultant.db import transaction
from consultant.errors import PermanentError, TransientError
from consultant.logs import log_context
from consultant.models import CaseStatus, utcnow
from workers.app import app
from workers.runtime import answered_cases, codebook, sessions, settings

log = logging.getLogger(__name__)


@app.task(
    name="workers.tasks.analyze_case",
    autoretry_for=(TransientError, OSError),
    retry_backoff=True,
    retry_backoff_max=300,
    max_retries=10,
)
def analyze_case(case_id: int) -> bool:
    return _draft(case_id)


def _draft(case_id: int) -> bool:
    with transaction(sessions()) as session:
        return casework.draft_case(
            session,
            case_id,
            codebook(),
            template_dir=settings().template_dir,
            answered=answered_cases(),
        )


@app.task(name="workers.tasks.analyze_cases")
def analyze_cases(case_ids: list[int]) -> int:
    """Draft cases committed together: one task for a batch spares the listener a publish
    per message, and one transaction loads them all at once. If the batch fails, each case
    is drafted on its own, and one that fails then is handed to `analyze_case`, with its
    retries, while the rest go on."""
    try:
        with transaction(sessions()) as session:
            drafted = casework.draft_cases(
                session,
                case_ids,
                codebook(),
                template_dir=settings().template_dir,
                answered=answered_cases(),
            )
            return len(drafted)
    except Exception as exc:  # noqa: BLE001 - one bad case must not hold up the others
        log.warning(
            "a batch of %d cases failed (%s): one by one", len(case_ids), type(exc).__name__
        )
    drafted = 0
    for case_id in case_ids:
        with log_context(case_id=case_id):
            try:
                drafted += _draft(case_id)
            except Exception:  # noqa: BLE001 - one case's failure must not stop the batch
                log.warning("case %s: drafting failed in a batch; retrying it alone", case_id)
                analyze_case.apply_async((case_id,), countdown=1)
    return drafted


@app.task(name="workers.tasks.send_reply", bind=True, max_retries=None)
def send_reply(self, case_id: int) -> bool:  # noqa: ANN001 - Celery's bound task
    reply = casework.ReplySettings(relay=settings().relay, from_address=settings().from_address)
    try:
        with transaction(sessions()) as session:
            return casework.send_approved(session, case_id, reply)
    except TransientError as exc:
        if self.request.retries < settings().send_retries:
            log.warning("case %s: send attempt %d failed", case_id, self.request.retries + 1)
            raise self.retry(exc=exc, countdown=min(2**self.request.retries, 300)) from exc
        error = str(exc)
    except PermanentError as exc:
        error = str(exc)
    with transaction(sessions()) as session:
        casework.give_up_sending(session, case_id, error)
    log.error("case %s: sending failed for good", case_id)
    return False


@app.task(
    name="workers.tasks.send_notice",
    autoretry_for=(TransientError,),
    retry_backoff=True,
    max_retries=5,
)
def send_notice(case_id: int, kind: str) -> None:
    reply = casework.ReplySettings(relay=settings().relay, from_address=settings().from_address)
    with transaction(sessions()) as session:
        casework.send_notice(session, case_id, kind, reply, template_dir=settings().template_dir)


@app.task(name="workers.tasks.sweep")
def sweep() -> int:
    """Re-enqueue cases left in `received` or `approved`: their enqueue was lost (a broker
    outage, a crash between commit and enqueue). The tasks are idempotent, so a case that
    was merely slow is harmless to enqueue twice."""
    cutoff = utcnow() - timedelta(seconds=settings().sweep_seconds)
    with transaction(sessions()) as session:
        to_draft = cases.stale_cases(session, CaseStatus.RECEIVED, older_than=cutoff)
        to_send = cases.stale_cases(session, CaseStatus.APPROVED, older_than=cutoff)
    for case_id in to_draft:
        analyze_case.delay(case_id)
    for case_id in to_send:
        send_reply.delay(case_id)
    if to_draft or to_send:
        log.info("sweep re-enqueued %d to draft, %d to send", len(to_draft), len(to_send))
    return len(to_draft) + len(to_send)


@app.task(name="workers.tasks.send_weekly_digest", bind=True, max_retries=12)
def send_weekly_digest(self, week: str | None = None) -> dict:  # noqa: ANN001 - bound task
    """The week's digests, once per recipient (the database enforces it). Retried, for the
    same week, while a send failed or another run's claim is still open."""
    from consultant.digest.delivery import DigestSettings, deliver_week

    report = deliver_week(
        sessions(), DigestSettings.from_settings(settings()), now=utcnow(), week=week
    )
    if report.retry_needed:
        raise self.retry(args=[report.week], countdown=report.retry_after(self.request.retries))
    return report.summary()


class _AnalysisEnqueuer:
    """Enqueue one case's analysis, or (`many`) those of committed batches, at most
    ANALYSIS_BATCH cases to a task: enough that the listener publishes rarely under load
    (a publish costs it 0.3–0.4 ms of CPU), few enough that every worker process gets a
    share of a burst."""

    def __call__(self, case_id: int) -> None:
        analyze_case.delay(case_id)

    def many(self, case_ids: list[int]) -> None:
        for start in range(0, len(case_ids), ANALYSIS_BATCH):
            chunk = case_ids[start : start + ANALYSIS_BATCH]
            if len(chunk) == 1:
                analyze_case.delay(chunk[0])
            else:
                # A short argsrepr spares Celery a safe repr of every id for the message.
                label = f"[{len(chunk)} cases: {chunk[0]}…{chunk[-1]}]"
                analyze_cases.apply_async((chunk,), argsrepr=label, kwargsrepr="{}")


ANALYSIS_BATCH = 32
enqueue_analysis = _AnalysisEnqueuer()


def enqueue_send(case_id: int) -> None:
    send_reply.delay(case_id)


def enqueue_notice(case_id: int, kind: str) -> None:
    send_notice.delay(case_id, kind)
