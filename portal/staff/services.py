"""What the staff console changes: events, guests' details, invitations.

Registration state changes (approve, decline, cancel, resend) go through
portal.guests.services, so capacity and the waitlist are decided in one place.
"""

import csv
import io
from itertools import groupby
from dataclasses import dataclass
from datetime import timedelta
from typing import NamedTuple

from email_validator import EmailNotValidError, validate_email
from flask import current_app
from sqlalchemy import Select, func, insert, select, update
from sqlalchemy.exc import IntegrityError
from flask_sqlalchemy.pagination import SelectPagination
from sqlalchemy.orm import joinedload, selectinload

from portal import audit, lifecycle, outbox
from portal.auth.tokens import new_token, token_hash
from portal.database import utcnow
from portal.extensions import db
from portal.forms import one_line
from portal.i18n import gettext as _, pick
from portal.guests import services as guest_services
from portal.guests.services import Profile
from portal.models import Category, Event, Invitation, Registration, StaffRole, User
from portal.models.registration import CANCELLED, STATES, WAITLISTED
from portal.staff import search as guest_search

MAX_IMPORT_BYTES = 2 * 1024 * 1024
IMPORT_COLUMNS = ("name", "email", "category", "language")
# What people type in a spreadsheet, mapped to the language codes the app speaks.
IMPORT_LANGUAGES = {"zh_hans": "zh_Hans", "zh-hans": "zh_Hans", "en": "en"}


# -- Events -----------------------------------------------------------------

def create_event(values: dict, creator: User) -> Event:
    """A new event with the default categories, its creator as organizer. Commits.

    Raises IntegrityError when the slug was taken meanwhile.
    """
    event = Event(**values)
    event.categories = Category.defaults()
    db.session.add(event)
    db.session.flush()
    db.session.add(StaffRole(user_id=creator.id, event_id=event.id, role="organizer"))
    audit.record(event, creator, "event.create", subject=event.slug)
    db.session.commit()
    return event


def update_event(event: Event, values: dict, actor: User) -> list[str]:
    """Save the settings that changed and audit which; more places go to the waitlist. Commits."""
    # Under the event lock, so a capacity change and concurrent registrations decide in turn.
    event = guest_services.lock_event(event.id)
    changed = [name for name, value in values.items() if getattr(event, name) != value]
    if "capacity" in changed:
        lifecycle.check_capacity(event, values["capacity"])
    for name in changed:
        setattr(event, name, values[name])
    if changed:
        audit.record(event, actor, "event.update", subject=event.slug, detail=", ".join(changed))
        if "capacity" in changed:
            guest_services.promote_waitlist(event, actor)
    db.session.commit()
    return changed


def state_counts(event: Event) -> dict[str, int]:
    """How many registrations are in each state, in one grouped query."""
    rows = db.session.execute(
        select(Registration.state, func.count())
        .where(Registration.event_id == event.id)
        .group_by(Registration.state)
    ).all()
    counts = dict.fromkeys(STATES, 0)
    counts.update({state: count for state, count in rows})
    return counts


def open_invitation_count(event: Event) -> int:
    return db.session.scalar(
        select(func.count()).select_from(Invitation).where(
            Invitation.event_id == event.id, Invitation.accepted_at.is_(None))
    )


# -- Guests -------------------------------------------------------------------

def guest_query(event: Event, search: str = "", state: str = "", category_code: str = "") -> Select:
    """The event's registrations matching a search and filters, categories loaded with them."""
    query = select(Registration).options(selectinload(Registration.category))
    return _matching(query, event, search, state, category_code)


# What a row of the guest list shows. The list reads these columns alone: loading
# 50 whole registrations as objects cost more than the search itself.
GUEST_ROW_COLUMNS = (
    Registration.id, Registration.state, Registration.name_latin, Registration.name_original,
    Registration.email, Registration.organization, Registration.category_id, Registration.confirmation_code,
    Registration.created_at,
)
# What the guest list export holds beside them: the profile, without codes (a confirmation code
# opens the guest's check-in at a kiosk) and without any needs (those have their own audited exports).
GUEST_EXPORT_COLUMNS = (
    Registration.id, Registration.state, Registration.name_latin, Registration.name_original,
    Registration.honorific, Registration.surname, Registration.organization, Registration.job_title,
    Registration.country, Registration.email, Registration.phone, Registration.language, Registration.category_id,
    Registration.created_at, Registration.confirmed_at,
)


