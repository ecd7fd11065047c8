"""Forms of the privacy pages: erasing an account."""

from flask_wtf import FlaskForm
from wtforms import BooleanField
from wtforms.validators import DataRequired

from portal.i18n import lazy_gettext as _l


class EraseForm(FlaskForm):
    understood = BooleanField(
        _l("I understand that my account, my registrations and everything I told you will be erased, "
           "and that this cannot be undone."),
        validators=[DataRequired(_l("Tick the box to confirm, or go back."))])
