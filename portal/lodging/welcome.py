"""The kiosk welcome screen's lodging card: the hotel the guest sleeps in tonight.

Only a confirmed stay whose dates cover today (check-out day included: the guest
still needs to know where their luggage is) is shown. The screen is public: it shows
the hotel and room type, never the room number, nor who shares the room.
"""

from datetime import date

from sqlalchemy import and_, or_, select
from sqlalchemy.orm import joinedload

from portal.checkin.welcome import TodayCard, today_card
from portal.extensions import db
from portal.models import LodgingRequest, Registration, RoomBlock
from portal.models.lodging import CONFIRMED


def stay_today(registration: Registration, today: date) -> LodgingRequest | None:
    """The guest's confirmed stay (their own, or one they agreed to share) that covers `today`."""
    return db.session.scalar(
        select(LodgingRequest)
        .where(LodgingRequest.event_id == registration.event_id, LodgingRequest.state == CONFIRMED,
               LodgingRequest.check_in <= today, LodgingRequest.check_out >= today,
               or_(LodgingRequest.registration_id == registration.id,
                   and_(LodgingRequest.roommate_id == registration.id,
                        LodgingRequest.roommate_confirmed_at.is_not(None))))
        .options(joinedload(LodgingRequest.block).joinedload(RoomBlock.hotel))
        .order_by(LodgingRequest.check_in, LodgingRequest.id).limit(1))


@today_card
def hotel_today(registration: Registration, today: date) -> TodayCard | None:
    """Your hotel, your room type and your dates; the room number stays off a public screen."""
    stay = stay_today(registration, today)
    if stay is None:
        return None
    return TodayCard("kiosk/_card_lodging.html", {
        "hotel": stay.block.hotel.name, "address": stay.block.hotel.address, "room_type": stay.block.room_type,
        "check_in": stay.check_in, "check_out": stay.check_out,
        "checks_out_today": stay.check_out == today,
    })
