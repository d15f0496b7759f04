"""Migration scripts, one per schema revision (run in order by Alembic)."""
