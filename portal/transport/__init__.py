"""Transport on the guest's side: arrival and departure, and the pickup arranged for them."""

from flask import Blueprint

bp = Blueprint("transport", __name__)

from portal.transport import routes, welcome  # noqa: E402,F401  (welcome registers its kiosk card at import)
