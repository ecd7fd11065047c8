"""Both languages are complete, and every page speaks the reader's language."""

import re
from pathlib import Path

import pytest
from babel.messages.frontend import CommandLineInterface
from babel.messages.pofile import read_po

from tests.factories import csrf_token

ROOT = Path(__file__).resolve().parent.parent
PLACEHOLDER = re.compile(r"%\(\w+\)[sd]")


@pytest.fixture(scope="module")
def source_messages(tmp_path_factory):
    """The messages in the code and templates today, as `make translations` extracts them."""
    pot = tmp_path_factory.mktemp("pot") / "messages.pot"
    CommandLineInterface().run([
        "pybabel", "-q", "extract", "-F", str(ROOT / "translations" / "babel.cfg"),
        "-k", "_l", "-o", str(pot), str(ROOT),
    ])
    with pot.open("rb") as handle:
        # One English word may stand for two things (pgettext): each context is its own message.
        return {(message.context, message.id) for message in read_po(handle) if message.id}


@pytest.mark.parametrize("language", ["zh_Hans", "en"])
def test_catalog_translates_every_message_in_the_source(source_messages, language):
    with (ROOT / "translations" / language / "LC_MESSAGES" / "messages.po").open("rb") as handle:
        catalog = read_po(handle)
    translated = {(m.context, m.id): m.string for m in catalog if m.id and m.string and not m.fuzzy}
    missing = sorted(str(i) for i in source_messages if i not in translated)
    assert missing == [], f"{len(missing)} messages lack a {language} translation"


@pytest.mark.parametrize("language", ["zh_Hans", "en"])
def test_translations_keep_every_placeholder(language):
    with (ROOT / "translations" / language / "LC_MESSAGES" / "messages.po").open("rb") as handle:
        catalog = read_po(handle)
    for message in catalog:
        if message.id and message.string and isinstance(message.id, str):
            assert sorted(PLACEHOLDER.findall(message.string)) == sorted(PLACEHOLDER.findall(message.id)), message.id


def test_browser_language_picks_the_page_language(client):
    chinese = client.get("/login", headers={"Accept-Language": "zh-CN,zh;q=0.9"}).get_data(as_text=True)
    english = client.get("/login", headers={"Accept-Language": "en-GB"}).get_data(as_text=True)
    assert '<html lang="zh-Hans">' in chinese and "登录" in chinese
    assert '<html lang="en">' in english and "Sign in" in english


def test_language_switch_is_remembered(client):
    token = csrf_token(client, "/login")
    response = client.post("/language", data={"csrf_token": token, "lang": "zh_Hans", "next": "/login"})
    assert response.status_code == 303 and response.headers["Location"] == "/login"
    assert '<html lang="zh-Hans">' in client.get("/login", headers={"Accept-Language": "en"}).get_data(as_text=True)


def test_language_switch_ignores_a_foreign_next(client):
    token = csrf_token(client, "/login")
    response = client.post("/language", data={"csrf_token": token, "lang": "en", "next": "https://evil.example/"})
    assert response.headers["Location"] == "/"


@pytest.mark.parametrize("first", ["zh-CN", "en"])
def test_each_language_from_templates_in_a_bytecode_cache(make_app, tmp_path, first):
    """Jinja's FileSystemBytecodeCache, shared by workers and restarts, keeps no one language's words."""
    from jinja2 import FileSystemBytecodeCache

    second = "en" if first == "zh-CN" else "zh-CN"
    cache = tmp_path / "bytecode"
    cache.mkdir()
    pages = []
    for _worker in range(2):  # a second worker starts with the first one's bytecode on disk
        app = make_app()
        app.jinja_env.bytecode_cache = FileSystemBytecodeCache(str(cache))
        client = app.test_client()
        for language in (first, second):
            pages.append((language, client.get("/login", headers={"Accept-Language": language}).get_data(as_text=True)))
    assert any(cache.iterdir())
    for language, page in pages:
        if language == "en":
            assert "Skip to content" in page and "跳至正文" not in page
        else:
            assert "跳至正文" in page and "Skip to content" not in page


def test_a_page_rendered_in_another_language_than_the_request(app):
    from flask import render_template
    from flask_babel import force_locale

    with app.test_request_context("/", headers={"Accept-Language": "en"}):
        before = render_template("base.html")
        with force_locale("zh_Hans"):
            chinese = render_template("base.html")
        after = render_template("base.html")
    assert "Skip to content" in before and "Skip to content" in after
    assert "跳至正文" in chinese and "Skip to content" not in chinese
