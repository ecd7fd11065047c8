"""Static files: a URL names its content, is kept a year, comes compressed, and loads where it is used."""

import gzip
import hashlib
import re
from pathlib import Path

from portal import static_files

STATIC = Path(__file__).resolve().parent.parent / "static"
ASSET = re.compile(r'(?:href|src)="(/static/[^"?]+)\?v=([0-9a-f]+)"')


def test_page_links_each_static_file_by_the_digest_of_its_content(client, event):
    html = client.get("/e/summit/").get_data(as_text=True)
    linked = dict(ASSET.findall(html))
    assert "/static/css/app.css" in linked and "/static/js/inplace.js" in linked
    for url, digest in linked.items():
        content = (STATIC / url.removeprefix("/static/")).read_bytes()
        assert digest == hashlib.sha256(content).hexdigest()[:12], url
    # No static file goes out without its digest.
    assert not re.search(r'(?:href|src)="/static/[^"?]+"', html)


def test_a_versioned_file_is_cached_a_year_and_an_unversioned_one_is_revalidated(client, event):
    html = client.get("/e/summit/").get_data(as_text=True)
    url, digest = next((u, d) for u, d in ASSET.findall(html) if u.endswith("app.css"))
    with client.get(f"{url}?v={digest}") as versioned:
        assert versioned.status_code == 200
        assert versioned.headers["Cache-Control"] == "public, max-age=31536000, immutable"
        content = versioned.get_data()
    # A page kept open across a deploy still gets the file, but no browser keeps it for long.
    for stale in (url, f"{url}?v=000000000000"):
        with client.get(stale) as response:
            assert response.status_code == 200 and "immutable" not in response.headers.get("Cache-Control", "")
            assert response.get_data() == content


def test_a_changed_file_gets_a_new_url(tmp_path):
    (tmp_path / "css").mkdir()
    sheet = tmp_path / "css" / "app.css"
    sheet.write_text("body { color: black; }")
    before = static_files.digests(tmp_path)
    sheet.write_text("body { color: navy; }")
    after = static_files.digests(tmp_path)
    assert set(before) == set(after) == {"css/app.css"}
    assert before["css/app.css"] != after["css/app.css"]


def test_static_files_are_gzipped_when_the_browser_asks_and_pages_are_not(client, event):
    # A page carries a CSRF token beside what the reader typed: compressed, its size would leak
    # the token to a watcher who can make the browser ask (BREACH). Static files carry no secret.
    page = client.get("/e/summit/", headers={"Accept-Encoding": "gzip"})
    assert "Content-Encoding" not in page.headers
    assert page.get_data(as_text=True).startswith("<!doctype html>")

    html = client.get("/e/summit/").get_data(as_text=True)
    url, digest = next((u, d) for u, d in ASSET.findall(html) if u.endswith("app.css"))
    with client.get(f"{url}?v={digest}", headers={"Accept-Encoding": "gzip"}) as sheet:
        assert sheet.headers["Content-Encoding"] == "gzip"
        assert gzip.decompress(sheet.get_data()) == (STATIC / "css/app.css").read_bytes()

    plain = client.get("/e/summit/")
    assert "Content-Encoding" not in plain.headers and plain.get_data(as_text=True).startswith("<!doctype html>")


def test_a_proxy_that_compresses_can_be_left_to_it(make_app, event):
    app = make_app(COMPRESS_RESPONSES=False)
    page = app.test_client().get("/e/summit/", headers={"Accept-Encoding": "gzip"})
    assert page.status_code == 200 and "Content-Encoding" not in page.headers


def test_guest_pages_load_no_staff_or_kiosk_script(client, event):
    for url in ("/e/summit/", "/e/summit/register", "/e/summit/agenda", "/login"):
        html = client.get(url).get_data(as_text=True)
        scripts = re.findall(r'<script[^>]+src="([^"?]+)', html)
        assert scripts, url
        assert not [s for s in scripts if "helpdesk" in s or "kiosk" in s or "jsQR" in s], (url, scripts)
