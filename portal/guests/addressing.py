"""How a guest is addressed, in every mail, page and kiosk screen: one set of helpers.

A letter in English names the form of address and the family name in Latin letters ("Dear Prof.
Wang,"); a welcome on a screen uses the full Latin name, which a guest finds faster among others
("Welcome, Prof. Wang Xiaoming"). Chinese puts the form of address after the full name as the guest
writes it, in both ("尊敬的王小明教授：", "欢迎您，王小明教授").
A form with no Chinese suffix (Hon., whose Chinese is the "尊敬的" the greeting already has, and Mx)
is left out in Chinese. Without a form of address the full name is used.

A name in another script than the page's is marked with its language (WCAG 3.1.2), so a screen
reader reads 王小明 in Chinese on an English page and "Marie Curie" in English on a Chinese one.
In a plain-text mail (no autoescape) nothing is marked.
"""

import re

from jinja2 import pass_eval_context
from markupsafe import Markup, escape

from portal.guests.forms import HONORIFICS
from portal.i18n import current_language, gettext as _

CHINESE_PREFIX_ONLY = frozenset({"Hon", "Mx"})
# Protocol: an Excellency is named in full ("H.E. John Williams", never "H.E. Williams"), and an
# English letter opens "Your Excellency,"; Chinese writes "尊敬的王小明阁下：" as for any title.
EXCELLENCY = "HE"
# The language a script is most likely written in, checked in this order (kana before Han: Japanese
# names mix both). A Latin name is marked English: its own language is unknown, and an English
# voice reads it far better than a Chinese one.
SCRIPTS = (
    (re.compile(r"[\u3040-\u30ff]"), "ja"),
    (re.compile(r"[\u1100-\u11ff\uac00-\ud7af]"), "ko"),
    (re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]"), "zh"),
    (re.compile(r"[\u0400-\u04ff]"), "ru"),
    (re.compile(r"[\u0370-\u03ff]"), "el"),
    (re.compile(r"[\u0590-\u05ff]"), "he"),
    (re.compile(r"[\u0600-\u06ff]"), "ar"),
    (re.compile(r"[\u0e00-\u0e7f]"), "th"),
    (re.compile(r"[A-Za-z\u00c0-\u024f]"), "en"),
)


def script_language(text: str) -> str | None:
    """The language tag a name's script suggests, or None for text in no known script."""
    for pattern, language in SCRIPTS:
        if pattern.search(text or ""):
            return language
    return None


def in_own_language(text: str) -> Markup:
    """`text`, escaped, in a `<span lang>` when its script is not the page's language."""
    language = script_language(text)
    page = "zh" if current_language() == "zh_Hans" else "en"
    if language is None or language == page:
        return escape(text)
    return Markup('<span lang="{}">{}</span>').format(language, text)


def guest_name(registration) -> str:
    """The guest's full name for this page's language, unmarked: as they write it on a Chinese page
    ("王小明"), in Latin letters on an English one ("Wang Xiaoming"); the other when one is missing.
    A heading marks it with `in_own_language`; a `<title>` takes it as it is."""
    if current_language() == "zh_Hans":
        return registration.name_original or registration.name_latin
    return registration.name_latin or registration.name_original


def _parts(registration, full: bool) -> tuple[str, str]:
    """(form of address in the current language or "", the name it goes with)."""
    chinese = current_language() == "zh_Hans"
    code = registration.honorific or ""
    label = dict(HONORIFICS).get(code) if code else None
    if chinese:
        return ("" if code in CHINESE_PREFIX_ONLY or not label else str(label)), guest_name(registration)
    if not label:
        return "", guest_name(registration)
    family = "" if full or code == EXCELLENCY else registration.surname
    return str(label), family or registration.name_latin or registration.name_original


def _named(message: str, registration, markup: bool, full: bool = False) -> str:
    honorific, name = _parts(registration, full)
    if not markup:
        shown = _("%(honorific)s %(name)s", honorific=honorific, name=name) if honorific else name
        return _(message, name=shown) if message else shown
    # Markup's % escapes every value that is not markup already; the catalog's own text is trusted.
    shown = in_own_language(name)
    if honorific:
        shown = Markup(_("%(honorific)s %(name)s")) % {"honorific": honorific, "name": shown}  # nosec B704
    return Markup(_(message)) % {"name": shown} if message else shown  # nosec B704


def addressed_name(registration, markup: bool = False) -> str:
    """ "Prof. Wang" / "王小明教授" """
    return _named("", registration, markup)


def greeting(registration, markup: bool = False) -> str:
    """The opening of a letter: "Dear Prof. Wang," / "尊敬的王小明教授：" """
    if registration.honorific == EXCELLENCY and current_language() != "zh_Hans":
        return escape(_("Your Excellency,")) if markup else _("Your Excellency,")
    return _named("Dear %(name)s,", registration, markup)


def welcome(registration, markup: bool = False) -> str:
    """The kiosk's and My trip's welcome: "Welcome, Prof. Wang Xiaoming" / "欢迎您，王小明教授" """
    return _named("Welcome, %(name)s", registration, markup, full=True)


def dear(name: str, markup: bool = False) -> str:
    """A letter's opening for someone known by a name only (an invitee, a contact without a registration)."""
    if markup:  # the catalog's text is trusted; % escapes the name
        return Markup(_("Dear %(name)s,")) % {"name": in_own_language(name)}  # nosec B704
    return _("Dear %(name)s,", name=name)


def register(bp) -> None:
    """Template globals that mark names in HTML and leave plain-text mails plain."""
    for function in (addressed_name, greeting, welcome, dear):
        bp.add_app_template_global(_for_templates(function), function.__name__)
    bp.add_app_template_global(guest_name, "guest_name")
    bp.add_app_template_filter(_marked, "in_own_language")
    # For an element that holds only a name (a badge's line): its `lang`, whatever the page's.
    bp.add_app_template_filter(script_language, "script_language")


def _for_templates(function):
    @pass_eval_context
    def wrapper(eval_ctx, subject):
        return function(subject, markup=eval_ctx.autoescape)
    wrapper.__doc__ = function.__doc__
    return wrapper


@pass_eval_context
def _marked(eval_ctx, text):
    return in_own_language(text) if eval_ctx.autoescape else text
