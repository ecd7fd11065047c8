"""Route /staff/e/<slug>/look: the event's look and the practical information on its home page.

/staff/e/<slug>/look                     look (GET, POST)                    organizer
"""

from flask import flash, redirect, url_for
from flask_login import current_user

from portal import access, audit, look as images
from portal.extensions import db
from portal.i18n import gettext as _
from portal.models import Event
from portal.rendering import INVALID, render
from portal.staff import bp
from portal.staff.forms import LookForm
from portal.staff.routes import PERMISSIONS


def image_refusal(reason: str) -> str:
    return {
        "too_large": _("This file is larger than 3 MB; send a smaller one."),
        "too_many_pixels": _("This picture has more than 40 million pixels; send a smaller one."),
    }.get(reason, _("This file is not a picture this page can use; send a PNG, JPEG, WebP or GIF image."))


@bp.route("/e/<slug>/look", methods=["GET", "POST"])
@access.staff(*PERMISSIONS["settings"])
def look(event: Event):
    """Set the event's accent colour, logo, cover and map, and its practical information."""
    form = LookForm(obj=event)
    if form.validate_on_submit():
        values = form.texts()
        for kind in form.IMAGES:
            upload = form[kind].data
            column = images.KINDS[kind].column
            if form[f"remove_{kind}"].data:
                values[column] = ""
            elif upload and upload.filename:
                try:
                    values[column] = images.store_image(upload.read(images.MAX_BYTES + 1), kind)
                except images.ImageRefused as refused:
                    form[kind].errors.append(image_refusal(refused.reason))
        if not form.errors:
            changed = [name for name, value in values.items() if getattr(event, name) != value]
            for name in changed:
                setattr(event, name, values[name])
            if changed:
                audit.record(event, current_user, "event.look", subject=event.slug, detail=", ".join(changed))
            db.session.commit()
            flash(_("The look and practical information are saved.") if changed else _("Nothing was changed."),
                  "success")
            return redirect(url_for("staff.look", slug=event.slug), 303)
    return render("staff/look.html", event=event, form=form, status=INVALID if form.errors else 200)
