"""Security headers on every route, and a clean static analysis."""

import subprocess
import sys
from pathlib import Path

import pytest

from tests.test_access import _example_url

ROOT = Path(__file__).resolve().parent.parent


def _assert_hardened(response, where):
    headers = response.headers
    policy = headers.get("Content-Security-Policy", "")
    directives = dict(part.strip().split(" ", 1) for part in policy.split(";") if part.strip())
    assert "'unsafe-inline'" not in directives.get("script-src", "'unsafe-inline'"), where
    assert "'unsafe-eval'" not in policy, where
    assert directives.get("frame-ancestors") in ("'none'", "'self'"), where
    assert directives.get("default-src") == "'self'", where
    assert headers.get("X-Content-Type-Options") == "nosniff", where
    assert headers.get("Referrer-Policy") in ("same-origin", "no-referrer", "strict-origin-when-cross-origin"), where
    assert "HX-Request" in headers.get("Vary", ""), where


def test_every_get_route_answers_with_the_security_headers(app, client, make_event):
    make_event()
    checked = 0
    for rule in app.url_map.iter_rules():
        if "GET" not in rule.methods:
            continue
        url = _example_url(rule) if rule.endpoint != "static" else "/static/css/app.css"
        with client.get(url) as response:
            _assert_hardened(response, rule.rule)
        checked += 1
    assert checked > 30


@pytest.mark.parametrize("url", ["/e/nothing/", "/e/summit/agenda?q=%00", "/login"])
def test_error_answers_are_hardened_too(client, make_event, url):
    make_event()
    _assert_hardened(client.get(url), url)


def test_a_state_change_without_csrf_is_refused_everywhere(app, client, make_event):
    make_event()
    for rule in app.url_map.iter_rules():
        if "POST" not in rule.methods or "/kiosk/" in rule.rule:
            continue
        response = client.post(_example_url(rule), data={})
        # Refused before any view: bad CSRF (400), or the sign-in / access rule first.
        assert response.status_code in (302, 400, 403, 404, 405), rule.rule


def test_bandit_finds_nothing_of_medium_severity_or_worse():
    result = subprocess.run(
        [str(Path(sys.executable).parent / "bandit"), "-q", "-r", "portal", "kiosk", "-ll", "-f", "txt"],
        cwd=ROOT, capture_output=True, text=True, timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_every_page_for_someone_signed_in_or_a_kiosk_is_never_stored(app, make_event, make_staff):
    """Back after signing out, or after the guest leaves a kiosk, must find no copy in the browser."""
    from tests.sessions import sign_in
    from tests.test_access import _rules_of
    from tests.test_agenda import make_guest
    from tests.test_kiosk import new_kiosk, pair

    event = make_event()
    organizer = make_staff("boss@example.org", event, roles=("organizer",))
    guest, staff, kiosk = app.test_client(), app.test_client(), app.test_client()
    sign_in(guest, make_guest(app, event, "amira@example.org").user_id)
    sign_in(staff, organizer.id)
    assert pair(kiosk, new_kiosk(app, event, organizer)[1]).status_code == 303
    checked = 0
    for kind, client in (("guest", guest), ("signed_in", guest), ("anonymous", guest), ("staff", staff),
                         ("kiosk", kiosk)):
        for rule in _rules_of(app, kind):
            if "GET" not in rule.methods:
                continue
            with client.get(_example_url(rule)) as response:
                assert "no-store" in response.headers.get("Cache-Control", ""), (kind, rule.rule, response.status_code)
            checked += 1
    assert checked > 60
    # What the browser may keep: the static files, and public pages for someone not signed in.
    anonymous = app.test_client()
    for client, url in ((anonymous, "/static/css/app.css"), (guest, "/static/css/app.css"), (anonymous, "/e/summit/")):
        with client.get(url) as response:
            assert "no-store" not in response.headers.get("Cache-Control", ""), url
