"""Celery settings for the workers: broker, routes and beat schedule, all from consultant.config."""

from celery.schedules import crontab

from consultant.config import load_settings
from consultant.digest.weeks import Schedule

_settings = load_settings()

broker_url = _settings.resolved_broker_url
result_backend = None
task_ignore_result = True
task_serializer = "json"
accept_content = ["json"]
task_acks_late = True
task_reject_on_worker_lost = True
worker_prefetch_multiplier = 1
broker_connection_retry_on_startup = True
if broker_url.startswith(("redis://", "rediss://")):
    # An unacknowledged task comes back after this long if its worker vanished; the
    # sweep re-enqueues stuck cases much sooner, and the tasks are idempotent.
    broker_transport_options = {"visibility_timeout": 3600}
timezone = _settings.timezone
worker_hijack_root_logger = False
beat_schedule = {
    "sweep": {
        "task": "workers.tasks.sweep",
        "schedule": float(_settings.sweep_seconds),
    },
    # Weekly, at CONSULTANT_DIGEST_SCHEDULE in `timezone` (crontab follows its DST changes).
    "weekly-digest": {
        "task": "workers.tasks.send_weekly_digest",
        "schedule": crontab(**Schedule.parse(_settings.digest_schedule).crontab_fields()),
    },
}
