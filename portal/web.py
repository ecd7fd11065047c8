"""Request hooks, template globals and URL parts shared by every page."""

import re

from flask import Flask, abort, request, session
from werkzeug.routing import IntegerConverter

from portal import dates
from portal.i18n import LANGUAGE_NAMES, LANGUAGES, WTFORMS_MESSAGES, aside, colon, current_language, html_lang, series
from portal.outbox import deliver_after_response
from portal.rendering import add_vary, wants_fragment


# The largest id any table holds: PostgreSQL's `integer`, the type of every id column.
MAX_ID = 2**31 - 1
WHOLE_NUMBER = re.compile(r"-?[0-9]+")


class IdConverter(IntegerConverter):
    """`<int:...>` in every route: a number no row can have is a 404, never a database error.

    Registered as the app's `int` converter, so every route that takes an id is bounded
    without naming a converter of its own.
    """

    def __init__(self, map, fixed_digits=0, min=None, max=MAX_ID, signed=False):
        super().__init__(map, fixed_digits=fixed_digits, min=min, max=max, signed=signed)


def register_converters(app: Flask) -> None:
    """Before any blueprint adds its routes."""
    app.url_map.converters["int"] = IdConverter


def query_int(name: str, default: int | None = None, minimum: int = 0) -> int | None:
    """A whole number from the query string; missing, not a number or below `minimum` is `default`.

    A number no database column can hold (a hand-edited ?page=99999999999999999999) is a 404.
    """
    raw = request.args.get(name, "").strip()
    if not WHOLE_NUMBER.fullmatch(raw):
        return default
    if len(raw) > 18 or abs(int(raw)) > MAX_ID:
        abort(404)
    return int(raw) if int(raw) >= minimum else default


def register(app: Flask) -> None:
    app.jinja_env.add_extension("jinja2.ext.do")
    app.jinja_env.filters["colon"] = colon
    app.jinja_env.filters["aside"] = aside
    app.jinja_env.filters["series"] = series
    dates.register(app)
    app.before_request(_refuse_nul_characters)
    app.before_request(_share_wtforms_messages)
    app.after_request(add_vary)
    app.after_request(_never_store_personal_pages)
    app.after_request(_security_headers)
    app.after_request(deliver_after_response)

    @app.context_processor
    def globals_for_templates():
        return {
            "languages": LANGUAGES,
            "language_names": LANGUAGE_NAMES,
            "current_language": current_language(),
            "html_lang": html_lang(),
            "is_fragment": wants_fragment(),
        }


def _refuse_nul_characters():
    """No one types a NUL character, and PostgreSQL refuses to store one: answer 400, not 500."""
    values = [request.path, *request.args.values()]
    if request.method not in ("GET", "HEAD", "OPTIONS"):
        values.extend(request.form.values())
    if any("\x00" in value for value in values):
        abort(400)


def _share_wtforms_messages():
    """Flask-WTF takes WTForms' messages from here (see portal.i18n.WTFormsMessages)."""
    request.wtforms_translations = WTFORMS_MESSAGES


SHARED_FILES = frozenset({"static", "events.look_css", "events.image"})


def _never_store_personal_pages(response):
    """Whatever a signed-in person or a kiosk is shown may be personal: no browser keeps a copy.

    So Back after signing out, or on a kiosk after the guest left, shows nothing from before.
    Static files and an event's look (its style sheet and images, the same for everyone) are
    the only exceptions; public pages are not HTTP-cached. The cookie says whether someone is
    signed in, so this asks nothing of the database (an error page too).
    """
    if request.endpoint in SHARED_FILES:
        return response
    if "_user_id" in session or request.blueprint == "kiosk":
        if "no-store" not in (response.headers.get("Cache-Control") or ""):
            response.headers["Cache-Control"] = "no-store"
    return response


def _security_headers(response):
    response.headers.setdefault("X-Content-Type-Options", "nosniff")
    response.headers.setdefault("Referrer-Policy", "same-origin")
    response.headers.setdefault("X-Frame-Options", "DENY")
    response.headers.setdefault(
        "Content-Security-Policy",
        "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; "
        "frame-ancestors 'none'; base-uri 'self'; form-action 'self'",
    )
    if request.is_secure:
        response.headers.setdefault("Strict-Transport-Security", "max-age=31536000")
    return response
