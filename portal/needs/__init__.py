"""The guest's dietary, accessibility and medical needs, under /e/<slug>/me/needs."""

from flask import Blueprint

bp = Blueprint("needs", __name__)

from portal.needs import routes  # noqa: E402,F401
