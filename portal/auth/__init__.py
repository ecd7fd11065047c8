"""Signing in and out: e-mailed links for everyone, passwords for staff."""

from flask import Blueprint

bp = Blueprint("auth", __name__)

from portal.auth import routes  # noqa: E402,F401
