"""The data model, one module per aggregate; importing this package registers them all."""

from portal.models.account import SignInLink, StaffRole, User
from portal.models.audit import AuditEntry
from portal.models.event import Category, Event
from portal.models.outbox import OutboundMail
from portal.models.registration import Invitation, Registration, RegistrationChange

__all__ = [
    "AuditEntry",
    "Category",
    "Event",
    "Invitation",
    "OutboundMail",
    "Registration",
    "RegistrationChange",
    "SignInLink",
    "StaffRole",
    "User",
]
