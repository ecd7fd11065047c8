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
        return {message.id for message in read_po(handle) if message.id}


@pytest.mark.parametrize("language", ["zh_Hans", "en"])
def test_catalog_translates_every_message_in_the_source(source_messages, language):
    with (ROOT / "translations" / language / "LC_MESSAGES" / "messages.po").open("rb") as handle:
        catalog = read_po(handle)
    translated = {m.id: m.string for m in catalog if m.id and m.string and not m.fuzzy}
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


# Templates compiled per language (portal.i18n.TranslatedTemplates) must say exactly what
# Jinja's own gettext says as the page renders: the translation is markup, the values are escaped.
FIXED_STRINGS = (
    '{{ _("Skip to content") }}|{{ _("Welcome, %(name)s", name=name) }}|'
    '{{ _("response rate %(rate)s %%", rate=rate) }}|{{ gettext("Welcome, %(name)s", name="Ann") }}|'
    '{{ _("all %%") }}'
)


@pytest.mark.parametrize("language", ["zh_Hans", "en"])
@pytest.mark.parametrize("name", ["page.html", "mail.txt"])
def test_compiled_translations_render_as_gettext_does(app, language, name):
    from flask_babel import force_locale, get_translations
    from jinja2 import DictLoader, Environment

    from portal.i18n import TranslatedTemplates

    def made(kind):
        environment = kind(loader=DictLoader({name: FIXED_STRINGS}), extensions=["jinja2.ext.i18n"],
                           autoescape=lambda template: template.endswith(".html"))
        environment.install_gettext_callables(gettext=lambda string: get_translations().ugettext(string),
                                              ngettext=None, newstyle=True)
        return environment

    values = {"name": "<b>Ann & Bo</b>", "rate": 87}
    with app.test_request_context("/"), force_locale(language):
        compiled = made(lambda **options: TranslatedTemplates(app, **options)).get_template(name).render(values)
        as_it_renders = made(Environment).get_template(name).render(values)
    assert compiled == as_it_renders
    if language == "zh_Hans":
        assert compiled.startswith("跳至正文|欢迎您，")
    escaped = name.endswith(".html")
    assert ("&lt;b&gt;Ann &amp; Bo&lt;/b&gt;" in compiled) is escaped
    assert "87" in compiled and compiled.endswith("|all %")


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


@pytest.mark.parametrize("language", ["zh_Hans", "en"])
def test_the_codes_gettext_says_what_flask_babels_says(app, language):
    import flask_babel

    from portal import i18n

    cases = [("Skip to content", {}), ("Welcome, %(name)s", {"name": "<Ann>"}), ("not in any catalog", {})]
    with app.test_request_context("/"), flask_babel.force_locale(language):
        for message, values in cases:
            assert i18n.gettext(message, **values) == flask_babel.gettext(message, **values)
            assert str(i18n.lazy_gettext(message, **values)) == str(flask_babel.lazy_gettext(message, **values))
        if language == "zh_Hans":
            assert i18n.gettext("Skip to content") == "跳至正文"
    assert i18n.gettext("Skip to content") == "Skip to content"  # no app: the message as written
