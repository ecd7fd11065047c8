"""The team of an event: inviting colleagues, giving and taking roles and the medical permission.

Every change is audited in the same transaction. Losing a role ends the person's sessions
at once, so a colleague taken off the help desk cannot go on working from a browser left
signed in (portal/auth/sessions.py would also refuse such a session at its next request;
deleting the rows makes it so now, and visible).
"""

from dataclasses import dataclass

from flask_login import current_user
from sqlalchemy import delete, func, select
from sqlalchemy.orm import joinedload

from portal import audit, outbox
from portal.auth import sessions
from portal.auth.services import staff_invitation_link
from portal.auth.tokens import token_hash
from portal.extensions import db
from portal.models import Event, SignInSession, StaffPermission, StaffRole, User

MEDICAL = "medical"


class TeamError(Exception):
    """A change the team cannot take; `code` names the reason for the message map."""

    def __init__(self, code: str):
        super().__init__(code)
        self.code = code


@dataclass
class Member:
    user: User
    roles: set[str]
    medical: bool


def members(event: Event) -> list[Member]:
    """Everyone holding a role for `event`, with their roles and whether they may read medical notes."""
    users = db.session.scalars(
        select(User).join(StaffRole, StaffRole.user_id == User.id).where(StaffRole.event_id == event.id)
        .options(joinedload(User.roles)).order_by(User.display_name, User.email)).unique().all()
    medical = set(db.session.scalars(select(StaffPermission.user_id).where(
        StaffPermission.event_id == event.id, StaffPermission.permission == MEDICAL)))
    return [Member(user, user.roles_for(event.id), user.id in medical) for user in users]


def member(event: Event, user_id: int) -> User | None:
    """The staff member `user_id` of `event`, or None if they hold no role there."""
    return db.session.scalar(select(User).join(StaffRole, StaffRole.user_id == User.id)
                             .where(User.id == user_id, StaffRole.event_id == event.id)
                             .options(joinedload(User.roles)))


def _organizer_count(event: Event) -> int:
    return db.session.scalar(select(func.count()).select_from(StaffRole).where(
        StaffRole.event_id == event.id, StaffRole.role == "organizer"))


def set_roles(event: Event, user: User, roles: set[str], medical: bool, actor: User | None) -> bool:
    """Give `user` exactly `roles` (and the medical permission or not) for `event`. Does not commit.

    Returns whether anything changed. The last organizer of an event keeps the role, so
    someone can always run its team. No roles means the person leaves the team, and with
    it the medical permission.
    """
    held = user.roles_for(event.id) if user.id else set()
    gained, lost = roles - held, held - roles
    if "organizer" in lost and _organizer_count(event) <= 1:
        raise TeamError("last-organizer")
    for role in sorted(gained):
        db.session.add(StaffRole(user=user, event_id=event.id, role=role))
        audit.record(event, actor, "role.grant", subject=user.email, detail=role)
    for role in sorted(lost):
        db.session.execute(delete(StaffRole).where(
            StaffRole.user_id == user.id, StaffRole.event_id == event.id, StaffRole.role == role))
        audit.record(event, actor, "role.revoke", subject=user.email, detail=role)
    if lost:
        db.session.expire(user, ["roles"])
    changed = bool(gained or lost) | _set_medical(event, user, medical and bool(roles), actor)
    if lost:
        _end_sessions(user)
    return changed


def _medical_held(event: Event, user: User) -> StaffPermission | None:
    return db.session.scalar(select(StaffPermission).where(
        StaffPermission.user_id == user.id, StaffPermission.event_id == event.id,
        StaffPermission.permission == MEDICAL)) if user.id else None


def _set_medical(event: Event, user: User, grant: bool, actor: User | None) -> bool:
    held = _medical_held(event, user)
    if grant and held is None:
        db.session.add(StaffPermission(user=user, event_id=event.id, permission=MEDICAL,
                                       granted_by_id=actor.id if actor else None))
        audit.record(event, actor, "permission.grant", subject=user.email, detail=MEDICAL)
        return True
    if not grant and held is not None:
        db.session.execute(delete(StaffPermission).where(StaffPermission.id == held.id))
        audit.record(event, actor, "permission.revoke", subject=user.email, detail=MEDICAL)
        return True
    return False


def _end_sessions(user: User) -> None:
    """End every session of `user` but the one making the change (an organizer changing their own roles)."""
    if current_user and current_user.is_authenticated and current_user.id == user.id:
        db.session.execute(delete(SignInSession).where(
            SignInSession.user_id == user.id,
            SignInSession.token_hash != token_hash(current_user.session_token)))
    else:
        sessions.end_all(user)


def find_or_make_account(email: str, name: str, language: str) -> User:
    """The account of `email`, made now (without a password) if there is none. Does not commit."""
    email = User.normalise_email(email)
    user = db.session.scalar(select(User).where(User.email == email).options(joinedload(User.roles)))
    if user is None:
        user = User(email=email, display_name=name or "", language=language)
        db.session.add(user)
        db.session.flush()
    elif name and not user.display_name:
        user.display_name = name
    return user


def invite(event: Event | None, email: str, name: str, language: str, roles: set[str], medical: bool,
           actor: User | None) -> User:
    """Add a colleague to `event`'s team with `roles` and mail them a link to set their password. Commits.

    With no event (an admin's first account, from the command line) the mail only invites to
    set a password.
    """
    user = find_or_make_account(email, name, language)
    if event is not None:
        # An invitation adds: a member invited again keeps the roles and the medical permission they hold.
        set_roles(event, user, roles | user.roles_for(event.id), medical or _medical_held(event, user) is not None,
                  actor)
        audit.record(event, actor, "team.invite", subject=user.email, detail=" ".join(sorted(roles)))
    token, hours = staff_invitation_link(user)
    outbox.queue("staff-invitation", user.email, "staff_invitation", user.language, event=event,
                 token=token, hours=hours, inviter=(actor.display_name or actor.email) if actor else "",
                 has_password=bool(user.password_hash))
    db.session.commit()
    return user


def organizers_by_event() -> list[tuple[Event, list[User]]]:
    """Every event, newest first, with its organizers: the admin's view across events."""
    events = db.session.scalars(select(Event).order_by(Event.starts_on.desc(), Event.id.desc())).all()
    rows = db.session.execute(
        select(StaffRole.event_id, User).join(User, User.id == StaffRole.user_id)
        .where(StaffRole.role == "organizer").order_by(User.display_name, User.email)).all()
    by_event: dict[int, list[User]] = {}
    for event_id, user in rows:
        by_event.setdefault(event_id, []).append(user)
    return [(event, by_event.get(event.id, [])) for event in events]
