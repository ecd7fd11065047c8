"""Offline check-in at the kiosk: the service worker, the kept start screen, the manifest and the resync.

/kiosk/sw.js              the service worker (scope /kiosk/): keeps the shell for a kiosk with no network
/kiosk/offline/<lang>     the shell: the start screen and the screens shown offline, in one language
/kiosk/offline/manifest   what the kiosk needs to recognise guests offline (JSON), if it is allowed to
/kiosk/offline/sync       the scans it queued offline, applied in the order sent, and the badges
                          it printed offline, logged (JSON POST)

All of it is an enhancement loaded by static/js/kiosk-offline.js: without JavaScript
the kiosk works online as before and none of this is asked for. What the manifest
holds and what the sync does are in portal/checkin/offline.py.

The sync is a JSON POST without a CSRF token: the device credential is a
SameSite=Strict cookie, which no other site's request carries, and a JSON body
cannot be sent from another origin without a preflight this app never allows.
"""

import hashlib
import re
from datetime import UTC, datetime
from pathlib import Path

from flask import abort, current_app, g, jsonify, render_template, request, url_for
from flask_babel import force_locale

from kiosk import bp, visit
from kiosk.forms import NONCE, ScanForm
from portal import access
from portal.agenda.announcements import KioskScreen
from portal.checkin import offline
from portal.extensions import csrf, limiter
from portal.guests.addressing import SCRIPTS
from portal.guests.forms import HONORIFICS
from portal.helpdesk import handoff
from portal.i18n import LANGUAGES, current_language, gettext as _
from portal.rendering import render

# What the shell needs besides its page; the worker keeps them, and its version follows their bytes.
SHELL_FILES = ("css/app.css", "css/kiosk.css", "css/badge.css", "favicon.svg", "vendor/htmx-2.0.11/htmx.min.js",
               "js/inplace.js", "js/kiosk.js", "js/kiosk-camera.js", "js/kiosk-store.js", "js/kiosk-offline.js",
               "vendor/jsqr-1.4.0/jsQR.js")
SHELL_TEMPLATES = ("kiosk/sw.js", "kiosk/base.html", "kiosk/start.html", "kiosk/offline.html", "kiosk/_field.html",
                   "kiosk/_language.html", "kiosk/_announcements.html")
TAG = re.compile(r"^[A-Za-z0-9_-]{22}$")
# A sync body holds at most BATCH scans and BATCH prints of a few hundred bytes each.
MAX_SYNC_BYTES = 64 * 1024


def _urls() -> dict:
    """Where kiosk-offline.js finds what it needs; given to it on every kiosk page (templates/kiosk/base.html)."""
    return {
        "worker": url_for("kiosk.offline_worker"), "scope": url_for("kiosk.start"),
        "manifest": url_for("kiosk.offline_manifest"), "sync": url_for("kiosk.offline_sync"),
        "shells": {lang: url_for("kiosk.offline_shell", lang=lang) for lang in LANGUAGES},
        "scan": url_for("kiosk.scan"), "find": url_for("kiosk.find"), "ask": url_for("kiosk.ask"),
        "language": url_for("kiosk.switch_language"), "announcements": url_for("kiosk.announcements_now"),
    }


@bp.context_processor
def offline_helpers():
    return {"kiosk_offline_urls": _urls}


def _shell_version(event) -> str:
    """Changes whenever the kept shell would: a file, a template, a translation, the event's name."""
    digest = hashlib.sha256(f"{event.name_en}\x00{event.name_zh}".encode("utf-8"))
    static = Path(current_app.static_folder)
    for name in SHELL_FILES:
        digest.update((static / name).read_bytes())
    environment = current_app.jinja_env
    for name in SHELL_TEMPLATES:
        digest.update(environment.loader.get_source(environment, name)[0].encode("utf-8"))
    for catalog in sorted(Path(current_app.root_path).parent.glob("translations/*/LC_MESSAGES/messages.po")):
        digest.update(catalog.read_bytes())
    return digest.hexdigest()[:16]


@bp.get("/sw.js")
@access.kiosk_device
def offline_worker(device, event):
    """The service worker that keeps the kiosk's shell for when the network drops."""
    body = render_template(
        "kiosk/sw.js", version=_shell_version(event), scope=url_for("kiosk.start"), pair=url_for("kiosk.pair"),
        store=url_for("static", filename="js/kiosk-store.js"),
        shells={lang: url_for("kiosk.offline_shell", lang=lang) for lang in LANGUAGES},
        files=[url_for("static", filename=name) for name in SHELL_FILES])
    return current_app.response_class(body, mimetype="text/javascript")


def _words() -> dict:
    """What the offline screens say that depends on the guest, in the shell's language."""
    return {
        "honorifics": {code: str(label) for code, label in HONORIFICS if code},
        "prefixOnly": sorted(visit.CHINESE_PREFIX_ONLY),
        "chinese": current_language() == "zh_Hans",
        # addressing's table, so a name offline is marked with the same `lang` as online.
        "scripts": [[pattern.pattern, language] for pattern, language in SCRIPTS],
        "greeting": _("Welcome, %(honorific)s %(name)s", honorific="{honorific}", name="{name}"),
        "greetingPlain": _("Welcome, %(name)s", name="{name}"),
        "checkedIn": _("You are checked in."),
        "already": _("You are already checked in, since %(time)s.", time="{time}"),
    }


