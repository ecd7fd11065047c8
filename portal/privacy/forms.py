"""Forms of the privacy pages: erasing an account, granting a staff permission."""

from flask_wtf import FlaskForm
from wtforms import BooleanField, HiddenField, IntegerField
from wtforms.validators import AnyOf, DataRequired

from portal.i18n import lazy_gettext as _l


class EraseForm(FlaskForm):
    understood = BooleanField(
        _l("I understand that my account, my registrations and everything I told you will be erased, "
           "and that this cannot be undone."),
        validators=[DataRequired(_l("Tick the box to confirm, or go back."))])


class PermissionForm(FlaskForm):
    """Grant ("1") or revoke ("0") one staff member's permission; one small form per row."""

    user_id = IntegerField(validators=[DataRequired()])
    grant = HiddenField(validators=[AnyOf(("0", "1"))])
