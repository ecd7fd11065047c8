"""Routes: /kiosk/."""

from portal import access
from portal.rendering import render
from kiosk import bp


@bp.get("/")
@access.kiosk_device
def start():
    """The kiosk start screen, for enrolled devices."""
    return render("kiosk/start.html")
