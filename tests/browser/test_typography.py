"""What a reader sees of the typography work in a real browser: Chinese set solid, fonts, cached files."""

import pytest

pytestmark = pytest.mark.browser

LETTER_SPACING = "el => getComputedStyle(el).letterSpacing"


def test_chinese_is_set_solid_and_english_keeps_its_spaced_capitals(live_server, open_page, event):
    english = open_page()
    english.goto(live_server("/e/summit/agenda"))
    assert english.locator(".eyebrow").first.evaluate(LETTER_SPACING) != "normal"

    chinese = open_page(locale="zh-CN")
    chinese.goto(live_server("/e/summit/agenda"))
    assert chinese.locator("html").get_attribute("lang") == "zh-Hans"
    assert chinese.locator(".eyebrow").first.evaluate(LETTER_SPACING) == "normal"
    family = chinese.locator("body").evaluate("el => getComputedStyle(el).fontFamily")
    for face in ("PingFang SC", "Microsoft YaHei", "Noto Sans CJK SC"):
        assert face in family
    assert not chinese.problems


def test_a_second_page_takes_the_static_files_from_the_browsers_cache(live_server, open_page, event):
    page = open_page()
    page.goto(live_server("/e/summit/"))
    urls = page.evaluate("""() => [...document.querySelectorAll("link[rel=stylesheet], script[src]")]
        .map(e => e.href || e.src).filter(u => u.includes("/static/"))""")
    assert urls and all("?v=" in url for url in urls)
    for url in urls:
        assert "immutable" in page.request.get(url).headers["cache-control"], url
    page.goto(live_server("/e/summit/agenda"), wait_until="load")
    # The style sheet and scripts come from the browser's cache: nothing crosses the network
    # (Chromium asks for the favicon again whatever its headers say).
    transferred = page.evaluate("""() => performance.getEntriesByType("resource")
        .filter(e => e.name.includes("/static/") && !e.name.includes("favicon"))
        .map(e => [e.name, e.transferSize])""")
    assert transferred and all(size == 0 for _name, size in transferred), transferred
