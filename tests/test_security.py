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
