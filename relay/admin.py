"""IT's view: devices, recent reports with their delivery state, enrolment tokens.

Server-rendered, no JavaScript. Sign-in is either a local account (Argon2id password,
a random session id stored only as its hash, cookie HttpOnly + SameSite=Strict, Secure
over HTTPS) or the reverse proxy's own sign-in (a header that is trusted only when the
request really came from a trusted proxy). Every form carries a CSRF token.
"""

from __future__ import annotations

import hashlib
import hmac
import logging
import secrets
import time
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs

from jinja2 import Environment, FileSystemLoader, select_autoescape
from sqlalchemy import delete, insert, select
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import HTMLResponse, RedirectResponse, Response
from starlette.routing import Route

from ally_words import say
from relay import passwords
from relay.api import NUMBER, BodyError, client, read_body
from relay.context import Relay
from relay.schema import admin_sessions
from relay.store import web_link

log = logging.getLogger("relay.admin")
COOKIE = "ally_relay_session"
PROXY_SECRET_HEADER = "X-Ally-Proxy-Secret"
FORM_MAX_BYTES = 8192
PAGE_CSP = (
    "default-src 'none'; style-src 'self'; img-src 'self'; form-action 'self'; "
    "frame-ancestors 'none'; base-uri 'none'"
)
REPORT_CSP = "default-src 'none'; style-src 'unsafe-inline'; img-src data:; sandbox"

templates = Environment(
    loader=FileSystemLoader(Path(__file__).parent / "templates"),
    autoescape=select_autoescape(["html"]),
)


def _when(t: float | None) -> str:
    """A stored time as IT reads it; one no calendar holds (1e300, nan: written by an
    older relay) is "—", so one bad row never takes the whole page down."""
    try:
        return "—" if t is None else time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime(t))
    except (OverflowError, ValueError, OSError):
        return "—"


templates.filters["when"] = _when
# A stored ticket link is a link only when it is a web address: a database from before the
# store kept only those may still hold a "javascript:" one (issue 31).
templates.filters["web_link"] = web_link


def page(name: str, status: int = 200, **values: Any) -> HTMLResponse:
    html = templates.get_template(name).render(**values)
    return HTMLResponse(html, status, headers={"Content-Security-Policy": PAGE_CSP})


# --- who is signed in -------------------------------------------------------------------


def _hash(session_id: str) -> str:
    return hashlib.sha256(session_id.encode()).hexdigest()


def signed_in(relay: Relay, request: Request) -> tuple[str, str] | None:
    """(user, csrf token) of the person asking, or None."""
    if relay.settings.admin.auth == "proxy":
        if not request.scope.get("ally.from_proxy"):
            return None
        # From the proxy's address, and with the secret only the proxy knows: any account
        # on the relay's machine can connect from 127.0.0.1 too.
        secret = relay.settings.proxy_secret()
        sent = request.headers.get(PROXY_SECRET_HEADER, "")
        if secret is None or not hmac.compare_digest(sent.encode(), secret.encode()):
            return None
        given = request.headers.getlist(relay.settings.admin.proxy_user_header)
        if len(given) != 1:  # twice: a proxy that appends passes the client's own first
            return None
        user = given[0].strip()
        if not user:
            return None
        csrf = hmac.new(relay.form_secret, user.encode(), hashlib.sha256).hexdigest()
        return user, csrf
    sid = request.cookies.get(COOKIE)
    if not sid or len(sid) > 100:
        return None
    with relay.store.engine.connect() as c:
        row = c.execute(
            select(admin_sessions).where(
                admin_sessions.c.id_hash == _hash(sid), admin_sessions.c.expires_at > time.time()
            )
        ).first()
    if row is None or relay.store.user_hash(row.user_name) is None:
        return None
    return row.user_name, row.csrf


async def _who(request: Request) -> tuple[str, str] | None:
    return await run_in_threadpool(signed_in, request.app.state.relay, request)


async def _form(request: Request, csrf: str | None) -> dict[str, str] | None:
    """The posted form, or None when it is too big, too slow or forged."""
    try:
        body = await read_body(request, FORM_MAX_BYTES, 10.0)
    except BodyError:
        return None
    fields = {k: v[0] for k, v in parse_qs(body.decode("utf-8", "replace")).items()}
    if csrf is not None and not hmac.compare_digest(fields.get("csrf", ""), csrf):
        return None
    return fields


def _to_login() -> Response:
    return RedirectResponse("/admin/login", 303)


# --- pages ------------------------------------------------------------------------------


def _w(key: str) -> str:
    """IT's words on the relay's pages ([relay_admin] in the catalog)."""
    return say(key, "relay_admin")


async def login_page(request: Request) -> Response:
    relay: Relay = request.app.state.relay
    if relay.settings.admin.auth == "proxy":
        return page("message.html", 403, title=_w("sign_in_title"), text=_w("sign_in_proxy"))
    return page("login.html", error=None)


