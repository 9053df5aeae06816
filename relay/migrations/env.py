"""Alembic's entry point: runs migrations against the relay's configured database."""

from __future__ import annotations

from alembic import context

from relay.db import engine_for
from relay.schema import metadata

url = context.config.attributes["url"]
engine = engine_for(url)
with engine.connect() as connection:
    context.configure(
        connection=connection,
        target_metadata=metadata,
        render_as_batch=engine.dialect.name == "sqlite",  # SQLite alters tables by copying
    )
    with context.begin_transaction():
        context.run_migrations()
engine.dispose()
