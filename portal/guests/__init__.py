"""The guest's side: registration, invitations and "My trip"."""

from flask import Blueprint

bp = Blueprint("guests", __name__)

from portal.guests import routes  # noqa: E402,F401
