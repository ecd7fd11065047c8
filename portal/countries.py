"""Countries and regions a guest may name: real ones only, named and sorted as the reader reads them.

Babel's territory list is CLDR's, which adds to ISO 3166-1 the test locales (Pseudo-Accents,
Pseudo-Bidi), groupings (European Union, Eurozone, United Nations, Outlying Oceania, Unknown
Region) and a few exceptionally reserved codes (Ascension Island, Canary Islands, Sark...) that
no passport or address uses as a country. What is left is ISO 3166-1, plus Kosovo (XK), the
code its passports and the EU use.

English is sorted letter by letter with accents set aside (Åland Islands under A, Côte d'Ivoire
under C). Chinese is sorted by pinyin, syllable by syllable and then by tone, the order of a
Chinese dictionary and of every Chinese country list, rather than by code point, which puts
names in no order a reader knows. Python has no Chinese collation of its own (ICU is not a
dependency here), so pypinyin, a well-kept library with CC0 data, reads each name's characters.
"""

import os
import unicodedata
from functools import cache
from typing import Callable

from babel import Locale

from portal.i18n import current_language

# Country names are transliterations read character by character: without its phrase dictionary
# (read when pypinyin is first imported) it takes some 40 MB less in each worker.
os.environ.setdefault("PYPINYIN_NO_PHRASES", "true")
from pypinyin import Style, lazy_pinyin  # noqa: E402

NOT_COUNTRIES = frozenset({
    "XA", "XB",  # CLDR's pseudo-locales
    "ZZ", "EU", "EZ", "UN", "QO",  # unknown region and groupings
    "AC", "CP", "CQ", "DG", "EA", "IC", "TA",  # exceptionally reserved, parts of other countries
})


def _locale(language: str) -> Locale:
    return Locale.parse("zh_Hans" if language == "zh_Hans" else "en")


def is_country(code: str) -> bool:
    return len(code) == 2 and code.isalpha() and code.isupper() and code not in NOT_COUNTRIES


def _latin_key(name: str) -> str:
    bare = "".join(c for c in unicodedata.normalize("NFKD", name) if not unicodedata.combining(c))
    return bare.casefold()


def _pinyin_key(name: str) -> list[str]:
    return lazy_pinyin(name, style=Style.TONE3, neutral_tone_with_five=True)


def reading_order(language: str) -> Callable[[str], tuple]:
    """The sort key a reader of `language` expects for names: pinyin in Chinese, letters in English.

    Other short lists named in the reader's language (the audit log's actions) sort with it too.
    """
    if language == "zh_Hans":
        return lambda name: (_pinyin_key(name), name)
    return lambda name: (_latin_key(name), name)


@cache
def countries(language: str) -> tuple[tuple[str, str], ...]:
    """(code, name) for every country and region, in the order a reader of `language` looks for it.

    Kept once per language and process: CLDR and the sort do not change while the app runs.
    """
    names = {code: name for code, name in _locale(language).territories.items() if is_country(code)}
    key = reading_order(language)
    return tuple(sorted(names.items(), key=lambda item: key(item[1])))


def country_choices() -> list[tuple[str, str]]:
    """The country select's choices in the current language, an empty choice first."""
    return [("", ""), *countries(current_language())]


def country_name(code: str | None) -> str:
    """A country or region code, named in the reader's language."""
    if not code:
        return ""
    return _locale(current_language()).territories.get(code, code)
