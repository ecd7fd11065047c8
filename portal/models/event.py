"""An event and the guest categories it uses."""

from datetime import date, datetime
from zoneinfo import ZoneInfo

from sqlalchemy import CheckConstraint, ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.database import UTCDateTime, utcnow
from portal.extensions import db
from portal.i18n import pick


# What happens to a waiting lodging request when nights free up in its block (portal/lodging/services.py):
# offered back to the coordinators' queue, or confirmed at once.
FREED_ROOMS = ("offer", "confirm")


class Event(db.Model):
    __tablename__ = "event"
    __table_args__ = (
        CheckConstraint("freed_rooms IN ('offer', 'confirm')", name="freed_rooms"),
        CheckConstraint("pickup_buffer_minutes BETWEEN 0 AND 720", name="pickup_buffer"),
        CheckConstraint("dropoff_buffer_minutes BETWEEN 0 AND 720", name="dropoff_buffer"),
        # Empty for the house colour, else #rrggbb (checked for contrast by portal/events/look.py).
        CheckConstraint("accent_colour = '' OR length(accent_colour) = 7", name="accent_colour"),
    )

    STATUSES = ("draft", "published", "closed", "archived")

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(60), unique=True)
    name_en: Mapped[str] = mapped_column(String(200))
    name_zh: Mapped[str] = mapped_column(String(200))
    starts_on: Mapped[date]
    ends_on: Mapped[date]
    timezone: Mapped[str] = mapped_column(String(64), default="Asia/Shanghai")
    venue_en: Mapped[str] = mapped_column(String(300), default="")
    venue_zh: Mapped[str] = mapped_column(String(300), default="")
    description_en: Mapped[str] = mapped_column(Text, default="")
    description_zh: Mapped[str] = mapped_column(Text, default="")
    privacy_notice_en: Mapped[str] = mapped_column(Text, default="")
    privacy_notice_zh: Mapped[str] = mapped_column(Text, default="")
    status: Mapped[str] = mapped_column(String(20), default="draft")
    public_registration: Mapped[bool] = mapped_column(default=False)
    approval_required: Mapped[bool] = mapped_column(default=False)
    # None: no limit. Counts confirmed registrations only.
    capacity: Mapped[int | None]
    registration_opens_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    registration_closes_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # Guests may edit or cancel their registration until this instant.
    changes_close_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    freed_rooms: Mapped[str] = mapped_column(String(10), default="offer", server_default="offer")
    # The date invitation mails ask guests to answer by; none when empty.
    reply_by: Mapped[date | None]
    # A car meeting a guest leaves no sooner than this after they land (luggage, passport control);
    # a car taking them away reaches the airport or station at least this long before they leave.
    pickup_buffer_minutes: Mapped[int] = mapped_column(default=45, server_default="45")
    dropoff_buffer_minutes: Mapped[int] = mapped_column(default=120, server_default="120")
    # The event's own look (portal/events/look.py): a colour, and images stored under the instance
    # folder by the name of their content, empty when none.
    accent_colour: Mapped[str] = mapped_column(String(7), default="", server_default="")
    logo_image: Mapped[str] = mapped_column(String(80), default="", server_default="")
    cover_image: Mapped[str] = mapped_column(String(80), default="", server_default="")
    # Practical information for guests on the event's home page.
    map_image: Mapped[str] = mapped_column(String(80), default="", server_default="")
    getting_there_en: Mapped[str] = mapped_column(Text, default="", server_default="")
    getting_there_zh: Mapped[str] = mapped_column(Text, default="", server_default="")
    wifi: Mapped[str] = mapped_column(String(200), default="", server_default="")
    dress_code_en: Mapped[str] = mapped_column(String(300), default="", server_default="")
    dress_code_zh: Mapped[str] = mapped_column(String(300), default="", server_default="")
    contacts_en: Mapped[str] = mapped_column(Text, default="", server_default="")
    contacts_zh: Mapped[str] = mapped_column(Text, default="", server_default="")

    categories: Mapped[list["Category"]] = relationship(
        back_populates="event", order_by="Category.position", cascade="all, delete-orphan"
    )

    @property
    def name(self) -> str:
        return pick(self.name_en, self.name_zh)

    @property
    def venue(self) -> str:
        return pick(self.venue_en, self.venue_zh)

    @property
    def description(self) -> str:
        return pick(self.description_en, self.description_zh)

    @property
    def privacy_notice(self) -> str:
        return pick(self.privacy_notice_en, self.privacy_notice_zh)

    @property
    def getting_there(self) -> str:
        return pick(self.getting_there_en, self.getting_there_zh)

    @property
    def dress_code(self) -> str:
        return pick(self.dress_code_en, self.dress_code_zh)

    @property
    def contacts(self) -> str:
        return pick(self.contacts_en, self.contacts_zh)

    @property
    def has_practical_information(self) -> bool:
        return bool(self.map_image or self.getting_there or self.wifi or self.dress_code or self.contacts)

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)

    def registration_is_open(self, now: datetime | None = None) -> bool:
        now = now or utcnow()
        if self.status != "published":
            return False
        if self.registration_opens_at and now < self.registration_opens_at:
            return False
        if self.registration_closes_at and now >= self.registration_closes_at:
            return False
        return True

    def changes_are_open(self, now: datetime | None = None) -> bool:
        now = now or utcnow()
        return self.changes_close_at is None or now < self.changes_close_at

    def today(self, now: datetime | None = None) -> date:
        """The date at the venue."""
        return (now or utcnow()).astimezone(self.zone).date()

    def has_begun(self, now: datetime | None = None) -> bool:
        """Mails sent while the event runs or after it must not read as if it were still to come."""
        return self.starts_on <= self.today(now)

    def has_ended(self, now: datetime | None = None) -> bool:
        return self.ends_on < self.today(now)


class Category(db.Model):
    """A kind of guest: VIP, speaker, delegate, press, or one the organizer adds."""

    __tablename__ = "category"
    __table_args__ = (
        UniqueConstraint("event_id", "code"),
        CheckConstraint("reserved_places >= 0", name="reserved_places"),
    )

    # code, English, Chinese, badge colour, open to public registration
    DEFAULTS = (
        ("vip", "VIP", "贵宾", "#8a6d1d", False),
        ("speaker", "Speaker", "演讲嘉宾", "#1d4e89", False),
        ("delegate", "Delegate", "代表", "#2f6b3a", True),
        ("press", "Press", "媒体", "#7a2e4d", True),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("event.id", ondelete="CASCADE"), index=True)
    code: Mapped[str] = mapped_column(String(40))
    name_en: Mapped[str] = mapped_column(String(100))
    name_zh: Mapped[str] = mapped_column(String(100))
    colour: Mapped[str] = mapped_column(String(7), default="#444444")
    position: Mapped[int] = mapped_column(default=0)
    # Whether a guest registering without an invitation may choose it.
    open_to_public: Mapped[bool] = mapped_column(default=False)
    # Places of the event's capacity kept for this category: no other category may take them.
    reserved_places: Mapped[int] = mapped_column(default=0, server_default="0")

    event: Mapped[Event] = relationship(back_populates="categories")

    @property
    def name(self) -> str:
        return pick(self.name_en, self.name_zh)

    @classmethod
    def defaults(cls) -> list["Category"]:
        return [
            cls(code=code, name_en=en, name_zh=zh, colour=colour, position=i, open_to_public=public)
            for i, (code, en, zh, colour, public) in enumerate(cls.DEFAULTS)
        ]