class CategoryLabel(NamedTuple):
    id: int
    code: str
    name: str


def category_labels(event: Event) -> list[CategoryLabel]:
    """The event's categories in event.categories' order, named in the reader's language.

    Read as plain rows for the guest list's filter and labels: loading them as
    objects cost a tenth of a search.
    """
    rows = db.session.execute(
        select(Category.id, Category.code, Category.name_en, Category.name_zh)
        .where(Category.event_id == event.id).order_by(Category.position)
    )
    return [CategoryLabel(id, code, pick(en, zh)) for id, code, en, zh in rows]


def guest_rows_query(event: Event, search: str = "", state: str = "", category_code: str = "",
                     columns=GUEST_ROW_COLUMNS) -> Select:
    """guest_query's matches as rows of `columns` and each one's place on the waiting list (None when
    not on it), for the guest list and its export."""
    waiting = waitlist_positions(event)
    query = select(*columns, waiting.c.position).outerjoin(waiting, waiting.c.registration_id == Registration.id)
    return _matching(query, event, search, state, category_code)


def waitlist_positions(event: Event):
    """Each waitlisted registration of the event with its place in the waiting list's order (1 is next),
    the order lifecycle.waitlist_position counts and promotion follows."""
    return (
        select(Registration.id.label("registration_id"),
               func.row_number().over(order_by=(Registration.waitlisted_at, Registration.id)).label("position"))
        .where(Registration.event_id == event.id, Registration.state == WAITLISTED)
        .subquery("waiting")
    )


def _matching(query: Select, event: Event, search: str, state: str, category_code: str) -> Select:
    query = query.where(Registration.event_id == event.id).order_by(
        func.lower(Registration.surname), func.lower(Registration.name_latin), Registration.id)
    search = " ".join(search.split())
    if search:
        query = query.where(guest_search.matches(search))
    if state:
        query = query.where(Registration.state == state)
    if category_code:
        query = query.where(Registration.category_id.in_(
            select(Category.id).where(Category.event_id == event.id, Category.code == category_code)))
    return query


class CountedPagination(SelectPagination):
    """db.paginate's page of results, with the total counted in the same query (COUNT(*) OVER ()).

    A search over substrings cannot use an index, so db.paginate's separate
    count scanned every registration a second time; a window count reads the
    total off the page's own rows. Only a page past the end (no rows) counts apart.
    The items are the query's rows, each with the total as its last column.
    """

    def _query_items(self) -> list:
        page = self._query_args["select"].add_columns(func.count().over())
        # Through the connection: the rows are plain columns, which need nothing of the ORM's result handling.
        connection = self._query_args["session"].connection()
        rows = connection.execute(page.limit(self.per_page).offset(self._query_offset)).all()
        self._counted = rows[0][-1] if rows else None
        return rows

    def _query_count(self) -> int:
        return self._counted if self._counted is not None else super()._query_count()


def paginate_guests(query: Select, page: int, per_page: int) -> CountedPagination:
    return CountedPagination(select=query, session=db.session(), page=page, per_page=per_page, error_out=False)


def update_guest(registration: Registration, profile: Profile, category: Category | None, actor: User) -> list[str]:
    """Staff correct a guest's details, even after the guests' own cut-off; None keeps the category. Commits."""
    changed = []
    for name, value in vars(profile).items():
        if getattr(registration, name) != value:
            setattr(registration, name, value)
            changed.append(name)
    if category is not None and registration.category_id != category.id:
        registration.category_id = category.id
        changed.append("category")
    if changed:
        audit.record(registration.event, actor, "registration.edit",
                     subject=registration.confirmation_code, detail=", ".join(changed))
        db.session.commit()
    return changed


def cancel_registration(registration: Registration, actor: User, reason: str) -> None:
    """Cancel for the guest through the one release path; it audits what was given back."""
    lifecycle.cancel(registration, actor=actor, reason=reason)


