"""`flask purge-sensitive --event SLUG`: erase an event's sensitive needs once it is over."""

import click
from flask.cli import with_appcontext
from sqlalchemy import select

from portal.extensions import db
from portal.models import Event
from portal.needs import services


@click.command("purge-sensitive")
@click.option("--event", "slug", required=True, help="The event's short name.")
@click.option("--force", is_flag=True, help="Purge even though the event has not ended.")
@with_appcontext
def purge_sensitive(slug: str, force: bool) -> None:
    """Erase every dietary, accessibility and medical record and consent of an event."""
    event = db.session.scalar(select(Event).where(Event.slug == slug))
    if event is None:
        raise click.BadParameter(f"no event {slug!r}", param_hint="--event")
    if not event.has_ended() and not force:
        raise click.ClickException(
            f"{slug} ends on {event.ends_on.isoformat()}; its guests' needs are still in use. "
            "Wait until it has ended, or add --force.")
    counts = services.purge_event(event)
    click.echo(f"purged {slug}: " + ", ".join(f"{count} {kind}" for kind, count in counts.items()))
