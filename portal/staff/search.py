"""The staff guest search: a guest found by any part of their names, in any order, in either
script, with or without spaces or hyphens; by e-mail, organisation, code, or phone digits.

Each registration keeps its searched fields in one column, `search_key`
(Registration._keep_search_key, on every write): each field lowered, accents and width
folded, spaces, hyphens, apostrophes and dots taken out ("Salem Al-Zoubi" is
"salemalzoubi"), one space between the fields; and the phone's digits in `search_phone`. What staff type
is cut into words at its spaces and each word folded the same way; a guest matches when
every word is somewhere in the key. So "Zoubi Salem", "al zoubi", "al-Zoubi" and "alzoubi"
all find Salem Al-Zoubi, and "王小明" or "Xiaoming Wang" find 王小明 / Wang Xiaoming. A
search that looks like a phone number ("+971", "971 50", "050-123") is its digits alone
(without a leading 0 or 00),
looked for in the phone alone (bare digits in a code or an address too); a name's words
never match the phone.

Both databases answer from a trigram index on that column (migration 0021), so a search
costs about the same with 500 or 50,000 guests:

- PostgreSQL: `search_key LIKE '%word%'` for each word, served by a pg_trgm GIN index
  over both columns.
- SQLite: the FTS5 table `registration_search` (trigram tokenizer over both, kept by
  triggers on registration), asked for every word of three characters or more as a
  phrase, all of them at once. A shorter word (a one-character Chinese given name, "al")
  is looked for with LIKE among the rows the others found, or the event's registrations.

A later migration that rebuilds the registration table on SQLite (Alembic's batch mode
copies it to a new table) drops the triggers with the old table and must make them
again; tests/test_staff.py's search tests fail if it does not.
"""

from sqlalchemy import ColumnElement, String, and_, bindparam, literal_column, or_, select, table, text, true

from portal.extensions import db
from portal.models import Registration
from portal.models.registration import looks_like_phone, phone_digits, search_form

SQLITE_INDEX = "registration_search"
POSTGRESQL_INDEX = "ix_registration_search_key"
TRIGRAM = 3

_indexed = table(SQLITE_INDEX, literal_column("rowid"))
_MATCHED_IDS = select(literal_column("rowid")).select_from(_indexed).where(
    text(f"{SQLITE_INDEX} MATCH :phrases").bindparams(bindparam("phrases", type_=String())))


def words(typed: str) -> tuple[list[str], bool]:
    """What was typed as the words to look for, each in the search form, and whether it is a phone number."""
    if looks_like_phone(typed):
        digits = phone_digits(typed)
        # A trunk "0" or an international "00" is dialled, not stored: "050 123" and "00971 50" find +971 50 123.
        dialled = digits[2:] if digits.startswith("00") else digits[1:] if digits.startswith("0") else digits
        return [dialled or digits], True
    found = (search_form(word) for word in typed.split())
    return list(dict.fromkeys(word for word in found if word)), False


def matches(typed: str) -> ColumnElement[bool]:
    """The condition "this registration holds every word of `typed`" (true when nothing is left to look for)."""
    wanted, phone = words(typed)
    if not wanted:
        return true()
    if phone:
        [digits] = wanted
        # Bare digits may be part of a code or an address too; "+86", "971 50" or "(30) 901" are a phone.
        columns = ["search_phone"] + (["search_key"] if typed.strip().isdigit() else [])
        if _sqlite() and len(digits) >= TRIGRAM:
            phrases = "{" + " ".join(columns) + "} : " + _phrase(digits)
            return Registration.id.in_(_MATCHED_IDS.params(phrases=phrases))
        pattern = _like_pattern(digits)
        return or_(*(getattr(Registration, column).like(pattern, escape="\\") for column in columns))
    if not _sqlite():
        return and_(*(Registration.search_key.like(_like_pattern(word), escape="\\") for word in wanted))
    long_words = [word for word in wanted if len(word) >= TRIGRAM]
    conditions = [Registration.search_key.like(_like_pattern(word), escape="\\")
                  for word in wanted if len(word) < TRIGRAM]
    if long_words:
        phrases = " AND ".join(f"search_key : {_phrase(word)}" for word in long_words)
        conditions.insert(0, Registration.id.in_(_MATCHED_IDS.params(phrases=phrases)))
    return and_(*conditions)


def _sqlite() -> bool:
    return db.session.get_bind().dialect.name == "sqlite"


def _phrase(word: str) -> str:
    """One FTS5 phrase, quotes doubled, so nothing typed is read as FTS5 syntax."""
    return '"' + word.replace('"', '""') + '"'


def _like_pattern(word: str) -> str:
    escaped = word.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
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