# -- Invitations --------------------------------------------------------------

@dataclass
class InvitationRow:
    line: int
    name: str
    email: str
    category: Category
    language: str


@dataclass
class RowProblem:
    line: int
    reason: str


class ImportRejected(Exception):
    """Nothing was stored: the file as a whole is unusable, or some rows are bad."""

    def __init__(self, message: str = "", problems: list[RowProblem] | None = None):
        super().__init__(message)
        self.message = message
        self.problems = problems or []


def read_invitation_csv(event: Event, data: bytes) -> list[InvitationRow]:
    """Parse and check every row of an invitation CSV; raise ImportRejected if anything is wrong."""
    if len(data) > MAX_IMPORT_BYTES:
        raise ImportRejected(_("The file is larger than 2 MB. Split it into smaller files."))
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise ImportRejected(_("The file is not UTF-8 text. Save it from your spreadsheet as \"CSV UTF-8\"."))
    if "\x00" in text:
        raise ImportRejected(_("This is not a CSV file."))
    if not text.strip():
        raise ImportRejected(_("The file is empty."))

    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        header = [cell.strip().lower() for cell in next(reader)]
        missing = [column for column in IMPORT_COLUMNS if column not in header]
        if missing:
            raise ImportRejected(_(
                "The first line must name the columns %(columns)s; missing: %(missing)s.",
                columns=", ".join(IMPORT_COLUMNS), missing=", ".join(missing)))
        position = {column: header.index(column) for column in IMPORT_COLUMNS}
        records = []
        for cells in reader:
            if not any(cell.strip() for cell in cells):
                continue
            values = {column: cells[i].strip() if i < len(cells) else "" for column, i in position.items()}
            records.append((reader.line_num, values))
    except csv.Error as error:
        raise ImportRejected(_("This is not a CSV file we can read (line %(line)d: %(error)s).",
                               line=reader.line_num, error=str(error)))
    if not records:
        raise ImportRejected(_("The file has a header line but no invitees."))

    rows, problems = _check_rows(event, records)
    if problems:
        raise ImportRejected(problems=problems)
    return rows


def _check_rows(event: Event, records) -> tuple[list[InvitationRow], list[RowProblem]]:
    categories = {category.code.lower(): category for category in event.categories}
    invited = set(db.session.scalars(select(Invitation.email).where(Invitation.event_id == event.id)))
    registered = set(db.session.scalars(
        select(func.lower(Registration.email)).where(
            Registration.event_id == event.id, Registration.state != CANCELLED)))
    first_line: dict[str, int] = {}
    rows, problems = [], []
    for line, values in records:
        reasons = []
        # A quoted cell may hold line breaks; a name is one line (it reaches mail headers).
        name = one_line(values["name"]).strip()
        if not name:
            reasons.append(_("the name is missing"))
        elif len(name) > 200:
            reasons.append(_("the name is longer than %(max)d characters", max=200))

        email = User.normalise_email(values["email"])
        if not email:
            reasons.append(_("the e-mail address is missing"))
        elif len(email) > 254:
            reasons.append(_("the e-mail address is longer than %(max)d characters", max=254))
        else:
            try:
                validate_email(email, check_deliverability=False)
            except EmailNotValidError:
                reasons.append(_("\"%(email)s\" is not a valid e-mail address", email=email[:80]))
            else:
                if email in first_line:
                    reasons.append(_("%(email)s is also on line %(line)d", email=email, line=first_line[email]))
                elif email in invited:
                    reasons.append(_("%(email)s is already invited", email=email))
                elif email in registered:
                    reasons.append(_("%(email)s is already registered", email=email))
                first_line.setdefault(email, line)

        code = values["category"].lower()
        category = categories.get(code)
        if not code:
            reasons.append(_("the category is missing"))
        elif category is None:
            reasons.append(_("unknown category \"%(code)s\" (use one of: %(codes)s)",
                             code=values["category"][:40], codes=", ".join(c.code for c in event.categories)))

        language = IMPORT_LANGUAGES.get(values["language"].lower())
        if language is None:
            reasons.append(_("the language must be zh_Hans or en"))

        if reasons:
            problems.append(RowProblem(line, "; ".join(reasons)))
        else:
            rows.append(InvitationRow(line, name, email, category, language))
    return rows, problems