@bp.get("/offline/<lang>")
@access.kiosk_device
def offline_shell(device, event, lang: str):
    """The start screen as the kiosk keeps it for when the server cannot be reached, with the offline screens."""
    if lang not in LANGUAGES:
        abort(404)
    # Kept for days: no announcement may be baked into it (the page polls for them once back online).
    g.kiosk_screen = KioskScreen()
    with force_locale(lang):
        return render("kiosk/offline.html", event=event, form=ScanForm(formdata=None, nonce=""), expired=False,
                      lang=lang, words=_words())


@bp.get("/offline/manifest")
@access.kiosk_device
def offline_manifest(device, event):
    """This kiosk's manifest for checking guests in offline; or word that it may not (it then drops its own)."""
    refresh = current_app.config["KIOSK_OFFLINE_REFRESH_SECONDS"]
    if not offline.may_work_offline(device, event):
        return jsonify(offline=False, device=device.id, refresh=refresh)
    version = offline.manifest_version(device, event)
    if version in request.if_none_match:
        response = current_app.response_class(status=304)
    else:
        response = jsonify({**offline.manifest(device, event), "refresh": refresh})
    response.set_etag(version)
    return response


def _read_scan(sent, device) -> tuple[str, offline.QueuedScan | None]:
    """A queued scan as the kiosk sent it: its nonce, and the scan (None if it is not one of this kiosk's)."""
    if not isinstance(sent, dict):
        return "", None
    nonce = sent.get("nonce") if isinstance(sent.get("nonce"), str) else ""
    scanned, told, kiosk = sent.get("tag"), sent.get("told"), sent.get("kiosk")
    if (not NONCE.match(nonce) or not isinstance(scanned, str) or not TAG.match(scanned)
            or told not in (offline.WELCOME, offline.HELP_DESK) or kiosk != device.id or isinstance(kiosk, bool)):
        return nonce[:43], None
    return nonce, offline.QueuedScan(nonce, scanned, told, _moment(sent.get("at")))


def _read_print(sent, device) -> tuple[str, offline.QueuedPrint | None]:
    """A queued badge print as the kiosk sent it: its id, and the print (None if it is not one of this kiosk's)."""
    if not isinstance(sent, dict):
        return "", None
    nonce = sent.get("id") if isinstance(sent.get("id"), str) else ""
    scanned, kiosk, reprint = sent.get("tag"), sent.get("kiosk"), sent.get("reprint", False)
    if (not NONCE.match(nonce) or not isinstance(scanned, str) or not TAG.match(scanned)
            or kiosk != device.id or isinstance(kiosk, bool) or not isinstance(reprint, bool)):
        return nonce[:43], None
    # `reprint` is what the kiosk thought; the log decides by time (checkin.services.record_badge_print).
    return nonce, offline.QueuedPrint(nonce, scanned, _moment(sent.get("at")))


def _moment(milliseconds) -> datetime | None:
    if not isinstance(milliseconds, (int, float)) or isinstance(milliseconds, bool):
        return None
    try:
        return datetime.fromtimestamp(milliseconds / 1000, UTC)
    except (OverflowError, OSError, ValueError):
        return None


@bp.post("/offline/sync")
@csrf.exempt
@limiter.limit(visit.scan_limit, key_func=visit.device_key)
@access.kiosk_device
def offline_sync(device, event):
    """Apply the scans this kiosk queued while offline, in the order sent, and log the badges it printed."""
    if request.content_length is not None and request.content_length > MAX_SYNC_BYTES:
        return jsonify(error="A sync is at most 64 KB."), 413
    sent = request.get_json(silent=True) if request.is_json else None
    scans = sent.get("scans") if isinstance(sent, dict) else None
    prints = sent.get("prints", []) if isinstance(sent, dict) else None
    if (not isinstance(scans, list) or len(scans) > offline.BATCH
            or not isinstance(prints, list) or len(prints) > offline.BATCH):
        return jsonify(error=f"A sync is a JSON object whose scans (and prints) are lists of at most "
                             f"{offline.BATCH}."), 400
    waiting = sent.get("waiting")
    if not isinstance(waiting, int) or isinstance(waiting, bool) or not 0 <= waiting <= 1_000_000:
        waiting = len(scans)
    results = offline.apply_scans(device, event, [_read_scan(scan, device) for scan in scans], waiting)
    for result in results:
        if result.refusal is not None:
            handoff.hand_off(event, result.refusal.registration, device, result.refusal.reason, nonce=result.nonce)
    # After the scans, so a guest checked in and printed for in one batch is checked in first.
    logged = offline.log_prints(device, event, [_read_print(printed, device) for printed in prints])
    return jsonify(results=[{"nonce": r.nonce, "outcome": r.outcome, "conflict": r.conflict} for r in results],
                   prints=[{"id": nonce, "outcome": outcome} for nonce, outcome in logged])
