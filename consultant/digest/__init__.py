"""Weekly digest: figures of an ISO week from SQL, rendered to mail, delivered once per recipient.

weeks.py (ISO weeks and the schedule in a time zone), figures.py (team figures as SQL
aggregates), personal.py (a requester's own questions), chart.py (the PNG chart),
render.py (template data and the MIME message), delivery.py (exactly-once sending).
"""