def import_invitations(event: Event, rows: list[InvitationRow], actor: User) -> int:
    """Create every invitation in one transaction, all of them or none, and write their mails. Commits.

    The invitations are one bulk INSERT: twenty thousand are stored in a few seconds.
    Writing their mails takes longer, so it goes in batches (write_invitation_mails):
    the first batch here, in this request; the sender (`flask send-mail`) writes the
    rest, and the invitations page shows how far it is.
    """
    now = utcnow()
    expires_at = now + timedelta(days=current_app.config["INVITATION_DAYS"])
    try:
        db.session.execute(insert(Invitation), [
            dict(event_id=event.id, email=row.email, name=row.name, category_id=row.category.id,
                 language=row.language, token_hash=token_hash(new_token()), created_at=now, expires_at=expires_at,
                 mail_pending=True)
            for row in rows])
        audit.record(event, actor, "invitation.import", detail=str(len(rows)))
        db.session.commit()
    except IntegrityError:
        # Someone else invited one of these addresses between our check and our insert.
        db.session.rollback()
        raise ImportRejected(_("Some of these addresses were invited meanwhile. Upload the file again to see which."))
    write_invitation_mails(event, current_app.config["INVITATION_MAILS_PER_BATCH"])
    return len(rows)


def write_invitation_mails(event: Event | None = None, limit: int = 500) -> int:
    """Write the mails of up to `limit` imported invitations still without one (of `event`, or of
    any event); each gets its link's token now. Commits; returns how many were written.

    The invitations are claimed by a conditional UPDATE in the same transaction as their
    mails, so two senders never write the same invitation's mail, and a sender that dies
    half-way leaves them to the next.
    """
    query = select(Invitation.id).where(Invitation.mail_pending).order_by(Invitation.id).limit(limit)
    if event is not None:
        query = query.where(Invitation.event_id == event.id)
    ids = db.session.scalars(query).all()
    claimed = db.session.scalars(
        update(Invitation).where(Invitation.id.in_(ids), Invitation.mail_pending)
        .values(mail_pending=False).returning(Invitation.id)
    ).all() if ids else []
    if not claimed:
        db.session.rollback()
        return 0
    invitations = db.session.scalars(
        select(Invitation).where(Invitation.id.in_(claimed)).options(joinedload(Invitation.event))
        .order_by(Invitation.event_id, Invitation.language, Invitation.id)
        .execution_options(populate_existing=True)
    ).all()
    for (_event_id, language), batch in groupby(invitations, key=lambda i: (i.event_id, i.language)):
        batch = list(batch)
        mails = []
        for invitation in batch:
            token = new_token()
            invitation.token_hash = token_hash(token)
            mails.append((invitation.email, {"invitation": invitation, "token": token}))
        outbox.add_many(outbox.compose_many("invitation", "invitation", language, mails, event=batch[0].event))
    db.session.commit()
    return len(claimed)


def invitation_mail_progress(event: Event) -> tuple[int, int]:
    """How many of the event's invitations have their mail written, of how many."""
    total, pending = db.session.execute(
        select(func.count(), func.count().filter(Invitation.mail_pending)).where(Invitation.event_id == event.id)
    ).one()
    return total - pending, total


def invitation_query(event: Event) -> Select:
    return (
        select(Invitation)
        .where(Invitation.event_id == event.id)
        .options(selectinload(Invitation.category))
        .order_by(Invitation.created_at.desc(), Invitation.id.desc())
    )


def resend_invitation(invitation: Invitation, actor: User) -> None:
    """Mail a fresh link; the old link stops working because only the new token's hash is kept. Commits."""
    if invitation.accepted_at is not None:
        raise guest_services.RegistrationError("invitation-accepted")
    token = new_token()
    invitation.token_hash = token_hash(token)
    invitation.mail_pending = False
    invitation.expires_at = utcnow() + timedelta(days=current_app.config["INVITATION_DAYS"])
    guest_services.send_invitation(invitation.event, invitation, token)
    audit.record(invitation.event, actor, "invitation.resend", subject=invitation.email)
    db.session.commit()
