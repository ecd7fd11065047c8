"""The venue kiosk: enrolled devices only. It calls portal's services, never the reverse."""

from flask import Blueprint

bp = Blueprint("kiosk", __name__)

from kiosk import routes  # noqa: E402,F401
from kiosk import helpdesk  # noqa: E402,F401
from kiosk import live  # noqa: E402,F401
from kiosk import offline  # noqa: E402,F401
