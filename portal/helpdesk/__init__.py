"""The help desk on the guest's side: my requests, raising one, its thread, and rating the answer."""

from flask import Blueprint

bp = Blueprint("helpdesk", __name__)

from portal.helpdesk import privacy, routes  # noqa: E402,F401  (it registers at import)
