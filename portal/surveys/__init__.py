"""Feedback on the guest's side: the post-event survey and ratings of the sessions a guest held."""

from flask import Blueprint

bp = Blueprint("surveys", __name__)

from portal.surveys import routes  # noqa: E402,F401
