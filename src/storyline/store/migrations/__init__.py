"""Alembic migrations of the store, run by :class:`storyline.store.Store` on open."""
