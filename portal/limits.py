"""Rate limits keyed on what is attacked, each with a setting in portal/config.py.

- an address: passwords tried and links mailed to it, whichever page asks (`by_address`);
- a network address, generously, since a whole venue may share one behind its Wi-Fi (`by_ip`);
- a guest: help requests and roommate invitations, each of which sends mail (`by_guest`);
- a kiosk: its lookups (kiosk/visit.py keys them on the device).

Counts live in RATELIMIT_STORAGE_URI. In memory each worker process counts alone, so a
server with several workers (gunicorn, as the README runs it) must use Redis;
`warn_if_counts_are_not_shared` says so at start-up.
"""

import hashlib
import os

from flask import Flask, current_app, request
from flask_login import current_user

from portal.extensions import limiter


def _setting(name: str):
    return lambda: current_app.config[name]


def posted_address() -> str:
    """The e-mail address a sign-in form posted, as accounts store it."""
    return (request.form.get("email") or "").strip().lower()[:254]


def _address_key() -> str:
    # Hashed: the limiter's store need not hold anyone's address.
    return "address:" + hashlib.sha256(posted_address().encode("utf-8")).hexdigest()


def _guest_key() -> str:
    # The account and the event in the URL: one guest's registration.
    return f"guest:{current_user.id}:{request.view_args.get('slug', '')}"


by_address = limiter.shared_limit(
    _setting("SIGN_IN_ADDRESS_RATE_LIMIT"), scope="sign-in-address", key_func=_address_key,
    methods=["POST"], exempt_when=lambda: not posted_address())

by_ip = limiter.shared_limit(_setting("SIGN_IN_IP_RATE_LIMIT"), scope="sign-in-ip", methods=["POST"])


def by_guest(setting: str, scope: str, when=lambda: True):
    """A limit on one signed-in person's POSTs to a view, per event when the URL names one.

    `when` picks which POSTs count.
    """
    return limiter.shared_limit(
        _setting(setting), scope=scope, key_func=_guest_key, methods=["POST"],
        exempt_when=lambda: not current_user.is_authenticated or not when())


def warn_if_counts_are_not_shared(app: Flask) -> None:
    """Log loudly when several worker processes would each keep their own counts in memory."""
    if not app.config.get("RATELIMIT_ENABLED", True):
        return
    if not str(app.config.get("RATELIMIT_STORAGE_URI", "memory://")).startswith("memory://"):
        return
    served_by = os.environ.get("SERVER_SOFTWARE", "")
    workers = os.environ.get("WEB_CONCURRENCY", "")
    if served_by.startswith("gunicorn") or (workers.isdigit() and int(workers) > 1):
        app.logger.warning(
            "RATE LIMITS ARE NOT SHARED: RATELIMIT_STORAGE_URI is memory://, so each worker process "
            "counts sign-in attempts on its own and an attacker gets the limit once per worker. "
            "Set RATELIMIT_STORAGE_URI=redis://host:6379/0 (see README, 'Running it for real')."
        )
