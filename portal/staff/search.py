"""The staff guest search: a typed fragment found anywhere in a guest's names, e-mail, organisation or code.

Both databases answer it from a trigram index (the baseline migration), so a search
costs about the same with 500 or 50,000 guests:

- PostgreSQL: the columns joined by a unit separator (U+001F, which a search
  never holds: `str.split()` counts it as space), lowered, LIKE '%fragment%';
  the planner serves it from a pg_trgm GIN index on that same expression. One
  index, where one per column cost as much as reading every row.
- SQLite: the FTS5 table `registration_search` (trigram tokenizer, kept by
  triggers on registration), asked for the fragment as a phrase. A trigram
  needs three characters: a shorter fragment (a two-character Chinese name, "Li")
  is looked for with LIKE, which reads the event's registrations.

Case is ignored on both. SQLite's LIKE folds ASCII letters only, the trigram
index folds other scripts' capitals too, as PostgreSQL's lower() does.

A later migration that rebuilds the registration table on SQLite (Alembic's
batch mode copies it to a new table) drops the triggers with the old table and
must make them again; tests/test_staff.py's search tests fail if it does not.
"""

from functools import reduce

from sqlalchemy import ColumnElement, String, bindparam, func, literal_column, or_, select, table, text

from portal.extensions import db
from portal.models import Registration

# The columns the guest search looks in; the baseline migration indexes the same ones.
SEARCHED_COLUMNS = (
    Registration.name_original,
    Registration.name_latin,
    Registration.surname,
    Registration.email,
    Registration.organization,
    Registration.confirmation_code,
)
SQLITE_INDEX = "registration_search"
POSTGRESQL_INDEX = "ix_registration_search"
TRIGRAM = 3

# Literals, not bound values: the planner matches this to the index's expression (the baseline migration).
_EMPTY, _UNIT_SEPARATOR = literal_column("''"), literal_column("E'\\x1f'")
_SEARCH_TEXT = func.lower(reduce(
    lambda joined, column: joined.op("||")(_UNIT_SEPARATOR).op("||")(func.coalesce(column, _EMPTY)),
    SEARCHED_COLUMNS[1:], func.coalesce(SEARCHED_COLUMNS[0], _EMPTY)))

_indexed = table(SQLITE_INDEX, literal_column("rowid"))
_MATCHED_IDS = select(literal_column("rowid")).select_from(_indexed).where(
    text(f"{SQLITE_INDEX} MATCH :phrase").bindparams(bindparam("phrase", type_=String())))


def matches(fragment: str) -> ColumnElement[bool]:
    """The condition "this registration contains `fragment`" (already stripped and non-empty)."""
    if db.session.get_bind().dialect.name == "sqlite":
        if len(fragment) >= TRIGRAM:
            # One phrase: quotes doubled, so nothing typed is read as FTS5 syntax.
            phrase = '"' + fragment.replace('"', '""') + '"'
            return Registration.id.in_(_MATCHED_IDS.params(phrase=phrase))
        pattern = _like_pattern(fragment)
        # SQLite's LIKE already ignores (ASCII) case: no lower() on each of the rows.
        return or_(*(column.like(pattern, escape="\\") for column in SEARCHED_COLUMNS))
    return _SEARCH_TEXT.like(_like_pattern(fragment), escape="\\")


def _like_pattern(fragment: str) -> str:
    escaped = fragment.lower().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def maintained_by_migrations(name: str | None, type_: str, _parent_names: dict) -> bool:
    """True for the search index's own tables and indexes, which the models do not describe.

    Alembic's `include_name` hook takes the opposite: what to compare.
    """
    if not name:
        return False
    if type_ == "table":
        return name == SQLITE_INDEX or name.startswith(SQLITE_INDEX + "_")
    return type_ == "index" and name == POSTGRESQL_INDEX


def include_in_comparison(name, type_, parent_names) -> bool:
    """For alembic's include_name: everything but the search index."""
    return not maintained_by_migrations(name, type_, parent_names)
