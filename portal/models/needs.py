"""A guest's dietary, accessibility and medical needs: sensitive data behind its own consent.

Nothing here is stored unless the registration has an active NeedsConsent; withdrawing
it, erasing the account or `flask purge-sensitive` deletes every row below except the
consent record itself (which keeps only when consent was given and withdrawn).
Who may read what is decided in portal.needs.services, not here.
"""

from datetime import datetime

from sqlalchemy import ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.database import UTCDateTime, utcnow
from portal.extensions import db
from portal.models.account import User

DIETS = ("none", "vegetarian", "vegan", "halal", "kosher", "other")
# The fourteen allergens caterers must declare (EU 1169/2011 annex II, GB 7718 alike).
ALLERGENS = (
    "peanuts", "tree_nuts", "milk", "egg", "fish", "shellfish", "soy", "wheat_gluten",
    "sesame", "celery", "mustard", "sulphites", "lupin", "molluscs",
)
# A free-text allergy the list does not name is stored with this code.
OTHER_ALLERGEN = "other"
SEVERITIES = ("mild", "severe", "anaphylactic")


class NeedsConsent(db.Model):
    """The guest's separate, explicit consent to store their needs, and the notice they were shown."""

    __tablename__ = "needs_consent"

    id: Mapped[int] = mapped_column(primary_key=True)
    registration_id: Mapped[int] = mapped_column(
        ForeignKey("registration.id", ondelete="CASCADE"), unique=True)
    notice_version: Mapped[str] = mapped_column(String(20))
    notice_text: Mapped[str] = mapped_column(Text)
    given_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    withdrawn_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    @property
    def active(self) -> bool:
        return self.withdrawn_at is None


class DietaryNeeds(db.Model):
    __tablename__ = "dietary_needs"

    id: Mapped[int] = mapped_column(primary_key=True)
    registration_id: Mapped[int] = mapped_column(
        ForeignKey("registration.id", ondelete="CASCADE"), unique=True)
    diet: Mapped[str] = mapped_column(String(20), default="none")
    # What "other" means, or anything the kitchen should know about the diet.
    diet_detail: Mapped[str] = mapped_column(String(300), default="")
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)


class Allergy(db.Model):
    __tablename__ = "allergy"
    __table_args__ = (UniqueConstraint("registration_id", "allergen"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    registration_id: Mapped[int] = mapped_column(ForeignKey("registration.id", ondelete="CASCADE"), index=True)
    allergen: Mapped[str] = mapped_column(String(20))
    severity: Mapped[str] = mapped_column(String(20))
    # The guest's words for an allergen outside the list (allergen "other").
    detail: Mapped[str] = mapped_column(String(300), default="")


class AccessibilityNeeds(db.Model):
    __tablename__ = "accessibility_needs"

    id: Mapped[int] = mapped_column(primary_key=True)
    registration_id: Mapped[int] = mapped_column(
        ForeignKey("registration.id", ondelete="CASCADE"), unique=True)
    wheelchair: Mapped[bool] = mapped_column(default=False)
    step_free: Mapped[bool] = mapped_column(default=False)
    hearing_loop: Mapped[bool] = mapped_column(default=False)
    sign_language: Mapped[bool] = mapped_column(default=False)
    # Reserved, accessible or aisle seating in sessions and at meals.
    seating: Mapped[bool] = mapped_column(default=False)
    other: Mapped[str] = mapped_column(String(1000), default="")
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    @property
    def any(self) -> bool:
        return any((self.wheelchair, self.step_free, self.hearing_loop, self.sign_language, self.seating,
                    self.other))


class MedicalNotes(db.Model):
    __tablename__ = "medical_notes"

    id: Mapped[int] = mapped_column(primary_key=True)
    registration_id: Mapped[int] = mapped_column(
        ForeignKey("registration.id", ondelete="CASCADE"), unique=True)
    notes: Mapped[str] = mapped_column(String(2000), default="")
    emergency_name: Mapped[str] = mapped_column(String(200), default="")
    emergency_phone: Mapped[str] = mapped_column(String(40), default="")
    emergency_relation: Mapped[str] = mapped_column(String(100), default="")
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)


class StaffPermission(db.Model):
    """A permission granted to one staff member for one event, on top of their role.

    Not a role: it never opens a page by itself. "medical" lets a coordinator (say,
    the venue's first-aider) read medical notes, which otherwise only the organizer reads.
    """

    __tablename__ = "staff_permission"
    __table_args__ = (UniqueConstraint("user_id", "event_id", "permission"),)

    PERMISSIONS = ("medical",)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id", ondelete="CASCADE"), index=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("event.id", ondelete="CASCADE"), index=True)
    permission: Mapped[str] = mapped_column(String(20))
    granted_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id", ondelete="SET NULL"))
    granted_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    user: Mapped[User] = relationship(foreign_keys=[user_id])
