"""Crawl the demo as every role in both languages and write each page, normalised, to a folder.

`python -m bench.crawl OUTDIR` builds the app on a fresh SQLite file, migrates it, runs
`flask seed-demo`, then signs in as each role the demo has (anonymous visitor, admin,
organizer, coordinator, help desk, two guests through a sign-in link, a paired kiosk) and,
for zh_Hans and en, follows every same-site GET link (href and hx-get) it finds, up to
PAGES_PER_CRAWL pages and SAME_SHAPE pages of one URL shape (/x/12 and /x/13 are one shape).
Each page lands in OUTDIR/ROLE/LANG/<path>.html (JSON with sorted keys, a workbook as its
cells); OUTDIR/index.tsv lists what was read.

Two crawls of two commits compare with `python -m bench.crawl --compare A B`: the same
time (frozen), the same random draws (secrets seeded here only) and the same database
before each role's crawl make any difference between them a difference of the code.
`--bytecode-cache OUTDIR` crawls with Jinja's FileSystemBytecodeCache on, as production may.
Needs time-machine, in the test extras (`make install-test`).
"""

import base64
import difflib
import hashlib
import io
import json
import random
import re
import secrets
import shutil
import sys
import tempfile
from collections import Counter, deque
from datetime import datetime, timedelta, timezone
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import urlsplit

import openpyxl
import time_machine
from flask_migrate import upgrade
from jinja2 import FileSystemBytecodeCache
from sqlalchemy import select

from portal import create_app
from portal.auth.tokens import new_token, token_hash
from portal.checkin import devices
from portal.database import utcnow
from portal.extensions import db
from portal.models import Event, Registration, SignInLink, TransportLeg, User

LANGUAGES = ("zh_Hans", "en")
ACCEPT = {"zh_Hans": "zh-CN,zh;q=0.9", "en": "en"}
PAGES_PER_CRAWL = 250
SAME_SHAPE = 3
PASSWORD = "crawl-demo-password"
# 11:00 in Shanghai on the demo's first day (it starts "today"): sessions held and to come.
NOW = datetime(2026, 12, 7, 3, 0, tzinfo=timezone.utc)
# Links a crawl does not follow: they sign out, end a kiosk visit or depend on the clock.
SKIP = re.compile(r"^/(logout|static/|kiosk/(reset|refresh|sw\.js|offline/manifest))")
# Pages that end a kiosk visit: read last, after the visit's own pages.
LAST = re.compile(r"^/kiosk/(\?.*)?$")

# -- The same random draws in every run ------------------------------------------------------------

_rng = random.Random(0)


def _seeded_secrets() -> None:
    """Tokens and codes from a seeded generator, so two runs write the same data and links."""
    secrets.token_bytes = lambda n=32: _rng.randbytes(n)
    secrets.token_hex = lambda n=32: _rng.randbytes(n).hex()
    secrets.token_urlsafe = lambda n=32: base64.urlsafe_b64encode(_rng.randbytes(n)).rstrip(b"=").decode()
    secrets.choice = _rng.choice
    secrets.randbelow = _rng.randrange


# -- Normalising a page ----------------------------------------------------------------------------

CSRF = re.compile(r"[A-Za-z0-9_-]{20,}\.[A-Za-z0-9_-]{4,}\.[A-Za-z0-9_-]{20,}")
NONCE_ATTR = re.compile(r'\bnonce="[^"]*"')
ASSET_VERSION = re.compile(r"(\.(?:css|js|svg|png|woff2?)\?v=)[0-9A-Za-z_-]+")


def normalise(text: str) -> str:
    """The page with per-request secrets masked and white space folded, a tag a line."""
    text = CSRF.sub("CSRF", text)
    text = NONCE_ATTR.sub('nonce="NONCE"', text)
    text = ASSET_VERSION.sub(r"\1V", text)
    text = re.sub(r"\s+", " ", text)
    text = re.sub(r">\s*<", ">\n<", text)
    return text.strip() + "\n"


XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def cells(body: bytes) -> str:
    """A workbook's sheets as tab-separated values: what a reader sees, not the zip's bytes."""
    workbook = openpyxl.load_workbook(io.BytesIO(body), read_only=True)
    lines = []
    for sheet in workbook.worksheets:
        lines.append(f"# {sheet.title}")
        lines += ["\t".join("" if value is None else str(value) for value in row)
                  for row in sheet.iter_rows(values_only=True)]
    return "\n".join(lines) + "\n"


class _Links(HTMLParser):
    def __init__(self):
        super().__init__()
        self.links: list[str] = []

    def handle_starttag(self, tag, attrs):
        for name, value in attrs:
            if name in ("href", "hx-get") and value:
                self.links.append(value)


def links_in(text: str) -> list[str]:
    parser = _Links()
    parser.feed(text)
    return parser.links


def same_site(link: str) -> str | None:
    """The path and query of a link on this site worth a GET, else None."""
    parts = urlsplit(link)
    if parts.scheme not in ("", "http") or parts.netloc not in ("", "localhost"):
        return None
    if not parts.path.startswith("/") or SKIP.match(parts.path):
        return None
    return parts.path + (f"?{parts.query}" if parts.query else "")


