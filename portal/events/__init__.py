"""The public site: open events, an event's home page, the language switch, health."""

from flask import Blueprint

bp = Blueprint("events", __name__)

from portal.events import routes  # noqa: E402,F401
