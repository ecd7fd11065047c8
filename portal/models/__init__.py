"""The data model, one module per aggregate; importing this package registers them all."""

from portal.models.account import SignInLink, SignInSession, StaffRole, User
from portal.models.agenda import AgendaEntry, AgendaFeed, Room, ScheduleNotice, Session, SessionChange, Speaker, Track
from portal.models.announcement import Announcement
from portal.models.audit import AuditEntry
from portal.models.event import Category, Event
from portal.models.helpdesk import CannedReply, ResponseTarget, Ticket, TicketChange, TicketCounter, TicketMessage, TicketRating
from portal.models.kiosk import BadgePrint, CheckIn, KioskDevice, OfflineScan
from portal.models.needs import AccessibilityNeeds, Allergy, DietaryNeeds, MedicalNotes, NeedsConsent, StaffPermission
from portal.models.lodging import Hotel, LodgingRequest, RoomBlock, RoomNight
from portal.models.outbox import OutboundMail
from portal.models.registration import Invitation, Registration, RegistrationChange
from portal.models.survey import Answer, Choice, Question, SessionRating, Survey, SurveyParticipation, SurveyResponse, SurveySection
from portal.models.catering import Meal, MealTime
from portal.models.transport import Station, TransportLeg, Vehicle

__all__ = [
    "Answer",
    "Choice",
    "Question",
    "SessionRating",
    "Survey",
    "SurveyParticipation",
    "SurveyResponse",
    "SurveySection",
    "AccessibilityNeeds",
    "Allergy",
    "DietaryNeeds",
    "MedicalNotes",
    "NeedsConsent",
    "StaffPermission",
    "Vehicle",
    "Station",
    "Meal",
    "MealTime",
    "TransportLeg",
    "RoomNight",
    "RoomBlock",
    "LodgingRequest",
    "Hotel",
    "AgendaEntry",
    "AgendaFeed",
    "Announcement",
    "AuditEntry",
    "BadgePrint",
    "CannedReply",
    "Category",
    "CheckIn",
    "Event",
    "Invitation",
    "KioskDevice",
    "OfflineScan",
    "OutboundMail",
    "Room",
    "Registration",
    "ResponseTarget",
    "RegistrationChange",
    "ScheduleNotice",
    "Session",
    "SessionChange",
    "Speaker",
    "SignInLink",
    "SignInSession",
    "StaffRole",
    "Ticket",
    "TicketChange",
    "TicketCounter",
    "TicketMessage",
    "TicketRating",
    "Track",
    "User",
]