def shape(url: str) -> str:
    parts = urlsplit(url)
    keys = sorted(pair.split("=", 1)[0] for pair in parts.query.split("&") if pair)
    return re.sub(r"\d+", "N", parts.path) + "?" + "&".join(keys)


def file_for(url: str) -> str:
    parts = urlsplit(url)
    path = parts.path.strip("/") or "index"
    if parts.query:
        path += "__" + re.sub(r"[^A-Za-z0-9=_.-]", "_", parts.query)[:80]
    return path + ".html"


# -- Building the demo -----------------------------------------------------------------------------

def build(folder: Path):
    """The app on a fresh SQLite file holding the demo, its staff passwords set; and the file."""
    database = folder / "demo.sqlite"
    app = create_app({
        "SECRET_KEY": "crawl-secret-key-long-enough-for-the-check",
        "SQLALCHEMY_DATABASE_URI": f"sqlite:///{database}",
        "BASE_URL": "http://localhost",
        "RATELIMIT_ENABLED": False,
        "MAIL_SEND_INLINE": False,
        "MAIL_SUPPRESS_SEND": True,
    })
    with app.app_context():
        upgrade(revision="heads")
    # Seeded here, after every import: a module that draws a token as it loads shifts nothing.
    _rng.seed(2027)
    result = app.test_cli_runner().invoke(args=["seed-demo"])
    if result.exit_code:
        raise SystemExit(f"seed-demo failed: {result.output}")
    with app.app_context():
        for user in db.session.scalars(select(User).where(User.email.like("%@demo.example.org"))):
            user.set_password(PASSWORD)
        db.session.commit()
        db.engine.dispose()
    return app, database


def _reset(app, database: Path, pristine: Path) -> None:
    """The database as seeded, for the next crawl: each role starts from the same data."""
    with app.app_context():
        db.session.remove()
        db.engine.dispose()
    for suffix in ("-wal", "-shm"):
        Path(f"{database}{suffix}").unlink(missing_ok=True)
    shutil.copyfile(pristine, database)


# -- Signing in as each role -----------------------------------------------------------------------

def _csrf(client, url: str) -> str:
    page = client.get(url).get_data(as_text=True)
    found = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page)
    return found.group(1) if found else ""


def _staff(email: str):
    def sign_in(app, client) -> list[str]:
        response = client.post("/login", data={"csrf_token": _csrf(client, "/login"), "email": email,
                                               "password": PASSWORD})
        assert response.status_code == 303, f"{email} could not sign in ({response.status_code})"
        return [response.headers["Location"], "/"]
    return sign_in


def _guest(state: str):
    """A guest of the demo in `state`, signed in through a sign-in link as a mailed one would be."""
    def sign_in(app, client) -> list[str]:
        with app.app_context():
            guest = db.session.scalars(
                select(Registration).where(Registration.state == state).order_by(Registration.id)).first()
            token = new_token()
            db.session.add(SignInLink(user_id=guest.user_id, email=guest.email, token_hash=token_hash(token),
                                      next_url="", expires_at=utcnow() + timedelta(hours=1)))
            db.session.commit()
        link = f"/login/link/{token}"
        response = client.post(link, data={"csrf_token": _csrf(client, link)})
        assert response.status_code == 303, f"the {state} guest could not sign in ({response.status_code})"
        return [response.headers["Location"], "/e/demo/"]
    return sign_in


def _kiosk(app, client) -> list[str]:
    """A kiosk paired with a fresh code, which then checks in the guest the demo suggests."""
    with app.app_context():
        event = db.session.scalar(select(Event).where(Event.slug == "demo"))
        organizer = db.session.scalar(select(User).where(User.email == "organizer@demo.example.org"))
        _device, code = devices.create_device(event, "Crawl kiosk", "Crawl", organizer)
        guest = db.session.scalar(
            select(Registration).join(TransportLeg, TransportLeg.registration_id == Registration.id)
            .where(Registration.event_id == event.id, Registration.state == "confirmed",
                   TransportLeg.vehicle_id.is_not(None), TransportLeg.scheduled_at > utcnow())
            .order_by(TransportLeg.scheduled_at, Registration.id).limit(1))
        # An older demo has no shuttles: its first confirmed guest, then.
        guest = guest or db.session.scalars(
            select(Registration).where(Registration.state == "confirmed").order_by(Registration.id)).first()
        ticket = guest.ticket_code
    response = client.post("/kiosk/pair", data={"csrf_token": _csrf(client, "/kiosk/pair"), "code": code})
    assert response.status_code == 303, f"the kiosk could not pair ({response.status_code})"
    start = client.get("/kiosk/").get_data(as_text=True)
    nonce = re.search(r'name="nonce"[^>]*value="([^"]+)"', start).group(1)
    token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', start).group(1)
    response = client.post("/kiosk/", data={"csrf_token": token, "nonce": nonce, "ticket": ticket})
    return [response.headers.get("Location", "/kiosk/"), "/kiosk/"]


