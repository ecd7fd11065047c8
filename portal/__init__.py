"""Concierge: the guest portal, the venue kiosk and the staff console, in one Flask app."""

import os
from pathlib import Path

from flask import Flask
from werkzeug.middleware.proxy_fix import ProxyFix

from kiosk import bp as kiosk_bp
import portal.models  # noqa: F401  (registers every table with the metadata)
from portal import config as settings, errors, static_files, web
from portal.agenda import bp as agenda_bp
from portal.auth import bp as auth_bp
from portal.cli import register_commands
from portal.database import database_uri, engine_options
from portal.events import bp as events_bp
from portal.extensions import babel, csrf, db, htmx, limiter, login_manager, mail, migrate
from portal.guests import bp as guests_bp
from portal.helpdesk import bp as helpdesk_bp
from portal.i18n import compile_catalogs, select_locale
from portal.limits import warn_if_counts_are_not_shared
from portal.lodging import bp as lodging_bp
from portal.needs import bp as needs_bp
from portal.privacy.routes import bp as privacy_bp
from portal.staff import bp as staff_bp
from portal.surveys import bp as surveys_bp
from portal.transport import bp as transport_bp

MIGRATIONS_DIR = Path(__file__).resolve().parent.parent / "migrations"


class InsecureConfiguration(RuntimeError):
    """Raised when the app would run in production with the development secret."""


def create_app(test_config: dict | None = None) -> Flask:
    """Build the app: defaults, then instance/config.py, then the environment."""
    app = Flask(
        __name__,
        instance_relative_config=True,
        template_folder="../templates",
        static_folder="../static",
    )
    app.config.from_object(settings.Defaults)
    if test_config is None:
        app.config.from_pyfile("config.py", silent=True)
        settings.from_environment(app.config)
    else:
        app.config.from_mapping(test_config)
    os.makedirs(app.instance_path, exist_ok=True)

    _refuse_insecure_secret(app)
    _secure_cookies_under_https(app)
    uri = app.config.get("SQLALCHEMY_DATABASE_URI") or database_uri(
        app.config.get("DATABASE_URL"), app.instance_path
    )
    app.config["SQLALCHEMY_DATABASE_URI"] = uri
    app.config["SQLALCHEMY_ENGINE_OPTIONS"] = engine_options(uri)
    app.config.setdefault("BABEL_TRANSLATION_DIRECTORIES", str(MIGRATIONS_DIR.parent / "translations"))

    _init_extensions(app)
    web.register_converters(app)
    _register_blueprints(app)
    _register_hooks(app)

    register_commands(app)
    return app


def _refuse_insecure_secret(app: Flask) -> None:
    if app.debug or app.testing:
        return
    secret = app.config.get("SECRET_KEY") or ""
    if secret == settings.DEV_SECRET_KEY or len(secret) < 24:
        raise InsecureConfiguration(
            "Set SECRET_KEY (24 characters or more) in the environment or instance/config.py; "
            "the development key is refused outside debug mode."
        )


def _secure_cookies_under_https(app: Flask) -> None:
    """Served over HTTPS (BASE_URL says so): cookies are never sent in clear.

    Behind a load balancer, PROXY_COUNT trusted proxies' X-Forwarded-* headers
    tell Flask the original scheme and client address.
    """
    if app.config["BASE_URL"].startswith("https://"):
        app.config["SESSION_COOKIE_SECURE"] = True
        app.config["REMEMBER_COOKIE_SECURE"] = True
        app.config["PREFERRED_URL_SCHEME"] = "https"
    proxies = int(app.config.get("PROXY_COUNT") or 0)
    if proxies:
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=proxies, x_proto=proxies, x_host=proxies)


def _init_extensions(app: Flask) -> None:
    db.init_app(app)
    migrate.init_app(app, db, directory=str(MIGRATIONS_DIR), render_as_batch=True)
    login_manager.init_app(app)
    mail.init_app(app)
    csrf.init_app(app)
    compile_catalogs()
    babel.init_app(app, locale_selector=select_locale)
    limiter.init_app(app)
    warn_if_counts_are_not_shared(app)
    htmx.init_app(app)
    static_files.init_app(app)


def _register_blueprints(app: Flask) -> None:
    app.register_blueprint(events_bp)
    app.register_blueprint(auth_bp)
    app.register_blueprint(guests_bp)
    app.register_blueprint(agenda_bp)
    app.register_blueprint(lodging_bp)
    app.register_blueprint(transport_bp)
    app.register_blueprint(needs_bp)
    app.register_blueprint(privacy_bp)
    app.register_blueprint(helpdesk_bp)
    app.register_blueprint(surveys_bp)
    app.register_blueprint(staff_bp, url_prefix="/staff")
    app.register_blueprint(kiosk_bp, url_prefix="/kiosk")


def _register_hooks(app: Flask) -> None:
    errors.register(app)
    web.register(app)
