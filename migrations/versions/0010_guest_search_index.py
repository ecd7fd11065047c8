"""guest search index: trigram indexes for the staff guest search

Revision ID: 0010_guest_search_index
Revises: 0009_agenda_version
Create Date: 2026-11-26 11:30:00.000000

The staff search finds a typed fragment anywhere in a guest's names, e-mail,
organisation or confirmation code. Without an index that reads every
registration of the database. PostgreSQL keeps one pg_trgm GIN index on the
searched columns joined by a unit separator (which no search can hold) and
lowered, and the search asks that same expression with LIKE '%…%'; SQLite
keeps an FTS5 table with the trigram tokenizer, filled by triggers on
registration, that the search asks with MATCH (portal/staff/search.py).
Neither is in the models: the schema test and autogenerate skip them by name
(`search.maintained_by_migrations`).
"""
from alembic import op

# revision identifiers, used by Alembic.
revision = '0010_guest_search_index'
down_revision = '0009_agenda_version'
branch_labels = None
depends_on = None

COLUMNS = ("name_original", "name_latin", "surname", "email", "organization", "confirmation_code")
# The expression portal/staff/search.py asks, to the letter, so the planner finds the index.
SEARCH_TEXT = "lower(" + " || E'\\x1f' || ".join(f"coalesce({column}, '')" for column in COLUMNS) + ")"


def upgrade():
    if op.get_bind().dialect.name == "postgresql":
        op.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
        # fastupdate off: a new guest goes straight into the index instead of a pending list that every
        # search then reads until a vacuum (after an import of thousands, the planner gave up on the index).
        op.execute(f"CREATE INDEX ix_registration_search ON registration USING gin ({SEARCH_TEXT} gin_trgm_ops) "
                   f"WITH (fastupdate = off)")
        return
    if op.get_bind().dialect.name != "sqlite":
        return
    listed = ", ".join(COLUMNS)
    new = ", ".join(f"new.{c}" for c in COLUMNS)
    old = ", ".join(f"old.{c}" for c in COLUMNS)
    op.execute(f"CREATE VIRTUAL TABLE registration_search USING fts5({listed}, content='registration', "
               f"content_rowid='id', tokenize='trigram')")
    op.execute(f"CREATE TRIGGER registration_search_insert AFTER INSERT ON registration BEGIN "
               f"INSERT INTO registration_search (rowid, {listed}) VALUES (new.id, {new}); END")
    op.execute(f"CREATE TRIGGER registration_search_delete AFTER DELETE ON registration BEGIN "
               f"INSERT INTO registration_search (registration_search, rowid, {listed}) "
               f"VALUES ('delete', old.id, {old}); END")
    op.execute(f"CREATE TRIGGER registration_search_update AFTER UPDATE OF {listed} ON registration BEGIN "
               f"INSERT INTO registration_search (registration_search, rowid, {listed}) "
               f"VALUES ('delete', old.id, {old}); "
               f"INSERT INTO registration_search (rowid, {listed}) VALUES (new.id, {new}); END")
    op.execute("INSERT INTO registration_search (registration_search) VALUES ('rebuild')")


def downgrade():
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP INDEX IF EXISTS ix_registration_search")
        return
    if op.get_bind().dialect.name != "sqlite":
        return
    for trigger in ("insert", "delete", "update"):
        op.execute(f"DROP TRIGGER IF EXISTS registration_search_{trigger}")
    op.execute("DROP TABLE IF EXISTS registration_search")
