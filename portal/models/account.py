"""People who sign in: guests and staff, their roles per event, their sign-in links and sessions."""

from datetime import datetime

from flask_login import UserMixin
from sqlalchemy import CheckConstraint, ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship
from werkzeug.security import check_password_hash, generate_password_hash

from portal.database import UTCDateTime, one_of, utcnow
from portal.extensions import db


class User(UserMixin, db.Model):
    __tablename__ = "user_account"

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(254), unique=True)
    display_name: Mapped[str] = mapped_column(String(200), default="")
    # Guests sign in by e-mailed link; a password is optional for them, required for staff.
    password_hash: Mapped[str | None] = mapped_column(String(255))
    language: Mapped[str] = mapped_column(String(10), default="en")
    # May create events and manage staff everywhere.
    is_admin: Mapped[bool] = mapped_column(default=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    last_sign_in_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    roles: Mapped[list["StaffRole"]] = relationship(
        back_populates="user", cascade="all, delete-orphan"
    )

    # Flask-Login's "alternative token": the cookie holds the token of a SignInSession, not the
    # account's id, so the server can end a session (portal/auth/sessions.py sets these two).
    session_token = None
    sign_in_session = None

    def get_id(self) -> str | None:
        return self.session_token

    # UserMixin compares accounts by get_id(), which is now a session's token: compare as rows do.
    __eq__ = object.__eq__
    __ne__ = object.__ne__
    __hash__ = object.__hash__

    @staticmethod
    def normalise_email(email: str) -> str:
        return email.strip().lower()

    def set_password(self, password: str) -> None:
        self.password_hash = generate_password_hash(password)

    def check_password(self, password: str) -> bool:
        return bool(self.password_hash) and check_password_hash(self.password_hash, password)

    def roles_for(self, event_id: int) -> set[str]:
        return {role.role for role in self.roles if role.event_id == event_id}

    @property
    def is_staff(self) -> bool:
        return self.is_admin or bool(self.roles)


class StaffRole(db.Model):
    """One role a staff member holds for one event; several per person are allowed."""

    __tablename__ = "staff_role"
    # Each coordinator reaches only their own area: rooms, cars or the kitchen (least access).
    COORDINATORS = ("lodging", "transport", "catering")
    ROLES = ("organizer", *COORDINATORS, "helpdesk")

    __table_args__ = (
        UniqueConstraint("user_id", "event_id", "role"),
        CheckConstraint(one_of("role", ROLES), name="role"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id", ondelete="CASCADE"), index=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("event.id", ondelete="CASCADE"), index=True)
    role: Mapped[str] = mapped_column(String(20))

    user: Mapped[User] = relationship(back_populates="roles")


class SignInLink(db.Model):
    """A single-use, expiring sign-in link; only a hash of its token is stored.

    Using it proves the address it was mailed to. A link asked for on a registration
    page may be for an address that has no account yet (no user): the account is made
    when the link is used, never before.
    """

    __tablename__ = "sign_in_link"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id", ondelete="CASCADE"), index=True)
    email: Mapped[str] = mapped_column(String(254))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    next_url: Mapped[str] = mapped_column(String(500), default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
    used_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    user: Mapped[User | None] = relationship()


class SignInSession(db.Model):
    """One signed-in browser. Its cookie carries a random token; only the token's hash is kept.

    Deleting the row ends the session, wherever its cookie was copied.
    """

    __tablename__ = "sign_in_session"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id", ondelete="CASCADE"), index=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # Written at most every few minutes, and only for staff, whose sessions end when idle.
    last_seen_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # When this browser last proved the address by an e-mailed link; a fresh proof may set a password.
    proved_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # The staff roles held while the session ran ("admin", "<event id>:<role>"): losing one ends it.
    roles: Mapped[str] = mapped_column(Text, default="")

    user: Mapped[User] = relationship()
