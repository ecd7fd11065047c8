"""The staff console at /staff/."""

from flask import Blueprint

bp = Blueprint("staff", __name__)

from portal.staff import routes  # noqa: E402,F401
from portal.staff import categories  # noqa: E402,F401
from portal.staff import agenda  # noqa: E402,F401
from portal.staff import kiosks  # noqa: E402,F401
from portal.staff import check_in  # noqa: E402,F401
from portal.staff import catering  # noqa: E402,F401
from portal.staff import audit  # noqa: E402,F401
from portal.staff import medical_access  # noqa: E402,F401
from portal.staff import lodging  # noqa: E402,F401
from portal.staff import transport  # noqa: E402,F401
from portal.staff import helpdesk  # noqa: E402,F401
from portal.staff import surveys  # noqa: E402,F401
from portal.staff import report  # noqa: E402,F401
from portal.staff import purge  # noqa: E402,F401
from portal.staff import lifecycle  # noqa: E402,F401
from portal.staff import comms  # noqa: E402,F401
from portal.staff import alerts  # noqa: E402,F401
from portal.staff import today  # noqa: E402,F401
from portal.staff import team  # noqa: E402,F401
from portal.staff import desk  # noqa: E402,F401
from portal.staff import look  # noqa: E402,F401
from portal.staff import mailings  # noqa: E402,F401
