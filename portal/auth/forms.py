from flask_wtf import FlaskForm
from wtforms import EmailField, PasswordField, SelectField, StringField
from wtforms.validators import DataRequired, Email, InputRequired, Length, Optional

from portal.forms import one_line
from portal.i18n import language_choices, lazy_gettext as _l


class EmailForm(FlaskForm):
    """An address to mail a link to."""

    email = EmailField(_l("E-mail address"), validators=[
        InputRequired(_l("Enter your e-mail address.")),
        Length(max=254, message=_l("An e-mail address has at most 254 characters.")),
        Email(_l("Enter an e-mail address such as name@example.org."), check_deliverability=False),
    ])


class SignInForm(EmailForm):
    password = PasswordField(_l("Password (staff)"), validators=[Optional(), Length(max=200)])


class AccountForm(FlaskForm):
    """Name and language; a new password needs the current one or a fresh link by e-mail (the view checks)."""

    display_name = StringField(_l("Your name"), filters=[one_line], validators=[
        DataRequired(_l("Enter your name.")), Length(max=200, message=_l("At most 200 characters.")),
    ])
    language = SelectField(_l("Language for pages and e-mail"),
                           choices=language_choices)
    current_password = PasswordField(_l("Current password"), validators=[Optional(), Length(max=200)])
    new_password = PasswordField(_l("New password (optional)"), validators=[
        Optional(), Length(min=10, max=200, message=_l("A password has 10 to 200 characters.")),
    ])


class ActionForm(FlaskForm):
    """Only the CSRF token: the button is the whole form."""
