"""Error pages: calm, translated, never a stack trace."""

import logging

from flask import Flask, current_app, session
from flask_babel import force_locale
from flask_wtf.csrf import CSRFError
from sqlalchemy.exc import OperationalError

from portal.extensions import db
from portal.i18n import LANGUAGES, browser_language
from portal.rendering import render

log = logging.getLogger(__name__)


def register(app: Flask) -> None:
    @app.errorhandler(CSRFError)
    def csrf_failed(error):
        return render("errors/csrf.html", status=400)

    @app.errorhandler(OperationalError)
    def database_unavailable(error):
        log.error("database unavailable: %s", error)
        db.session.rollback()
        return _unavailable_page(), 503

    for code in (400, 403, 404, 405, 410, 413, 429, 500):
        app.register_error_handler(code, _page_for(code))


def _unavailable_page() -> str:
    """The 503 page, made without the database.

    The template is rendered by Jinja alone: the context processors would read
    the signed-in user and the event's announcements, and the usual choice of
    language the user's account; here the language is the session's or the
    browser's.
    """
    language = session.get("lang") if session.get("lang") in LANGUAGES else browser_language()
    with force_locale(language):
        template = current_app.jinja_env.get_template("errors/unavailable.html")
        return template.render(html_lang="zh-Hans" if language == "zh_Hans" else "en")


def _page_for(code: int):
    def handler(error):
        if code == 500:
            db.session.rollback()
        # A limited htmx request gets a message the size of what it asked for (base.html swaps 429).
        fragment = "errors/_too_many.html" if code == 429 else None
        return render("errors/error.html", fragment=fragment, code=code, status=code)

    return handler
