"""The schema comes from the migrations, matches tables.py, and nothing ties storyline to SQLite."""

from __future__ import annotations

import ast
import io
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import create_engine
from sqlalchemy.dialects import postgresql
from sqlalchemy.schema import CreateIndex, CreateTable

import storyline
from storyline.store import Store
from storyline.store.store import alembic_config, head_revision
from storyline.store.tables import metadata

PACKAGE = Path(storyline.__file__).parent
STORE = PACKAGE / "store"
DB_MODULES = {"sqlite3", "sqlalchemy", "alembic", "psycopg", "psycopg2"}


def _modules(root: Path):
    for path in sorted(root.rglob("*.py")):
        yield path, ast.parse(path.read_text(encoding="utf-8"))


def test_opening_migrates_to_head_and_schema_matches_tables(tmp_path):
    url = f"sqlite:///{tmp_path / 's.db'}"
    with Store(url) as store:
        assert store.revision() == head_revision() is not None
    engine = create_engine(url)
    with engine.connect() as conn:
        assert compare_metadata(MigrationContext.configure(conn), metadata) == []
    engine.dispose()


def test_migrations_downgrade_and_upgrade_again(tmp_path):
    url = f"sqlite:///{tmp_path / 's.db'}"
    Store(url).close()
    cfg = alembic_config(url)
    command.downgrade(cfg, "base")
    command.upgrade(cfg, "head")
    with Store(url) as store:
        assert store.revision() == head_revision()
        assert store.count_articles() == 0


def test_migrations_render_for_postgresql():
    cfg = alembic_config("postgresql://user@host/storyline")
    cfg.output_buffer = io.StringIO()
    command.upgrade(cfg, "head", sql=True)
    sql = cfg.output_buffer.getvalue()
    for table in metadata.tables:
        assert f"CREATE TABLE {table} (" in sql
    assert "JSONB" in sql and "TIMESTAMP WITH TIME ZONE" in sql


def test_tables_compile_for_postgresql():
    dialect = postgresql.dialect()
    for table in metadata.sorted_tables:
        assert "CREATE TABLE" in str(CreateTable(table).compile(dialect=dialect))
        for index in table.indexes:
            str(CreateIndex(index).compile(dialect=dialect))


def test_only_the_store_touches_the_database():
    for path, tree in _modules(PACKAGE):
        if STORE in path.parents:
            continue
        for node in ast.walk(tree):
            names = [a.name for a in node.names] if isinstance(node, ast.Import) else []
            if isinstance(node, ast.ImportFrom) and node.module:
                names = [node.module]
            assert not {n.split(".")[0] for n in names} & DB_MODULES, f"{path} imports a database library"
            if isinstance(node, ast.Constant) and isinstance(node.value, str):
                assert "PRAGMA" not in node.value.upper(), f"{path}: SQLite PRAGMA outside the store"


def test_sqlite_specific_sql_stays_in_the_sqlite_hook():
    """Raw SQL (driver-level calls, PRAGMA, BEGIN) appears only in store._configure_sqlite."""
    for path, tree in _modules(STORE):
        allowed: set[int] = set()
        for node in ast.walk(tree):
            if isinstance(node, ast.FunctionDef) and node.name == "_configure_sqlite":
                allowed |= {id(n) for n in ast.walk(node)}
        for node in ast.walk(tree):
            raw_call = isinstance(node, ast.Call) and getattr(node.func, "attr", getattr(node.func, "id", None)) in {
                "exec_driver_sql", "text", "cursor"}
            raw_string = isinstance(node, ast.Constant) and isinstance(node.value, str) and (
                node.value.lstrip().upper().startswith(("PRAGMA", "BEGIN")))
            assert not ((raw_call or raw_string) and id(node) not in allowed), (
                f"{path}:{node.lineno}: raw SQL outside _configure_sqlite")
        for node in ast.walk(tree):
            if isinstance(node, ast.ImportFrom) and node.module:
                assert not node.module.startswith("sqlalchemy.dialects.sqlite"), f"{path} imports the SQLite dialect"


def test_concurrent_first_opens_migrate_once(tmp_path):
    """Several processes may open a new database at once: the migration runs once, none fails."""
    url = f"sqlite:///{tmp_path / 'fresh.db'}"
    with ThreadPoolExecutor(max_workers=4) as pool:
        revisions = list(pool.map(lambda _: _open_and_read_revision(url), range(4)))
    assert revisions == [head_revision()] * 4


def _open_and_read_revision(url: str) -> str | None:
    with Store(url) as store:
        return store.revision()
