"""One place decides whether a request gets the whole page or a fragment of it."""

from flask import render_template, request

# Form errors answer 422; the htmx config in base.html swaps 422 like a 200, and 429 (a rate
# limit, portal/limits.py) too, so the message shows where the answer was expected.
INVALID = 422


def wants_fragment() -> bool:
    """True for an htmx request that replaces part of a page.

    A boosted navigation and a history restore send HX-Request too, yet they
    replace the whole body, so they get the whole page.
    """
    htmx = request.htmx
    return bool(htmx) and not htmx.boosted and not htmx.history_restore_request


def render(page: str, fragment: str | None = None, status: int = 200, **context):
    """Render `page`, or only `fragment` when the request wants a fragment."""
    template = fragment if fragment and wants_fragment() else page
    return render_template(template, **context), status


def add_vary(response):
    """Every response may differ between htmx and plain requests; caches must know."""
    response.vary.add("HX-Request")
    return response


def place_error(form, field: str | None, text: str) -> str:
    """Show a service's refusal beside the field it names; return it when it names none.

    The returned text is the page-level message ("" when the field took it).
    """
    target = getattr(form, field, None) if field else None
    if target is None:
        return text
    target.errors = list(target.errors) + [text]
    return ""
