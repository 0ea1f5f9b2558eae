"""Alembic environment: runs on the connection that consultant.db.upgrade hands in."""

from alembic import context

import consultant.codes.tables  # noqa: F401
from consultant.models import Base

target_metadata = Base.metadata
connection = context.config.attributes["connection"]
context.configure(
    connection=connection,
    target_metadata=target_metadata,
    render_as_batch=connection.dialect.name == "sqlite",
)
with context.begin_transaction():
    context.run_migrations()