async def login(request: Request) -> Response:
    relay: Relay = request.app.state.relay
    if relay.settings.admin.auth != "local":
        return page("message.html", 403, title=_w("sign_in_title"), text=_w("sign_in_proxy"))
    if relay.login_limit.take(client(request)):
        return page("login.html", 429, error=_w("too_many_attempts"))
    fields = await _form(request, None)
    if fields is None:
        return page("login.html", 400, error=_w("form_unreadable"))
    user, password = fields.get("user", "")[:100], fields.get("password", "")[:1000]
    stored = await run_in_threadpool(relay.store.user_hash, user)
    if not await run_in_threadpool(passwords.verify, stored, password):
        log.warning("IT sign-in refused", extra={"user": user, "client": client(request)})
        return page("login.html", 401, error=_w("no_match"))
    sid = secrets.token_urlsafe(32)
    now = time.time()
    hours = relay.settings.admin.session_hours

    def save() -> None:
        with relay.store.engine.begin() as c:
            c.execute(delete(admin_sessions).where(admin_sessions.c.expires_at < now))
            c.execute(
                insert(admin_sessions).values(
                    id_hash=_hash(sid),
                    user_name=user,
                    csrf=secrets.token_hex(32),
                    created_at=now,
                    expires_at=now + hours * 3600,
                )
            )

    await run_in_threadpool(save)
    log.info("IT signed in", extra={"user": user, "client": client(request)})
    response = RedirectResponse("/admin", 303)
    response.set_cookie(
        COOKIE,
        sid,
        max_age=int(hours * 3600),
        httponly=True,
        samesite="strict",
        secure=request.url.scheme == "https",
        path="/admin",
    )
    return response


async def logout(request: Request) -> Response:
    relay: Relay = request.app.state.relay
    who = await _who(request)
    if who is None or await _form(request, who[1]) is None:
        return _to_login()
    sid = request.cookies.get(COOKIE, "")

    def forget() -> None:
        with relay.store.engine.begin() as c:
            c.execute(delete(admin_sessions).where(admin_sessions.c.id_hash == _hash(sid)))

    await run_in_threadpool(forget)
    response = _to_login()
    response.delete_cookie(COOKIE, path="/admin")
    return response


async def dashboard(request: Request, new_token: str | None = None) -> Response:
    relay: Relay = request.app.state.relay
    who = await _who(request)
    if who is None:
        return _to_login()
    devices = await run_in_threadpool(relay.store.devices)
    reports = await run_in_threadpool(relay.store.recent_reports)
    enrol = await run_in_threadpool(relay.store.enrolment_tokens)
    queue = await run_in_threadpool(relay.store.queue_stats)
    return page(
        "dashboard.html",
        user=who[0],
        csrf=who[1],
        devices=devices,
        reports=reports,
        tokens=enrol,
        queue=queue,
        new_token=new_token,
        now=time.time(),
        local=relay.settings.admin.auth == "local",
    )


async def report_view(request: Request) -> Response:
    relay: Relay = request.app.state.relay
    if await _who(request) is None:
        return _to_login()
    key = request.path_params["number"]
    row = await run_in_threadpool(relay.store.report, int(key)) if NUMBER.match(key) else None
    if row is None:
        return page("message.html", 404, title=_w("not_found_title"), text=_w("no_such_report"))
    if row.body is None:
        return page("message.html", 410, title=_w("gone_title"), text=_w("report_dropped"))
    import json

    from ally_helpdesk.it_view import html_view  # only when IT opens a report: it is large

    html = await run_in_threadpool(lambda: html_view.render(json.loads(row.body)))
    return HTMLResponse(html, headers={"Content-Security-Policy": REPORT_CSP})


async def act(request: Request) -> Response:
    """The POST buttons: revoke a device, revoke or make an enrolment token, retry."""
    relay: Relay = request.app.state.relay
    who = await _who(request)
    if who is None:
        return _to_login()
    fields = await _form(request, who[1])
    if fields is None:
        return page("message.html", 403, title=_w("refused_title"), text=_w("form_refused"))
    what, key = request.path_params["what"], request.path_params["key"]
    store = relay.store
    if what == "device-revoke":
        await run_in_threadpool(store.revoke_device, key)
        relay.forget_devices()
    elif what == "token-revoke":
        await run_in_threadpool(store.revoke_enrolment_token, key)
    elif what == "report-retry" and NUMBER.match(key):
        await run_in_threadpool(store.retry, int(key))
        relay.forwarder_wake()
    elif what == "token-new":
        try:
            days = float(fields.get("days") or 7)
            uses = int(fields["uses"]) if fields.get("uses") else None
        except ValueError:
            return page("message.html", 400, title=_w("refused_title"), text=_w("days_and_uses"))
        try:
            token = await run_in_threadpool(
                store.create_enrolment_token, fields.get("note", ""), days or None, uses
            )
        except ValueError as exc:  # numbers no token can have (1e300 days, nan, 0 uses)
            return page("message.html", 400, title=_w("refused_title"), text=str(exc))
        log.info("enrolment token made", extra={"user": who[0], "token": token.id})
        return await dashboard(request, new_token=str(token))
    else:
        return page("message.html", 404, title=_w("not_found_title"), text=_w("no_such_action"))
    log.info("IT action", extra={"user": who[0], "action": what, "key": key})
    return RedirectResponse("/admin", 303)


routes = [
    Route("/admin", dashboard, methods=["GET"]),
    Route("/admin/login", login_page, methods=["GET"]),
    Route("/admin/login", login, methods=["POST"]),
    Route("/admin/logout", logout, methods=["POST"]),
    Route("/admin/reports/{number}", report_view, methods=["GET"]),
    Route("/admin/{what}/{key}", act, methods=["POST"]),
]