def _anonymous(app, client) -> list[str]:
    return ["/", "/e/demo/", "/login", "/kiosk/pair"]


ROLES = {
    "anonymous": _anonymous,
    "admin": _staff("admin@demo.example.org"),
    "organizer": _staff("organizer@demo.example.org"),
    "coordinator": _staff("coordinator@demo.example.org"),
    "helpdesk": _staff("helpdesk@demo.example.org"),
    "guest": _guest("confirmed"),
    "guest-waitlisted": _guest("waitlisted"),
    "kiosk": _kiosk,
}


# -- Crawling --------------------------------------------------------------------------------------

def crawl(app, role: str, language: str, out: Path) -> list[tuple[str, int, str]]:
    """Read every page `role` reaches in `language`; write each, normalised; the pages read."""
    client = app.test_client()
    client.environ_base["HTTP_ACCEPT_LANGUAGE"] = ACCEPT[language]
    with client.session_transaction() as session:
        session["lang"] = language
    queue = deque(same_site(url) for url in ROLES[role](app, client))
    with client.session_transaction() as session:
        session["lang"] = language
    seen, shapes, last, read = set(), Counter(), [], []
    while (queue or last) and len(read) < PAGES_PER_CRAWL:
        url = queue.popleft() if queue else last.pop(0)
        if url is None or url in seen:
            continue
        if LAST.match(url) and queue:
            if url not in last:
                last.append(url)
            continue
        seen.add(url)
        if shapes[shape(url)] >= SAME_SHAPE:
            continue
        shapes[shape(url)] += 1
        response = client.get(url)
        kind = response.mimetype
        body = response.get_data()
        target = out / role / language / file_for(url)
        target.parent.mkdir(parents=True, exist_ok=True)
        head = f"<!-- {response.status_code} {kind} {response.headers.get('Cache-Control', '')} -->\n"
        if kind == "application/json":
            target.write_text(head + json.dumps(json.loads(body), ensure_ascii=False, indent=1, sort_keys=True))
        elif kind.startswith("text/") or kind == "application/javascript":
            text = body.decode("utf-8", "replace")
            target.write_text(head + normalise(text))
            if kind == "text/html":
                queue.extend(same_site(link) for link in links_in(text))
        elif kind == XLSX:
            target.write_text(head + cells(body))
        else:
            target.write_text(head + f"{len(body)} bytes, sha256 {hashlib.sha256(body).hexdigest()}\n")
        if response.status_code in (301, 302, 303, 307, 308):
            queue.append(same_site(response.headers["Location"]))
        read.append((url, response.status_code, kind))
    return read


def run(out: Path, bytecode_cache: bool = False) -> None:
    _seeded_secrets()
    out.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as folder, time_machine.travel(NOW, tick=False):
        app, database = build(Path(folder))
        if bytecode_cache:
            # A common production setting: compiled templates kept on disk, keyed by name and source.
            (Path(folder) / "jinja").mkdir()
            app.jinja_env.bytecode_cache = FileSystemBytecodeCache(str(Path(folder) / "jinja"))
        pristine = Path(folder) / "pristine.sqlite"
        shutil.copyfile(database, pristine)
        rows = []
        for role in ROLES:
            for language in LANGUAGES:
                _reset(app, database, pristine)
                _rng.seed(f"{role} {language}")
                read = crawl(app, role, language, out)
                rows += [(role, language, *page) for page in read]
                bad = sum(1 for _url, status, _kind in read if status >= 500)
                print(f"{role:<17} {language:<8} {len(read):>4} pages" + (f", {bad} errors" if bad else ""))
        (out / "index.tsv").write_text("".join("\t".join(map(str, row)) + "\n" for row in rows))


def compare(before: Path, after: Path) -> int:
    """Print the pages only one crawl read and a diff of each page that differs; how many differ."""
    names = {p.relative_to(before) for p in before.rglob("*.html")}
    others = {p.relative_to(after) for p in after.rglob("*.html")}
    differ = 0
    for name in sorted(names - others):
        print(f"only before: {name}")
    for name in sorted(others - names):
        print(f"only after: {name}")
    for name in sorted(names & others):
        a, b = (before / name).read_text().splitlines(), (after / name).read_text().splitlines()
        if a != b:
            differ += 1
            print(f"=== {name}")
            sys.stdout.writelines(line + "\n" for line in difflib.unified_diff(a, b, n=1, lineterm="")
                                  if not line.startswith(("---", "+++")))
    print(f"{len(names & others)} pages in both, {differ} differ, "
          f"{len(names - others)} only before, {len(others - names)} only after")
    return differ


def main(argv: list[str]) -> None:
    if len(argv) == 3 and argv[0] == "--compare":
        compare(Path(argv[1]), Path(argv[2]))
    elif len(argv) == 1:
        run(Path(argv[0]))
    elif len(argv) == 2 and argv[0] == "--bytecode-cache":
        run(Path(argv[1]), bytecode_cache=True)
    else:
        raise SystemExit(__doc__)


if __name__ == "__main__":
    main(sys.argv[1:])
