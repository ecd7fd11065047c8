from flask_wtf import FlaskForm
from wtforms import SelectChoice, BooleanField, EmailField, SelectField, StringField, TelField
from wtforms.validators import DataRequired, Email, InputRequired, Length, Optional, Regexp

from portal import countries
from portal.forms import one_line
from portal.guests.services import Profile
from portal.i18n import language_choices, lazy_gettext as _l

HONORIFICS = (
    ("", _l("(none)")),
    ("Mr", _l("Mr")),
    ("Ms", _l("Ms")),
    ("Mx", _l("Mx")),
    ("Dr", _l("Dr")),
    ("Prof", _l("Prof.")),
    ("HE", _l("H.E.")),
    ("Hon", _l("Hon.")),
)


def honorific_choices() -> list[SelectChoice]:
    return [SelectChoice(value, str(label)) for value, label in HONORIFICS]


def _max(n: int):
    return Length(max=n, message=_l("At most %(max)d characters.", max=n))


def country_choices() -> list[SelectChoice]:
    """Real countries and regions, named and sorted in the current language (portal/countries.py)."""
    return [SelectChoice(code, name) for code, name in countries.country_choices()]


class ProfileForm(FlaskForm):
    """The guest's profile, as asked at registration and when editing it.

    Required text uses DataRequired, which also refuses input of spaces only:
    the profile stores stripped values, and a name of "   " would be stored empty.
    Names and titles stay on one line: they are read into mail subjects and greetings.
    """

    name_original = StringField(_l("Full name, as written in your language"), filters=[one_line], validators=[
        DataRequired(_l("Enter your name.")), _max(200)])
    name_latin = StringField(_l("Full name in Latin letters (as in your passport)"), filters=[one_line], validators=[
        DataRequired(_l("Enter your name in Latin letters.")), _max(200),
        Regexp(r"^[A-Za-zÀ-ÖØ-öø-ÿĀ-ž' .\-]+$", message=_l("Use Latin letters, spaces, hyphens and apostrophes only."))])
    surname = StringField(_l("Family name in Latin letters"), filters=[one_line], validators=[
        DataRequired(_l("Enter your family name.")), _max(100)])
    honorific = SelectField(_l("Form of address"), validators=[Optional()])
    organization = StringField(_l("Organization"), filters=[one_line], validators=[Optional(), _max(200)])
    job_title = StringField(_l("Title or position"), filters=[one_line], validators=[Optional(), _max(200)])
    country = SelectField(_l("Country or region"), validators=[InputRequired(_l("Choose a country or region."))])
    phone = TelField(_l("Mobile phone, with country code"), validators=[
        DataRequired(_l("Enter a phone number.")), _max(40),
        Regexp(r"^(?=(?:\D*\d){6})\+?[0-9 ()\-]{6,40}$", message=_l("Enter a phone number such as +86 138 0000 0000."))])
    language = SelectField(_l("Preferred language"), choices=language_choices)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.country.choices = country_choices()
        self.honorific.choices = honorific_choices()

    def profile(self) -> Profile:
        return Profile(
            name_original=self.name_original.data.strip(),
            name_latin=" ".join(self.name_latin.data.split()),
            surname=self.surname.data.strip(),
            honorific=self.honorific.data or "",
            organization=(self.organization.data or "").strip(),
            job_title=(self.job_title.data or "").strip(),
            country=self.country.data,
            phone=self.phone.data.strip(),
            language=self.language.data,
        )


class RegistrationForm(ProfileForm):
    email = EmailField(_l("E-mail address"), validators=[
        InputRequired(_l("Enter your e-mail address.")),
        Length(max=254, message=_l("An e-mail address has at most 254 characters.")),
        Email(_l("Enter an e-mail address such as name@example.org."), check_deliverability=False)])
    category = SelectField(_l("You attend as"), coerce=int, validators=[
        InputRequired(_l("Choose how you attend."))])
    consent = BooleanField(_l("I have read the privacy notice and agree that my details are used to organise my attendance."),
                           validators=[InputRequired(_l("Registration needs your consent to the privacy notice."))])


class CancelForm(FlaskForm):
    """Only the CSRF token: the button is the whole form."""
