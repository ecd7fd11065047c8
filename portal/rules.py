"""A change the lodging or transport rules refuse, and the one way a route shows it.

A service raises `RuleRefused(code, field, **detail)`: `code` names the message
(each feature's `messages.py` says it in the reader's language), `field` the
form field it belongs beside, `detail` what the message quotes. A route hands
it to `refusal_on`, which undoes the refused change and places the message.
"""

from collections.abc import Callable

from portal.extensions import db
from portal.rendering import place_error


class RuleRefused(Exception):
    """A change the rules refuse. `code` names the message; `field` the form field it belongs beside."""

    def __init__(self, code: str, field: str | None = None, **detail):
        super().__init__(code)
        self.code, self.field, self.detail = code, field, detail


def refusal_on(form, error: RuleRefused, message: Callable[[RuleRefused], str], fallback: str | None = None) -> str:
    """Roll the refused change back and put its message beside its field, or beside `fallback`.

    Returns the page-level message: "" when a field took it.
    """
    db.session.rollback()
    field = error.field if error.field and getattr(form, error.field, None) is not None else fallback
    return place_error(form, field, message(error))
