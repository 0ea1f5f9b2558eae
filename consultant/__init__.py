"""Consultant: an email desk for medical-coding questions."""

__version__ = "0.1.0"
