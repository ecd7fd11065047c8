"""axe-core in the page: a WCAG 2.2 A/AA check that fails with a readable report."""

from axe_playwright_python.sync_playwright import Axe

WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]
_axe = Axe()  # the axe-core bundled with axe-playwright-python


def assert_accessible(page) -> None:
    """Fail when axe-core finds a WCAG 2.0/2.1/2.2 A or AA violation on the page as shown.

    Axe is evaluated through the DevTools protocol, which the page's
    Content-Security-Policy does not govern, so the page is checked under its real CSP.
    """
    results = _axe.run(page, options={
        "runOnly": {"type": "tag", "values": WCAG_TAGS},
        "resultTypes": ["violations"],
    })
    assert results.violations_count == 0, f"{page.url}\n{results.generate_report()}"
