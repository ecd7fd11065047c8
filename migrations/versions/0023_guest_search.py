"""guest search by any part of a name, in any order, and by phone digits

Revision ID: 0023_guest_search
Revises: 0022_meal_times
Create Date: 2026-12-06 08:45:00.000000

Each registration keeps its searched fields, folded for the search, in `search_key`
and the phone's digits in `search_phone` (portal/models/registration.py); the staff search asks those alone
(portal/staff/search.py). The trigram index of the baseline (over the raw columns)
is replaced by one over search_key: a pg_trgm GIN index on PostgreSQL, the FTS5
table `registration_search` with its triggers on SQLite.

The keys of the registrations already stored are computed here with a frozen copy
of the folding, so this migration means the same whatever the model later does.
"""
import re
import unicodedata

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = '0023_guest_search'
down_revision = '0022_meal_times'
branch_labels = None
depends_on = None

OLD_COLUMNS = ("name_original", "name_latin", "surname", "email", "organization", "confirmation_code")
OLD_SEARCH_TEXT = ("lower(" + " || E'\\x1f' || ".join(f"coalesce({column}, '')" for column in OLD_COLUMNS)
                   + ")")
FIELDS = ("name_original", "name_latin", "surname", "email", "organization", "confirmation_code", "phone")
_IGNORED = re.compile(r"[\s\-\u2010-\u2015\u2212'\u2018\u2019\u02bc.,\u00b7\u30fb\u2027]+")


def _form(text):
    decomposed = unicodedata.normalize("NFKD", text or "")
    bare = "".join(c for c in decomposed if not unicodedata.combining(c))
    return _IGNORED.sub("", unicodedata.normalize("NFKC", bare).casefold())


def _key(row):
    return " ".join(_form(getattr(row, name)) for name in FIELDS if name != "phone")


def _digits(row):
    return "".join(c for c in row.phone or "" if c.isdigit())[:40]


def upgrade():
    dialect = op.get_bind().dialect.name
    _drop_sqlite_index(("name_original", "name_latin", "surname", "email", "organization", "confirmation_code"))
    if dialect == "postgresql":
        op.execute("DROP INDEX IF EXISTS ix_registration_search")
    op.add_column('registration', sa.Column('search_key', sa.Text(), server_default='', nullable=False))
    op.add_column('registration', sa.Column('search_phone', sa.String(length=40), server_default='',
                                            nullable=False))
    registration = sa.table('registration', sa.column('id'), sa.column('search_key'), sa.column('search_phone'),
                            *(sa.column(name) for name in FIELDS))
    bind = op.get_bind()
    rows = bind.execute(sa.select(registration.c.id, *(registration.c[name] for name in FIELDS))).all()
    if rows:
        bind.execute(registration.update().where(registration.c.id == sa.bindparam('row_id'))
                     .values(search_key=sa.bindparam('key'), search_phone=sa.bindparam('digits')),
                     [{"row_id": row.id, "key": _key(row), "digits": _digits(row)} for row in rows])
    if dialect == "postgresql":
        op.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
        # fastupdate off, as the baseline's index: a new guest is found at once, without a pending list.
        op.execute("CREATE INDEX ix_registration_search_key ON registration "
                   "USING gin (search_key gin_trgm_ops, search_phone gin_trgm_ops) WITH (fastupdate = off)")
    elif dialect == "sqlite":
        _create_sqlite_index(("search_key", "search_phone"))


def downgrade():
    dialect = op.get_bind().dialect.name
    _drop_sqlite_index(("search_key", "search_phone"))
    if dialect == "postgresql":
        op.execute("DROP INDEX IF EXISTS ix_registration_search_key")
    with op.batch_alter_table('registration', schema=None) as batch_op:
        batch_op.drop_column('search_phone')
        batch_op.drop_column('search_key')
    if dialect == "postgresql":
        op.execute(f"CREATE INDEX ix_registration_search ON registration USING gin ({OLD_SEARCH_TEXT} gin_trgm_ops) "
                   f"WITH (fastupdate = off)")
    elif dialect == "sqlite":
        _create_sqlite_index(OLD_COLUMNS)


def _drop_sqlite_index(_columns):
    if op.get_bind().dialect.name != "sqlite":
        return
    for trigger in ("insert", "delete", "update"):
        op.execute(f"DROP TRIGGER IF EXISTS registration_search_{trigger}")
    op.execute("DROP TABLE IF EXISTS registration_search")


def _create_sqlite_index(columns):
    listed = ", ".join(columns)
    new = ", ".join(f"new.{c}" for c in columns)
    old = ", ".join(f"old.{c}" for c in columns)
    op.execute(f"CREATE VIRTUAL TABLE registration_search USING fts5({listed}, content='registration', "
               f"content_rowid='id', tokenize='trigram')")
    op.execute(f"INSERT INTO registration_search (registration_search) VALUES ('rebuild')")
    op.execute(f"CREATE TRIGGER registration_search_insert AFTER INSERT ON registration BEGIN "
               f"INSERT INTO registration_search (rowid, {listed}) VALUES (new.id, {new}); END")
    op.execute(f"CREATE TRIGGER registration_search_delete AFTER DELETE ON registration BEGIN "
               f"INSERT INTO registration_search (registration_search, rowid, {listed}) "
               f"VALUES ('delete', old.id, {old}); END")
    op.execute(f"CREATE TRIGGER registration_search_update AFTER UPDATE OF {listed} ON registration BEGIN "
               f"INSERT INTO registration_search (registration_search, rowid, {listed}) "
               f"VALUES ('delete', old.id, {old}); "
               f"INSERT INTO registration_search (rowid, {listed}) VALUES (new.id, {new}); END")
