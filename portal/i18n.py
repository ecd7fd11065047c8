"""Languages: which one a request speaks, bilingual fields, and compiled catalogs.

`gettext`, `lazy_gettext` and their `pgettext` forms (one English word with two meanings, such as a hotel
"Room" and a meeting "Room") are Flask-Babel's, named here so the code imports them with the rest.
"""

import os
import tempfile
from functools import lru_cache
from pathlib import Path

from babel import support
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from flask import current_app, has_request_context, request, session
from flask_babel import get_locale, gettext, lazy_gettext, lazy_pgettext, pgettext  # noqa: F401  (the code's _ and _l)
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from markupsafe import Markup, escape
from wtforms import SelectChoice
from wtforms.i18n import messages_path

LANGUAGES = ("zh_Hans", "en")
# Each language in its own words, for choosing one: the switcher and the language fields.
LANGUAGE_NAMES = {"zh_Hans": "中文", "en": "English"}
# Each language in the reader's words, for reading about a guest: staff lists and exports.
LANGUAGE_LABELS = {"zh_Hans": _l("Chinese"), "en": _l("English")}
TRANSLATIONS_DIR = Path(__file__).resolve().parent.parent / "translations"


def select_locale() -> str:
    """The session's choice, then the signed-in user's, then the browser's."""
    if not has_request_context():
        return "en"
    chosen = session.get("lang")
    if chosen in LANGUAGES:
        return chosen
    if current_user and current_user.is_authenticated and current_user.language in LANGUAGES:
        return current_user.language
    return browser_language()


def browser_language() -> str:
    """The language the browser asks for (Accept-Language), of the two the app speaks."""
    best = request.accept_languages.best_match(["zh-Hans", "zh-CN", "zh", "en"], default="en")
    return "zh_Hans" if best.startswith("zh") else "en"


def current_language() -> str:
    locale = get_locale()
    return "zh_Hans" if locale is not None and locale.language == "zh" else "en"


def pick(english: str, chinese: str) -> str:
    """The text of a bilingual field in the current language, else the other one."""
    if current_language() == "zh_Hans":
        return chinese or english
    return english or chinese


def colon(label: str) -> Markup:
    """A label and its colon, as the language writes it: "Room: " in English, "房间：" in Chinese.

    Templates write `{{ _("Room")|colon }}` rather than `{{ _("Room") }}: `, so Chinese gets its
    full-width colon (which carries its own space) and English keeps the space after its own.
    """
    # The catalog's text is trusted; Markup's % escapes the label unless it is markup already.
    return Markup(pgettext("label followed by its value", "%(label)s: ")) % {"label": label}  # nosec B704


def aside(text: str) -> Markup:
    """Text in parentheses, as the language writes them: "(3 nights)" in English, "（3 晚）" in Chinese."""
    return Markup(pgettext("text in parentheses", "(%(text)s)")) % {"text": text}  # nosec B704


def listed(items) -> str:
    """Items joined as the language joins them: "Lodging, Transport" in English, "住宿、交通" in Chinese.

    Items already marked up (a name in its `<span lang>`) stay markup, and the plain ones beside them
    are escaped; a list of plain text stays plain text.
    """
    separator = pgettext("between the items of a list", ", ")
    items = [item for item in items if item]
    if any(hasattr(item, "__html__") for item in items):
        return escape(separator).join(items)  # Markup.join escapes the plain items
    return separator.join(str(item) for item in items)


def language_name(code: str) -> str:
    """A guest's language named in the reader's language; a code the app does not speak as itself."""
    label = LANGUAGE_LABELS.get(code)
    return str(label) if label is not None else code


def html_lang(language: str | None = None) -> str:
    """The BCP 47 tag for `language` (default: the page's), as `lang` attributes want it."""
    return "zh-Hans" if (language or current_language()) == "zh_Hans" else "en"


def language_choices() -> list[SelectChoice]:
    """The languages to choose from, each named in itself and marked so (WCAG 3.1.2): "中文" is
    read as Chinese on an English page."""
    return [SelectChoice(code, LANGUAGE_NAMES[code], render_kw={"lang": html_lang(code)}) for code in LANGUAGES]


@lru_cache(maxsize=8)
def _wtforms_catalog(locale: str) -> support.Translations:
    return support.Translations.load(messages_path(), [locale], domain="wtforms")


class WTFormsMessages:
    """WTForms' own messages in the request's language, read from disk once per language.

    Flask-WTF looks for this on the request; without it, it reads WTForms'
    catalog from disk again in every request that builds a form.
    """

    def ugettext(self, string: str) -> str:
        return _wtforms_catalog(str(get_locale())).ugettext(string)

    def ungettext(self, singular: str, plural: str, n: int) -> str:
        return _wtforms_catalog(str(get_locale())).ungettext(singular, plural, n)


WTFORMS_MESSAGES = WTFormsMessages()


def compile_catalogs(directory: Path = TRANSLATIONS_DIR) -> None:
    """Write each messages.mo that is missing or older than its .po.

    A fresh clone has only the .po files; compiling at start-up means no manual
    step. Each file is written beside and renamed into place, so several workers
    starting at once never read a half-written catalog.
    """
    for po_path in directory.glob("*/LC_MESSAGES/messages.po"):
        mo_path = po_path.with_suffix(".mo")
        if mo_path.exists() and mo_path.stat().st_mtime >= po_path.stat().st_mtime:
            continue
        with po_path.open("rb") as po_file:
            catalog = read_po(po_file, locale=po_path.parent.parent.name)
        handle, temporary = tempfile.mkstemp(dir=po_path.parent, suffix=".mo.tmp")
        try:
            with os.fdopen(handle, "wb") as mo_file:
                write_mo(mo_file, catalog)
            os.replace(temporary, mo_path)
        except BaseException:
            Path(temporary).unlink(missing_ok=True)
            raise


def translations_directory() -> str:
    return str(TRANSLATIONS_DIR) if current_app else ""
