"""Celery app for `celery -A workers worker|beat`: thin wiring of consultant/ functions."""

from workers.app import app

__all__ = ["app"]
