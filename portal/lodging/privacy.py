"""Lodging's part of the guest's data download and of account erasure.

The download holds the guest's own requests in full, and of a stay another guest
asked to share with them only the stay itself (hotel, dates, state), not the other
guest's notes or name.

Erasure deletes the guest's requests. For an event still to come the guest has
already left it through the one release path (portal/lifecycle.py): nights given
back, a roommate keeping the room alone and flagged for the coordinators. What is
left here is for events already over: a confirmed stay gives its nights back, and a
request naming the erased guest as roommate, or asking them by their address, loses
the link and the address and goes back to "requested", so the coordinators look at
it again.
"""

from sqlalchemy import delete, or_, select
from sqlalchemy.orm import joinedload

from portal import audit, privacy
from portal.extensions import db
from portal.lodging import services
from portal.models import LodgingRequest, RoomBlock
from portal.models.lodging import ACTIVE_STATES, REQUESTED


def _naming(registrations):
    """Other guests' requests that share with these registrations, or ask them to by address."""
    return or_(LodgingRequest.roommate_id.in_([r.id for r in registrations]), *(
        LodgingRequest.roommate_id.is_(None) & (LodgingRequest.event_id == r.event_id)
        & (LodgingRequest.roommate_email == r.email.lower())
        for r in registrations))


@privacy.data_provider("lodging")
def lodging_data(user, registrations):
    ids = [r.id for r in registrations]
    if not ids:
        return {"requests": [], "shared_with_me": []}
    slugs = {r.id: r.event.slug for r in registrations}
    options = joinedload(LodgingRequest.block).joinedload(RoomBlock.hotel)
    own = db.session.scalars(select(LodgingRequest).where(LodgingRequest.registration_id.in_(ids))
                             .options(options).order_by(LodgingRequest.id)).all()
    shared = db.session.scalars(select(LodgingRequest).where(_naming(registrations))
                                .options(options).order_by(LodgingRequest.id)).all()
    event_of = {(r.event_id, r.email.lower()): r.id for r in registrations}
    return {
        "requests": [{**privacy.columns_of(request), "event": slugs[request.registration_id],
                      "hotel": request.block.hotel.name_en, "room_type": request.block.room_type_en,
                      "shares_with_someone": request.roommate_id is not None}
                     for request in own],
        "shared_with_me": [{"event": slugs[request.roommate_id or event_of[(request.event_id, request.roommate_email)]],
                            "hotel": request.block.hotel.name_en,
                            "room_type": request.block.room_type_en, "check_in": request.check_in,
                            "check_out": request.check_out, "state": request.state,
                            "room_number": request.room_number if request.roommate_confirmed_at else "",
                            "i_agreed_at": request.roommate_confirmed_at}
                           for request in shared],
    }


@privacy.erasure_step
def erase_lodging(user, registrations):
    ids = [r.id for r in registrations]
    if not ids:
        return
    events = {r.id: r.event for r in registrations}
    # Locks in the services' order: request rows (by id), then each one's nights.
    own = db.session.scalars(
        select(LodgingRequest).where(LodgingRequest.registration_id.in_(ids)).order_by(LodgingRequest.id)
        .with_for_update().execution_options(populate_existing=True)).all()
    for request in own:
        services.release_nights(request)
        audit.record(events[request.registration_id], user, "lodging.erased", f"lodging_request:{request.id}",
                     f"roommate registration {request.roommate_id}" if request.roommate_id else "")
    shared = db.session.scalars(
        select(LodgingRequest).where(_naming(registrations)).order_by(LodgingRequest.id)
        .with_for_update().execution_options(populate_existing=True)).all()
    mate_of = {(r.event_id, r.email.lower()): r.id for r in registrations}
    for request in shared:
        erased_mate = request.roommate_id or mate_of[(request.event_id, request.roommate_email)]
        request.roommate_id, request.roommate_confirmed_at, request.roommate_email = None, None, ""
        if request.state in ACTIVE_STATES and request.state != REQUESTED:
            services.release_nights(request)
            request.state, request.confirmation_number, request.room_number = REQUESTED, "", ""
        audit.record(events[erased_mate], user, "lodging.roommate_erased", f"lodging_request:{request.id}",
                     request.state)
    if own:
        db.session.execute(delete(LodgingRequest).where(LodgingRequest.id.in_([r.id for r in own])))
