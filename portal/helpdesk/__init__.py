"""The help desk on the guest's side: my requests, raising one, its thread, and rating the answer."""

from flask import Blueprint

bp = Blueprint("helpdesk", __name__)

from portal.helpdesk import routes  # noqa: E402,F401
