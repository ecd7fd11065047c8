"""Commands: `flask send-mail`, `flask create-staff`, `flask seed-demo`."""

import time

import click
from flask import Flask, current_app
from flask.cli import with_appcontext
from sqlalchemy import select
from sqlalchemy.exc import OperationalError

from portal.extensions import db
from portal import outbox
from portal.backup import backup, restore
from portal.demo.command import seed_demo
from portal.needs.cli import purge_sensitive
from portal.staff.services import write_invitation_mails
from portal.i18n import LANGUAGES
from portal.models import Event, StaffRole
from portal.staff import staffing


def register_commands(app: Flask) -> None:
    app.cli.add_command(send_mail)
    app.cli.add_command(create_staff)
    app.cli.add_command(seed_demo)
    app.cli.add_command(purge_sensitive)
    app.cli.add_command(backup)
    app.cli.add_command(restore)


@click.command("send-mail")
@click.option("--once", is_flag=True, help="Send what is due now, then stop.")
@click.option("--interval", default=5.0, show_default=True, help="Seconds between rounds.")
def send_mail(once: bool, interval: float) -> None:
    """Run the outbox sender: write imported invitations' mails, send due mail, retry failures with backoff."""
    batch = current_app.config["INVITATION_MAILS_PER_BATCH"]
    while True:
        written, counts = 0, {}
        try:
            # An import leaves the mails of a big file to be written here, a batch per round.
            written = write_invitation_mails(limit=batch)
            if written:
                click.echo(f"wrote {written} invitation mails")
            counts = outbox.deliver()
        except OperationalError as error:
            if once:
                raise
            # The database is away for a while: keep running and try again next round.
            click.echo(f"database unavailable, trying again in {interval:g} s: {error.orig}", err=True)
        if any(counts.values()):
            click.echo(f"sent {counts['sent']}, to retry {counts['retry']}, failed {counts['failed']}")
        if once:
            return
        db.session.remove()
        # A round that found work goes straight on to the next: thousands of mails need many rounds.
        if not written and not any(counts.values()):
            time.sleep(interval)


@click.command("create-staff")
@click.argument("email")
@click.option("--name", default="", help="Display name.")
@click.option("--password", default=None,
              help="Set this password now. Without it, the person is mailed a link to set their own.")
@click.option("--admin", is_flag=True, help="May create events and manage staff everywhere.")
@click.option("--event", "slug", default=None, help="Event slug for --role.")
@click.option("--role", "roles", multiple=True, type=click.Choice(StaffRole.ROLES))
@click.option("--language", default="en", type=click.Choice(LANGUAGES), show_default=True,
              help="Language of the invitation mail.")
@with_appcontext
def create_staff(email, name, password, admin, slug, roles, language) -> None:
    """Create or update a staff account, with roles for one event.

    Without --password the account gets an invitation mail (through the outbox) whose link
    proves the address and lets its owner set a password; nobody types it on a shared terminal.
    """
    if password is not None and len(password) < 10:
        raise click.BadParameter("at least 10 characters", param_hint="--password")
    event = None
    if roles:
        event = db.session.scalar(select(Event).where(Event.slug == slug)) if slug else None
        if event is None:
            raise click.BadParameter("name an existing event with --event", param_hint="--event")
    # Links in the invitation are written as they would be in a request to BASE_URL.
    with current_app.test_request_context(base_url=current_app.config["BASE_URL"]):
        user = staffing.find_or_make_account(email, name, language)
        user.display_name = name or user.display_name or user.email
        user.is_admin = user.is_admin or admin
        if event is not None:
            staffing.set_roles(event, user, set(roles) | user.roles_for(event.id), False, None)
        if password is not None:
            user.set_password(password)
            db.session.commit()
            click.echo(f"staff account {user.email} saved")
            return
        staffing.invite(event, user.email, name, language, set(roles), False, None)
    click.echo(f"staff account {user.email} saved; an invitation to set a password is in the outbox "
               "(`flask send-mail` sends it)")
