"""Invitations and the outbox: the mail the organizer sends, and where each message stands.

/staff/e/<slug>/invitations               invitations         organizer
/staff/e/<slug>/invitations/import        import_invitations  organizer
/staff/e/<slug>/invitations/<id>/resend   resend_invitation   organizer
/staff/e/<slug>/outbox                    outbox              organizer
/staff/e/<slug>/outbox/<id>/retry         retry_mail          organizer
"""

from flask import abort, current_app, flash, redirect, request, url_for
from flask_login import current_user
from sqlalchemy import func, select

from portal import access, audit, outbox as mail_outbox
from portal.database import utcnow
from portal.extensions import db
from portal.guests.services import RegistrationError
from portal.i18n import gettext as _
from portal.models import Event, Invitation, OutboundMail
from portal.privacy.purge import TICKET_MAIL_KINDS
from portal.rendering import INVALID, render
from portal.staff import bp, services
from portal.staff.forms import ActionForm, ImportForm
from portal.staff.routes import PERMISSIONS, error_message, page_number


# -- Invitations ---------------------------------------------------------------------------------

@bp.get("/e/<slug>/invitations")
@access.staff(*PERMISSIONS["invite"])
def invitations(event: Event):
    """Every invitation of the event, accepted or not, and how far the mails of an import are."""
    results = db.paginate(services.invitation_query(event), page=page_number(),
                          per_page=current_app.config["GUESTS_PER_PAGE"], error_out=False)
    written, total = services.invitation_mail_progress(event)
    return render("staff/invitations.html", event=event, results=results, now=utcnow(),
                  mails_written=written, invitations_total=total)


@bp.route("/e/<slug>/invitations/import", methods=["GET", "POST"])
@access.staff(*PERMISSIONS["invite"])
def import_invitations(event: Event):
    """Invite a list of people from a CSV file: every row is checked before anything is stored."""
    form = ImportForm()
    problems, message = [], ""
    if form.validate_on_submit():
        upload = form.file.data
        try:
            if upload is None or not upload.filename:
                raise services.ImportRejected(_("Choose a CSV file to upload."))
            rows = services.read_invitation_csv(event, upload.read(services.MAX_IMPORT_BYTES + 1))
            count = services.import_invitations(event, rows, current_user)
        except services.ImportRejected as rejected:
            problems, message = rejected.problems, rejected.message
        else:
            flash(_("%(count)d invitations are created and on their way.", count=count), "success")
            return redirect(url_for("staff.invitations", slug=event.slug), 303)
    failed = bool(problems or message or form.errors)
    return render("staff/import_invitations.html", event=event, form=form, problems=problems, message=message,
                  status=INVALID if failed else 200)


@bp.post("/e/<slug>/invitations/<int:invitation_id>/resend")
@access.staff(*PERMISSIONS["invite"])
def resend_invitation(event: Event, invitation_id: int):
    """Mail a new invitation link; the previous link stops working."""
    invitation = db.session.scalar(
        select(Invitation).where(Invitation.event_id == event.id, Invitation.id == invitation_id))
    if invitation is None:
        abort(404)
    if ActionForm().validate_on_submit():
        try:
            services.resend_invitation(invitation, current_user)
        except RegistrationError as error:
            db.session.rollback()
            flash(error_message(error), "error")
        else:
            flash(_("A new invitation link is on its way to %(email)s.", email=invitation.email), "success")
    return redirect(url_for("staff.invitations", slug=event.slug), 303)


# -- Outbox --------------------------------------------------------------------------------------

@bp.get("/e/<slug>/outbox")
@access.staff(*PERMISSIONS["outbox"])
def outbox(event: Event):
    """The event's outgoing mail and where each message stands; ?state=failed shows the failed ones alone."""
    failed_only = request.args.get("state") == "failed"
    query = (select(OutboundMail).where(OutboundMail.event_id == event.id)
             .order_by(OutboundMail.created_at.desc(), OutboundMail.id.desc()))
    if failed_only:
        query = query.where(OutboundMail.state == "failed")
    results = db.paginate(query, page=page_number(), per_page=current_app.config["GUESTS_PER_PAGE"],
                          error_out=False)
    failed = db.session.scalar(select(func.count()).select_from(OutboundMail).where(
        OutboundMail.event_id == event.id, OutboundMail.state == "failed"))
    return render("staff/outbox.html", event=event, results=results, failed=failed, failed_only=failed_only,
                  retry_form=ActionForm())


@bp.post("/e/<slug>/outbox/<int:mail_id>/retry")
@access.staff(*PERMISSIONS["outbox"])
def retry_mail(event: Event, mail_id: int):
    """Send a failed mail again (after the address or the mail server was put right)."""
    mail = access.in_event(OutboundMail, mail_id, event)
    if ActionForm().validate_on_submit():
        if mail_outbox.retry(mail.id):
            # A help request's words never go into the audit log, which outlives the purge of
            # sensitive data and goes into the archive whatever is asked: the desk's mails by their kind.
            about_request = mail.kind in TICKET_MAIL_KINDS
            audit.record(event, current_user, "mail.retry", subject=mail.recipient,
                         detail=mail.kind if about_request else mail.subject)
            db.session.commit()
            flash(_("The mail to %(email)s is queued to be sent again.", email=mail.recipient), "success")
        else:
            db.session.rollback()
            flash(_("This mail has not failed; it needs no retry."), "error")
    state = "failed" if request.args.get("state") == "failed" else None
    return redirect(url_for("staff.outbox", slug=event.slug, state=state), 303)
