"""The agenda on the guest's side: the programme, my agenda, my calendar feed, announcements."""

from flask import Blueprint

bp = Blueprint("agenda", __name__)

from portal.agenda import routes  # noqa: E402,F401
