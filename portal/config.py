"""Configuration defaults; instance/config.py and the environment override them."""

import os

# Settings read from the environment when present, with the type they take.
ENVIRONMENT_SETTINGS = {
    "SECRET_KEY": str,
    "DATABASE_URL": str,
    "BASE_URL": str,
    "PREFERRED_URL_SCHEME": str,
    "MAIL_SERVER": str,
    "MAIL_PORT": int,
    "MAIL_USE_TLS": bool,
    "MAIL_USE_SSL": bool,
    "MAIL_USERNAME": str,
    "MAIL_PASSWORD": str,
    "MAIL_DEFAULT_SENDER": str,
    "MAIL_SEND_INLINE": bool,
    "COMPRESS_RESPONSES": bool,
    "MAIL_SEND_INLINE_MAX": int,
    "RATELIMIT_STORAGE_URI": str,
    "RATELIMIT_KEY_PREFIX": str,  # when several deployments share one Redis
    "SIGN_IN_ADDRESS_RATE_LIMIT": str,
    "SIGN_IN_IP_RATE_LIMIT": str,
    "HELP_REQUEST_RATE_LIMIT": str,
    "ROOMMATE_RATE_LIMIT": str,
    "STAFF_IDLE_MINUTES": int,
    "STAFF_INVITATION_HOURS": int,
    "SESSION_COOKIE_SECURE": bool,
    "PROXY_COUNT": int,
    "KIOSK_IDLE_SECONDS": int,
    "EVENT_IMAGES_FOLDER": str,
    "KIOSK_COUNTDOWN_SECONDS": int,
    "KIOSK_OFFLINE_REFRESH_SECONDS": int,
    "KIOSK_UNREACHABLE_SECONDS": int,
    "EARLIEST_YEAR": int,
    "LATEST_YEAR": int,
    "EVENT_DATE_MARGIN_DAYS": int,
}

DEV_SECRET_KEY = "dev-only-not-secret"


