"""Languages: which one a request speaks, bilingual fields, and compiled catalogs."""

import os
import tempfile
from contextvars import ContextVar
from functools import lru_cache
from pathlib import Path

from babel import support
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from flask import Flask, current_app, g, has_app_context, has_request_context, request, session
from flask.templating import Environment
from flask_babel import get_locale, get_translations
from flask_babel.speaklater import LazyString
from flask_login import current_user
from jinja2 import nodes
from jinja2.visitor import NodeTransformer

LANGUAGES = ("zh_Hans", "en")
LANGUAGE_NAMES = {"zh_Hans": "中文", "en": "English"}
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


def html_lang() -> str:
    return "zh-Hans" if current_language() == "zh_Hans" else "en"


# Flask-Babel's catalogs by locale. Flask-Babel keeps the same cache, one per process,
# but finds its way to it through several context lookups for every string a page shows.
_CATALOGS: dict = {}


def _catalog():
    """The translations of the request's locale (or of the one `force_locale` set for a while)."""
    if not has_app_context():
        return _UNTRANSLATED
    locale = getattr(g.get("_flask_babel"), "babel_locale", None)
    if locale is None:
        return get_translations()  # picks the locale for the rest of the request
    found = _CATALOGS.get(locale)
    if found is None:
        found = _CATALOGS[locale] = get_translations()
    return found


_UNTRANSLATED = support.NullTranslations()


def gettext(string: str, **variables) -> str:
    """Flask-Babel's gettext, with the catalog found the short way: the code's `_()`."""
    text = _catalog().ugettext(string)
    return text % variables if variables else text


def lazy_gettext(string: str, **variables) -> LazyString:
    """Flask-Babel's lazy_gettext (a form's labels, said in each reader's language), on `gettext` above."""
    return LazyString(gettext, string, **variables)


# The catalog a template being compiled is translated with (see TranslatedTemplates).
_COMPILING_FOR: ContextVar = ContextVar("compiling_for", default=None)


class TranslatedTemplates(Environment):
    """Templates compiled once per language, each _("literal") in them already translated.

    A page says some forty fixed strings, and each `_()` used to look up the
    request's catalog while the page rendered. Here a template is compiled for
    the language of the request that first asks for it, and kept under its
    name and that language: a fixed string becomes part of the template's
    text, and `_("... %(name)s ...", name=value)` a format of the translated
    text. What the page says is the same as before: the translation counts as
    markup and the values are escaped into it, as Jinja's own gettext does.

    A template asked for with no app context, and one made from a string, is
    compiled as it is and translates as it renders.
    """

    def __init__(self, app, **options):
        # Each template is kept once per language: room for all of them in both (Jinja keeps 400).
        options.setdefault("cache_size", 1000)
        super().__init__(app, **options)

    def _load_template(self, name, globals):
        catalog = _catalog() if has_app_context() else None
        key = (name, catalog)  # a language's catalog is one object for the life of the process
        if self.cache is not None:
            template = self.cache.get(key)
            if template is not None and (not self.auto_reload or template.is_up_to_date):
                if globals:
                    template.globals.update(globals)
                return template
        compiling = _COMPILING_FOR.set(catalog)
        try:
            template = self.loader.load(self, name, self.make_globals(globals))
        finally:
            _COMPILING_FOR.reset(compiling)
        if self.cache is not None:
            self.cache[key] = template
        return template

    def _parse(self, source, name, filename):
        tree = super()._parse(source, name, filename)
        catalog = _COMPILING_FOR.get()
        if catalog is None:
            return tree
        tree = _TranslateLiterals(catalog).visit(tree)
        tree.set_environment(self)
        return tree


class _TranslateLiterals(NodeTransformer):
    """Turns `_("text")` and `gettext("text", name=value)` into the catalog's translation."""

    def __init__(self, catalog):
        self.catalog = catalog

    def visit_Call(self, node):
        node = self.generic_visit(node)
        called = node.node
        if not (isinstance(called, nodes.Name) and called.name in ("_", "gettext") and called.ctx == "load"):
            return node
        if len(node.args) != 1 or node.dyn_args is not None or node.dyn_kwargs is not None:
            return node
        message = node.args[0]
        if not (isinstance(message, nodes.Const) and isinstance(message.value, str)):
            return node
        text = self.catalog.ugettext(message.value)
        if node.kwargs:
            values = nodes.Dict([nodes.Pair(nodes.Const(pair.key), pair.value) for pair in node.kwargs])
            translated = nodes.Mod(nodes.MarkSafeIfAutoescape(nodes.Const(text)), values)
        else:
            # Jinja's gettext formats even with no values: "%%" is "%" on the page.
            try:
                text = text % {}
            except (KeyError, ValueError, TypeError):
                return node  # it fails as it renders, as it always has
            translated = nodes.MarkSafeIfAutoescape(nodes.Const(text))
        return translated.set_lineno(node.lineno)


def install_template_gettext(app: Flask) -> None:
    """Templates' _(), gettext() and ngettext() look their catalog up the short way."""
    app.jinja_env.install_gettext_callables(
        gettext=lambda string: _catalog().ugettext(string),
        ngettext=lambda singular, plural, n: _catalog().ungettext(singular, plural, n),
        pgettext=lambda context, string: _catalog().upgettext(context, string),
        npgettext=lambda context, singular, plural, n: _catalog().unpgettext(context, singular, plural, n),
        newstyle=True,
    )


@lru_cache(maxsize=8)
def _wtforms_catalog(locale: str) -> support.Translations:
    from wtforms.i18n import messages_path

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
