"""The Celery application, configured from celeryconfig.py."""

from celery import Celery

app = Celery("consultant")
app.config_from_object("celeryconfig")
app.autodiscover_tasks(["workers"], related_name="tasks", force=True)

if app.conf.broker_url.startswith("sqla+"):
    # The embedded broker polls its table; the default 1 s would add up to a second of
    # latency per task. The transport takes the interval as a class attribute.
    from kombu.transport.sqlalchemy import Channel

    Channel.polling_interval = 0.05