class Defaults:
    SECRET_KEY = DEV_SECRET_KEY
    SQLALCHEMY_DATABASE_URI = None  # set in create_app from DATABASE_URL or instance/
    SQLALCHEMY_ENGINE_OPTIONS: dict = {"pool_pre_ping": True}

    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    SESSION_COOKIE_SECURE = False  # turned on when BASE_URL is https://
    PROXY_COUNT = 0  # trusted reverse proxies in front of the app
    REMEMBER_COOKIE_HTTPONLY = True
    REMEMBER_COOKIE_SAMESITE = "Lax"
    # A session ends on the server 14 days after sign-in at the latest (portal/auth/sessions.py),
    # and a staff member's after STAFF_IDLE_MINUTES without a request.
    PERMANENT_SESSION_LIFETIME = 60 * 60 * 24 * 14
    STAFF_IDLE_MINUTES = 4 * 60
    # Flask-Login's "basic" protection only marks a session not fresh, which nothing here reads
    # (sessions end on the server instead); doing so rewrote a visitor's cookie on their first
    # read, and a read racing a write (a kiosk fetching its offline screens as a guest scanned)
    # put back the cookie of before the write.
    SESSION_PROTECTION = None

    # The token is tied to the session, so a form left open all afternoon still posts.
    WTF_CSRF_TIME_LIMIT = None
    WTF_CSRF_SSL_STRICT = True

    BABEL_DEFAULT_LOCALE = "en"
    BABEL_DEFAULT_TIMEZONE = "UTC"
    LANGUAGES = ("zh_Hans", "en")

    MAIL_SERVER = "127.0.0.1"
    MAIL_PORT = 25
    MAIL_DEFAULT_SENDER = "Concierge <concierge@localhost>"
    MAIL_TIMEOUT = 10
    # Send mail from the web process right after the response; a `flask send-mail`
    # worker picks up whatever this misses.
    MAIL_SEND_INLINE = True
    # At most this many mails are sent by the request that wrote them (a big import writes
    # thousands); the rest wait for `flask send-mail`.
    MAIL_SEND_INLINE_MAX = 50
    MAIL_MAX_BACKOFF = 60 * 30

    # Limits count what is attacked: an address, a guest, a kiosk. Set RATELIMIT_STORAGE_URI to
    # redis://... when more than one worker serves, or each counts on its own (see README).
    RATELIMIT_STORAGE_URI = "memory://"
    # Passwords and e-mailed links, per address, whichever page asks.
    SIGN_IN_ADDRESS_RATE_LIMIT = "5 per minute; 20 per hour"
    # Every sign-in attempt from one network address: a whole venue may share one behind its Wi-Fi.
    SIGN_IN_IP_RATE_LIMIT = "120 per minute; 2000 per hour"
    # Each raises a ticket and mails the help desk.
    HELP_REQUEST_RATE_LIMIT = "5 per minute; 30 per hour"
    # Each mails the guest named as roommate.
    ROOMMATE_RATE_LIMIT = "5 per minute; 20 per day"

    # Where links in mail point when a mail is rendered outside a request (CLI, worker).
    BASE_URL = "http://127.0.0.1:5000"

    # The app compresses its static files (portal/static_files.py); set COMPRESS_RESPONSES=0 when a
    # proxy in front of it already does. gzip and Brotli only: every browser reads them. Pages are
    # not compressed: they carry a CSRF token beside what the reader typed, which is what BREACH reads.
    COMPRESS_RESPONSES = True
    COMPRESS_ALGORITHM = ["br", "gzip"]
    COMPRESS_MIMETYPES = ["text/css", "text/javascript", "application/javascript", "image/svg+xml",
                          "application/manifest+json"]

    # Larger uploads get the 413 page before anything reads them.
    MAX_CONTENT_LENGTH = 4 * 1024 * 1024
    # Events' logos, covers and maps (portal/look.py); None: instance/event-images.
    EVENT_IMAGES_FOLDER = None

    SIGN_IN_LINK_MINUTES = 30
    # A staff invitation's set-password link: a new colleague may read it the next day.
    STAFF_INVITATION_HOURS = 72
    INVITATION_DAYS = 60
    GUESTS_PER_PAGE = 50
    # An import writes this many invitation mails itself; the sender writes the rest, as many at a time.
    INVITATION_MAILS_PER_BATCH = 500

    # Dates a form accepts (portal/forms.py): any date within these years, and an
    # event's own things (sessions, journeys, announcements, surveys) within this
    # many days of the event's first and last days.
    EARLIEST_YEAR = 1900
    LATEST_YEAR = 2100
    EVENT_DATE_MARGIN_DAYS = 366

    # The kiosk: after KIOSK_IDLE_SECONDS without input a warning counts down
    # KIOSK_COUNTDOWN_SECONDS (at least 20, WCAG 2.2.1) and the start screen returns.
    # Both the JavaScript timer and the no-script <meta http-equiv="refresh"> use them.
    KIOSK_IDLE_SECONDS = 45
    KIOSK_COUNTDOWN_SECONDS = 20
    # A kiosk allowed to work offline refreshes its manifest this often while the server answers.
    KIOSK_OFFLINE_REFRESH_SECONDS = 180
    # The check-in board calls a kiosk cut off when it has not been heard from for this long
    # (its pages poll every 10 s; its last contact is written at most once a minute).
    KIOSK_UNREACHABLE_SECONDS = 120

    # The day's dashboard (/staff/e/<slug>/today) asks for fresh figures this often.
    TODAY_POLL_SECONDS = 30

    # Pages and kiosks poll the announcements every 10 s; each worker reads them at most this
    # often. 10 + 3 keeps a new emergency within the 15 s it has to reach every screen.
    ANNOUNCEMENT_CACHE_SECONDS = 3


def from_environment(config) -> None:
    """Copy the known settings found in os.environ into config."""
    for name, kind in ENVIRONMENT_SETTINGS.items():
        raw = os.environ.get(name)
        if raw is None:
            continue
        if kind is bool:
            config[name] = raw.strip().lower() in {"1", "true", "yes", "on"}
        else:
            config[name] = kind(raw)
