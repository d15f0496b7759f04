"""Alembic environment for the store.

:class:`storyline.store.Store` runs the migrations itself and passes its open connection in
``config.attributes["connection"]`` (inside a transaction), so users need no ``alembic.ini``. Without a
connection (a developer generating a revision, see docs/data-model.md) the ``sqlalchemy.url`` option is
used; offline mode (``sql=True``) renders the SQL for that URL's dialect.
"""

from __future__ import annotations

from alembic import context
from sqlalchemy import Connection, create_engine

from storyline.store.tables import metadata

config = context.config


def _migrate(connection: Connection) -> None:
    context.configure(connection=connection, target_metadata=metadata, render_as_batch=True)
    with context.begin_transaction():
        context.run_migrations()


def _run_online() -> None:
    connection = config.attributes.get("connection")
    if connection is not None:
        _migrate(connection)
        return
    engine = create_engine(config.get_main_option("sqlalchemy.url"))
    with engine.connect() as conn:
        _migrate(conn)
        conn.commit()
    engine.dispose()


def _run_offline() -> None:
    context.configure(url=config.get_main_option("sqlalchemy.url"), target_metadata=metadata, literal_binds=True)
    with context.begin_transaction():
        context.run_migrations()


if context.is_offline_mode():
    _run_offline()
else:
    _run_online()
