"""Hands the Celery enqueue functions to consultant/ code. The CLI is an edge like the
workers, so it alone may import `workers`; it does so lazily, only in commands that enqueue."""

from __future__ import annotations

from collections.abc import Callable


def analysis_enqueuer() -> Callable[[int], None]:
    from workers.tasks import enqueue_analysis

    return enqueue_analysis


def send_enqueuer() -> Callable[[int], None]:
    from workers.tasks import enqueue_send

    return enqueue_send


def notice_enqueuer() -> Callable[[int, str], None]:
    from workers.tasks import enqueue_notice

    return enqueue_notice
