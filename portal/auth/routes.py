"""Routes: /login, /login/link/<token>, /logout, /account."""

from flask import current_app, flash, redirect, request, session, url_for
from flask_login import current_user, login_user, logout_user
from sqlalchemy import bindparam, select
from sqlalchemy.orm import joinedload

from portal import access
from portal.auth import bp
from portal.auth.forms import AccountForm, SignInForm
from portal.auth.services import consume_link, find_link, safe_next, send_sign_in_link
from portal.database import utcnow
from portal.extensions import db, limiter, login_manager
from portal.i18n import gettext as _
from portal.models import User
from portal.rendering import INVALID, render


# The roles come in the same query: nearly every page asks for them (is_staff in the header,
# the access rules, the console's can()), which cost a second query each request. Built once:
# Session.get with loader options worked out the statement's cache key again on every request.
_USER_WITH_ROLES = select(User).options(joinedload(User.roles)).where(User.id == bindparam("user_id"))


@login_manager.user_loader
def load_user(user_id: str) -> User | None:
    return db.session.execute(_USER_WITH_ROLES, {"user_id": int(user_id)}).unique().scalar_one_or_none()


def _sign_in_limit() -> str:
    return current_app.config["SIGN_IN_RATE_LIMIT"]


@bp.route("/login", methods=["GET", "POST"])
@limiter.limit(_sign_in_limit, methods=["POST"])
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
        _start_session(user)
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
@limiter.limit(_sign_in_limit, methods=["POST"])
@access.anonymous
def use_link(token: str):
    """Sign in with an e-mailed link; GET asks for a click so mail scanners cannot use it up."""
    if request.method == "GET":
        valid = find_link(token) is not None
        return render("auth/use_link.html", token=token, valid=valid, status=200 if valid else 410)
    link = consume_link(token)
    if link is None:
        return render("auth/use_link.html", token=token, valid=False, status=410)
    _start_session(link.user)
    return redirect(link.next_url or _home_for(link.user), 303)


@bp.post("/logout")
@access.anonymous
def logout():
    """Sign out and forget the session."""
    language = session.get("lang")
    logout_user()
    session.clear()
    if language:
        session["lang"] = language
    flash(_("You are signed out."), "info")
    return redirect(url_for("events.index"), 303)


@bp.route("/account", methods=["GET", "POST"])
@access.signed_in
def account():
    """Change your name, language and password."""
    form = AccountForm(obj=current_user)
    if form.validate_on_submit():
        current_user.display_name = form.display_name.data.strip()
        current_user.language = form.language.data
        if form.new_password.data:
            current_user.set_password(form.new_password.data)
        db.session.commit()
        session["lang"] = form.language.data
        flash(_("Your account is saved."), "success")
        return redirect(url_for("auth.account"), 303)
    return render("auth/account.html", form=form, status=INVALID if form.errors else 200)


def _start_session(user: User) -> None:
    # A fresh session on every sign-in: nothing from before it carries over.
    language = session.get("lang")
    session.clear()
    login_user(user)
    session["lang"] = language or user.language


def _home_for(user: User) -> str:
    return url_for("staff.index") if user.is_staff else url_for("events.index")
