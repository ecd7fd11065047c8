"""Lodging on the guest's side: asking for a room, sharing it, following the hotel's answer."""

from flask import Blueprint

bp = Blueprint("lodging", __name__)

from portal.lodging import privacy, routes, welcome  # noqa: E402,F401  (they register at import)
