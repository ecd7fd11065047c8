"""The live check-in board: arrived against expected, by category, by hour, per kiosk, latest;
and the kiosks themselves: cut off or not, scans waiting, last sync, offline scans to look at.

`fingerprint` is one small query; the board's page answers 304 while it is
unchanged, so a console polling every few seconds costs almost nothing.
"""

import hashlib
from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import joinedload

from portal.checkin import offline
from portal.extensions import db
from portal.models import Category, CheckIn, Event, KioskDevice, Registration
from portal.models.registration import CONFIRMED

LATEST = 10


@dataclass
class CategoryLine:
    category: Category | None
    expected: int
    arrived: int


@dataclass
class Board:
    expected: int
    arrived: int
    categories: list[CategoryLine] = field(default_factory=list)
    # (the hour's start on the event's clock, naive; arrivals in that hour), earliest first
    hours: list[tuple[datetime, int]] = field(default_factory=list)
    hours_span_days: bool = False
    # (kiosk name, or None for the staff desk, arrivals)
    kiosks: list[tuple[str | None, int]] = field(default_factory=list)
    latest: list[CheckIn] = field(default_factory=list)
    devices: list[offline.KioskLine] = field(default_factory=list)
    # Offline scans whose outcome differs from what the guest was told (latest first), and how many.
    conflicts: list = field(default_factory=list)
    conflict_count: int = 0


def fingerprint(event: Event) -> str:
    """Changes whenever anything on the board would: a check-in, an undo, a confirmation."""
    arrivals = select(func.count(CheckIn.id), func.max(CheckIn.id)).where(CheckIn.event_id == event.id).subquery()
    confirmed = select(func.count(Registration.id)).where(
        Registration.event_id == event.id, Registration.state == CONFIRMED).scalar_subquery()
    row = db.session.execute(select(arrivals, confirmed)).one()
    return hashlib.sha256(repr((tuple(row), offline.board_state(event))).encode()).hexdigest()[:20]


def board(event: Event) -> Board:
    expected_by_category = dict(db.session.execute(
        select(Registration.category_id, func.count()).where(
            Registration.event_id == event.id, Registration.state == CONFIRMED)
        .group_by(Registration.category_id)).all())
    arrived_by_category = dict(db.session.execute(
        select(Registration.category_id, func.count()).select_from(CheckIn)
        .join(Registration, Registration.id == CheckIn.registration_id)
        .where(CheckIn.event_id == event.id).group_by(Registration.category_id)).all())
    lines = [CategoryLine(c, expected_by_category.get(c.id, 0), arrived_by_category.get(c.id, 0))
             for c in event.categories]
    if expected_by_category.get(None) or arrived_by_category.get(None):
        lines.append(CategoryLine(None, expected_by_category.get(None, 0), arrived_by_category.get(None, 0)))

    # Bucketed here rather than in SQL: hour arithmetic in a time zone differs between the databases.
    times = db.session.scalars(select(CheckIn.at).where(CheckIn.event_id == event.id)).all()
    hours = Counter(at.astimezone(event.zone).replace(minute=0, second=0, microsecond=0, tzinfo=None)
                    for at in times)

    per_kiosk = db.session.execute(
        select(KioskDevice.name, func.count(CheckIn.id)).select_from(CheckIn)
        .outerjoin(KioskDevice, KioskDevice.id == CheckIn.kiosk_id)
        .where(CheckIn.event_id == event.id).group_by(KioskDevice.name).order_by(KioskDevice.name)).all()

    latest = db.session.scalars(
        select(CheckIn).where(CheckIn.event_id == event.id)
        .options(joinedload(CheckIn.registration).joinedload(Registration.category), joinedload(CheckIn.kiosk))
        .order_by(CheckIn.at.desc(), CheckIn.id.desc()).limit(LATEST)).all()

    conflicts, conflict_count = offline.conflicts(event)
    return Board(
        expected=sum(expected_by_category.values()), arrived=len(times), categories=lines,
        hours=sorted(hours.items()), hours_span_days=len({hour.date() for hour in hours}) > 1,
        kiosks=[(name, count) for name, count in per_kiosk], latest=list(latest),
        devices=offline.kiosk_lines(event), conflicts=conflicts, conflict_count=conflict_count,
    )
