"""Routes: /login, /login/link/<token>, /logout, /account and signing out everywhere."""

from flask import current_app, flash, redirect, request, session, url_for
from flask_login import current_user
from sqlalchemy import select

from portal import access, limits
from portal.auth import bp, sessions
from portal.auth.forms import AccountForm, ActionForm, SignInForm
from portal.auth.services import consume_link, find_link, safe_next, send_sign_in_link
from portal.database import utcnow
from portal.extensions import db, login_manager
from portal.i18n import current_language, gettext as _
from portal.models import User
from portal.rendering import INVALID, render


@login_manager.user_loader
def load_user(token: str) -> User | None:
    return sessions.load(token)


@bp.route("/login", methods=["GET", "POST"])
@limits.by_ip
@limits.by_address
@access.anonymous
def login():
    """Ask for a sign-in link by e-mail, or sign in with a password."""
    form = SignInForm()
    next_url = safe_next(request.values.get("next"))
    if not form.validate_on_submit():
        status = INVALID if form.errors else 200
        return render("auth/login.html", form=form, next_url=next_url, status=status)

    if form.password.data:
        user = db.session.scalar(select(User).where(User.email == User.normalise_email(form.email.data)))
        if user is None or not user.check_password(form.password.data):
            form.password.errors.append(_("That e-mail address and password do not match."))
            return render("auth/login.html", form=form, next_url=next_url, status=INVALID)
        user.last_sign_in_at = utcnow()
        db.session.commit()
        sessions.sign_in(user, proved=False)
        return redirect(next_url or _home_for(user), 303)

    send_sign_in_link(form.email.data, next_url)
    # The same page whether or not the address is known, so it cannot be probed.
    return redirect(url_for("auth.link_sent"), 303)


@bp.get("/login/sent")
@access.anonymous
def link_sent():
    """Say that a link is on its way if the address is known."""
    return render("auth/link_sent.html")


@bp.route("/login/link/<token>", methods=["GET", "POST"])
@limits.by_ip
@access.anonymous
def use_link(token: str):
    """Sign in with an e-mailed link; GET asks for a click so mail scanners cannot use it up."""
    if request.method == "GET":
        valid = find_link(token) is not None
        return render("auth/use_link.html", token=token, valid=valid, status=200 if valid else 410)
    used = consume_link(token, current_language())
    if used is None:
        return render("auth/use_link.html", token=token, valid=False, status=410)
    link, user = used
    sessions.sign_in(user, proved=True)
    return redirect(safe_next(link.next_url) or _home_for(user), 303)


@bp.post("/logout")
@access.anonymous
def logout():
    """Sign out: this session ends on the server too, wherever its cookie was copied."""
    sessions.end_current()
    flash(_("You are signed out."), "info")
    return redirect(url_for("events.index"), 303)


@bp.route("/account", methods=["GET", "POST"])
@limits.by_guest("SIGN_IN_ADDRESS_RATE_LIMIT", "account-password",
                 when=lambda: bool(request.form.get("current_password")))
@access.signed_in
def account():
    """Change your name, language and password."""
    form = AccountForm(obj=current_user)
    proved = sessions.proved_since(current_app.config["SIGN_IN_LINK_MINUTES"])
    if form.validate_on_submit() and _password_allowed(form, proved):
        user = current_user._get_current_object()
        user.display_name = form.display_name.data.strip()
        user.language = form.language.data
        if form.new_password.data:
            user.set_password(form.new_password.data)
            sessions.end_all(user)
        db.session.commit()
        if form.new_password.data:
            # Every session ends, this one too (a copy of its cookie may be what prompted the change);
            # this browser goes on in a new one.
            sessions.sign_in(user, proved=False)
        session["lang"] = form.language.data
        flash(_("Your account is saved. Every other session of this account is signed out.")
              if form.new_password.data else _("Your account is saved."), "success")
        return redirect(url_for("auth.account"), 303)
    return render("auth/account.html", form=form, proved=proved,
                  status=INVALID if form.errors else 200)


def _password_allowed(form: AccountForm, proved: bool) -> bool:
    """A new password needs the current one, or an e-mailed link used a moment ago in this browser."""
    if not form.new_password.data or proved:
        return True
    if not current_user.password_hash:
        form.new_password.errors.append(_("To set a password, first confirm your address: "
                                          "ask for a link by e-mail below and open it."))
    elif not form.current_password.data:
        form.current_password.errors.append(_("Enter your current password to change it."))
    elif not current_user.check_password(form.current_password.data):
        form.current_password.errors.append(_("That is not your current password."))
    else:
        return True
    return False


@bp.post("/account/confirm")
@limits.by_guest("SIGN_IN_ADDRESS_RATE_LIMIT", "account-confirm")
@access.signed_in
def confirm_address():
    """Mail a sign-in link to my own address: opening it proves it is mine, so I may set a password."""
    if ActionForm().validate_on_submit():
        send_sign_in_link(current_user.email, url_for("auth.account"))
        flash(_("A link is on its way to %(email)s. Open it within %(minutes)d minutes, then set your password.",
                email=current_user.email, minutes=current_app.config["SIGN_IN_LINK_MINUTES"]), "info")
    return redirect(url_for("auth.account"), 303)


@bp.post("/account/sign-out-everywhere")
@access.signed_in
def sign_out_everywhere():
    """End every session of my account, on every device, this one included."""
    if not ActionForm().validate_on_submit():
        return redirect(url_for("auth.account"), 303)
    sessions.end_all(current_user)
    db.session.commit()
    sessions.end_current()
    flash(_("You are signed out on every device."), "info")
    return redirect(url_for("events.index"), 303)


def _home_for(user: User) -> str:
    return url_for("staff.index") if user.is_staff else url_for("events.index")
