"""`flask seed-demo`: the demo's staff accounts, the order its parts are written in, and what it prints."""

import random
import secrets
from zoneinfo import ZoneInfo

import click
from flask import current_app
from flask.cli import with_appcontext
from sqlalchemy import func, select

from portal.checkin import devices
from portal.database import utcnow
from portal.demo import guests, logistics, programme
from portal.demo.event import SLUG, TIMEZONE, dress, event_today, make_event
from portal.demo.guests import OPEN_INVITATIONS, STATE_ORDER
from portal.extensions import db
from portal.models import Category, Event, Registration, StaffRole, TransportLeg, User
from portal.models.registration import CONFIRMED

SEED = 2027

# who, e-mail, display name. Each install draws its own passwords and prints them once
# (a demo left on a reachable server must not open with a password the whole world
# read here); a real deployment makes its staff with `flask create-staff`.
STAFF = (
    ("admin", "admin@demo.example.org", "Demo Administrator"),
    ("organizer", "organizer@demo.example.org", "Chen Jing 陈静"),
    ("coordinator", "coordinator@demo.example.org", "Lukas Becker"),
    ("helpdesk", "helpdesk@demo.example.org", "Sun Li 孙丽"),
)
# The roles each demo account holds; the demo's one coordinator runs rooms, cars and the kitchen.
DEMO_ROLES = {"organizer": ("organizer",), "coordinator": ("lodging", "transport", "catering"),
              "helpdesk": ("helpdesk",)}


def _staff(event: Event) -> dict[str, User]:
    """The demo's staff accounts, made or found, each given its roles at `event`; role → user."""
    accounts = {}
    for role, email, name in STAFF:
        user = db.session.scalar(select(User).where(User.email == email))
        if user is None:
            user = User(email=email, display_name=name, language="en")
            db.session.add(user)
        if role == "admin":
            user.is_admin = True
        else:
            user.roles.extend(StaffRole(event_id=event.id, role=held) for held in DEMO_ROLES[role])
        accounts[role] = user
    return accounts


def seed(rng: random.Random) -> dict[str, int]:
    """Write the demo event, its staff, guests, programme and logistics in one transaction."""
    event = make_event(event_today(ZoneInfo(TIMEZONE)))
    event.categories = Category.defaults()
    db.session.add(event)
    db.session.flush()  # the event's id, for the staff roles
    organizer = _staff(event)["organizer"]
    counts = guests.seed(rng, event, organizer)
    db.session.flush()
    confirmed = guests.confirmed(event)
    dress(event)
    sessions = programme.programme(rng, event, confirmed)
    stays = logistics.lodging(rng, event, confirmed)
    legs = logistics.transport(rng, event, confirmed)
    diets = logistics.needs(rng, confirmed)
    programme.announcements(event, organizer)
    programme.survey(event)
    logistics.budget(event)
    db.session.commit()
    return {**counts, "sessions": len(sessions), "stays": len(stays), "journeys": len(legs), "diets": diets}


def draw_passwords() -> dict[str, str]:
    """A fresh random password for each demo staff account, set now (not committed); role → password."""
    passwords = {}
    for role, email, _name in STAFF:
        user = db.session.scalar(select(User).where(User.email == email))
        if user is not None:
            passwords[role] = secrets.token_urlsafe(12)
            user.set_password(passwords[role])
    return passwords


def _print_sign_in(passwords: dict[str, str]) -> None:
    base = current_app.config["BASE_URL"].rstrip("/")
    click.echo(f"\nSign in at {base}/login with the password field (under “Staff”):")
    for role, email, _name in STAFF:
        click.echo(f"  {role:<12} {email:<30} password: {passwords[role]}")
    click.echo("These passwords are shown this once; `flask seed-demo --new-passwords` sets new ones.")


def _print_kiosk_walkthrough(event: Event, base: str) -> None:
    """A kiosk for the lobby, and how to pair a browser as it."""
    organizer = db.session.scalar(select(User).where(User.email == STAFF[1][1]))
    device, code = devices.create_device(event, "Lobby kiosk", "North lobby, beside the guest services desk",
                                         organizer)
    click.echo(f"\nTry the kiosk: open {base}/kiosk/pair in another browser and type the pairing code "
               f"{devices.format_pairing_code(code)} (valid {devices.PAIRING_MINUTES} minutes; the organizer "
               f"gets a new one under Kiosks).")
    guest = db.session.scalar(
        select(Registration).join(TransportLeg, TransportLeg.registration_id == Registration.id)
        .where(Registration.event_id == event.id, Registration.state == CONFIRMED,
               TransportLeg.vehicle_id.is_not(None), TransportLeg.scheduled_at > utcnow())
        .order_by(TransportLeg.scheduled_at, Registration.id).limit(1))
    if guest is not None:
        click.echo(f"Then check a guest in: under “No QR code?” type {guest.name_latin}'s confirmation code "
                   f"{guest.confirmation_code}; the welcome screen shows their hotel, shuttle and sessions.")


@click.command("seed-demo")
@click.option("--force", is_flag=True, help="Add the demo even though the database holds other events.")
@click.option("--new-passwords", is_flag=True, help="Give the demo's staff new passwords, and print them.")
@with_appcontext
def seed_demo(force: bool, new_passwords: bool) -> None:
    """Create the bilingual demo event with its guests and staff (safe to run twice)."""
    existing = db.session.scalar(select(Event).where(Event.slug == SLUG))
    if existing is not None:
        guests = db.session.scalar(
            select(func.count()).select_from(Registration).where(Registration.event_id == existing.id)
        )
        click.echo(f"The demo event “{existing.name_en}” is already there ({guests} guests); nothing changed.")
        if new_passwords:
            passwords = draw_passwords()
            db.session.commit()
            _print_sign_in(passwords)
        else:
            click.echo("Its staff passwords were shown when it was made; `flask seed-demo --new-passwords` "
                       "sets new ones.")
        return
    others = db.session.scalars(select(Event.slug).where(Event.slug != SLUG).order_by(Event.slug)).all()
    if others and not force:
        raise click.ClickException(
            f"This database holds real events ({', '.join(others[:5])}); the demo, its guests and its staff "
            "accounts would be written beside them. Use --force if that is what you want.")
    counts = seed(random.Random(SEED))
    passwords = draw_passwords()
    db.session.commit()
    event = db.session.scalar(select(Event).where(Event.slug == SLUG))
    base = current_app.config["BASE_URL"].rstrip("/")
    guests = {state: counts[state] for state in STATE_ORDER}
    summary = ", ".join(f"{n} {state}" for state, n in guests.items())
    click.echo(f"Created the demo event “{event.name_en} / {event.name_zh}” at {base}/e/{SLUG}/")
    click.echo(f"  {sum(guests.values())} guests: {summary}; capacity {event.capacity} (full), "
               f"{OPEN_INVITATIONS} open invitations.")
    click.echo(f"  {counts['sessions']} sessions, {counts['stays']} hotel stays, {counts['journeys']} journeys, "
               f"{counts['diets']} special diets, an open survey; running {event.starts_on} to {event.ends_on}.")
    _print_sign_in(passwords)
    _print_kiosk_walkthrough(event, base)
