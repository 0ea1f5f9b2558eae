"""The Celery application, configured from celeryconfig.py."""

import logging
import os
import time
from pathlib import Path

from celery import Celery, signals

from consultant.logs import bind, configure_logging, unbind

app = Celery("consultant")
app.config_from_object("celeryconfig")
app.autodiscover_tasks(["workers"], related_name="tasks", force=True)

if app.conf.broker_url.startswith("sqla+"):
    # The embedded broker polls its table; the default 1 s would add up to a second of
    # latency per task. The transport takes the interval as a class attribute.
    from kombu.transport.sqlalchemy import Channel

    Channel.polling_interval = 0.05


@signals.setup_logging.connect
def _structured_logging(loglevel: int | str = logging.INFO, **_: object) -> None:
    """Connected, so Celery leaves logging to us: the product's structured lines."""
    configure_logging(loglevel or logging.INFO)


@signals.worker_init.connect
def _yield_cpu_to_intake(**_: object) -> None:
    """Before the pool starts, so its processes inherit it: the worker runs at
    CONSULTANT_WORKER_NICE, on the CPUs of CONSULTANT_WORKER_CPUS when set, so that on a
    host shared with the listener, senders get their 250 before drafts get the CPU."""
    from workers.runtime import settings

    if settings().worker_cpus:
        _pin_to_cpus(settings().worker_cpus)
    niceness = settings().worker_nice
    if niceness:
        os.nice(niceness)
        if os.getsid(0) == os.getpid():
            _lower_session_group(niceness)


def _pin_to_cpus(spec: str) -> None:
    """Run the worker and its pool on the CPUs CONSULTANT_WORKER_CPUS names ("1", "2-7")."""
    wanted: set[int] = set()
    for part in spec.split(","):
        first, _, last = part.partition("-")
        wanted.update(range(int(first), int(last or first) + 1))
    available = os.sched_getaffinity(0)
    if not wanted or not wanted <= available:
        raise SystemExit(  # a Celery signal handler's exceptions are logged, not fatal
            f"CONSULTANT_WORKER_CPUS={spec} names CPUs this worker may not use; it may use "
            f"{','.join(map(str, sorted(available)))}: name some of those, or leave it empty"
        )
    os.sched_setaffinity(0, wanted)


def _lower_session_group(niceness: int) -> None:
    """Linux shares the CPU between sessions (autogroups) before nice counts inside each:
    a worker leading a session of its own (started from a terminal of its own, or by a
    supervisor that calls setsid) would take as much CPU as the listener's whole session,
    whatever its nice. Its group holds only the worker and its pool, so the group is
    lowered as well. (Under systemd, cgroups share the CPU the same way: the unit's
    CPUWeight is the knob there.)"""
    group = Path("/proc/self/autogroup")
    try:
        current = int(group.read_text().rsplit("nice", 1)[1])
        group.write_text(str(min(19, current + niceness)))
    except (OSError, IndexError, ValueError):
        pass  # not Linux, or no autogroup: the process's own nice is what there is


_task_log = logging.getLogger("workers.timing")
_running: dict[str, tuple[float, object]] = {}


@signals.task_prerun.connect
def _task_started(task_id: str, task, args=(), **_: object) -> None:  # noqa: ANN001
    """Every line a task logs carries its task and, for case tasks, the case id."""
    ids = {"task": task.name, "task_id": task_id}
    if args and isinstance(args[0], int):
        ids["case_id"] = args[0]
    _running[task_id] = (time.perf_counter(), bind(**ids))


@signals.task_postrun.connect
def _task_finished(task_id: str, state: str | None = None, **_: object) -> None:
    started, token = _running.pop(task_id, (None, None))
    if started is None:
        return
    duration_ms = round((time.perf_counter() - started) * 1000, 1)
    _task_log.info("task %s", state, extra={"status": state, "duration_ms": duration_ms})
    unbind(token)
