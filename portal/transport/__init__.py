"""Transport on the guest's side: arrival and departure, and the pickup arranged for them."""

from flask import Blueprint

bp = Blueprint("transport", __name__)

from portal.transport import privacy, routes, welcome  # noqa: E402,F401  (they register at import)
