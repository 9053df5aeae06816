"""The relay's ASGI application: routes, the proxy rule, safe headers, one log line per
request, and the forwarder started and stopped with the app."""

from __future__ import annotations

import contextlib
import ipaddress
import logging
import time
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from relay import admin, api
from relay.config import RelaySettings
from relay.context import Relay

log = logging.getLogger("relay.http")
CSS = (Path(__file__).parent / "static" / "relay.css").read_bytes()
SAFE_HEADERS = [
    (b"x-content-type-options", b"nosniff"),
    (b"referrer-policy", b"no-referrer"),
    (b"cache-control", b"no-store"),
    (b"x-frame-options", b"DENY"),
]


async def stylesheet(_request: Request) -> Response:
    return Response(CSS, media_type="text/css", headers={"Cache-Control": "max-age=3600"})


class Edge:
    """Outermost middleware: who the client really is, safe headers, the access log.

    Behind a reverse proxy, X-Forwarded-For and -Proto are believed only when the
    connection itself comes from a trusted proxy (``[server] trusted_proxies``); the
    request is then marked ``ally.from_proxy`` so that the proxy's sign-in header can be
    trusted too, and never otherwise.
    """

    def __init__(self, app: Any, settings: RelaySettings) -> None:
        self.app = app
        self.behind_proxy = settings.server.behind_proxy
        self.trusted = [
            ipaddress.ip_network(p, strict=False) for p in settings.server.trusted_proxies
        ]

    def _from_trusted(self, host: str | None) -> bool:
        try:
            ip = ipaddress.ip_address(host or "")
        except ValueError:
            return False
        return any(ip in net for net in self.trusted)

    async def __call__(self, scope: dict, receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        peer = scope.get("client")
        if self.behind_proxy and peer and self._from_trusted(peer[0]):
            headers = dict(scope["headers"])
            forwarded = headers.get(b"x-forwarded-for", b"").decode("latin-1")
            if forwarded:
                scope["client"] = (forwarded.split(",")[-1].strip(), 0)
            proto = headers.get(b"x-forwarded-proto", b"").decode("latin-1").strip()
            if proto in ("http", "https"):
                scope["scheme"] = proto
            scope["ally.from_proxy"] = True
        started = time.monotonic()
        status = {"code": 0}
        scope.setdefault("state", {})

        async def send_with_headers(message: dict) -> None:
            if message["type"] == "http.response.start":
                status["code"] = message["status"]
                names = {k.lower() for k, _ in message.get("headers", [])}
                message["headers"] = list(message.get("headers", [])) + [
                    (k, v) for k, v in SAFE_HEADERS if k not in names
                ]
            await send(message)

        try:
            await self.app(scope, receive, send_with_headers)
        except Exception:
            # Starlette has answered 500 already (when it still could). One structured
            # line for IT instead of uvicorn's bare traceback; the relay goes on.
            log.exception("request failed", extra={"path": scope["path"]})
            if status["code"] == 0:
                await send_with_headers(
                    {"type": "http.response.start", "status": 500, "headers": []}
                )
                await send({"type": "http.response.body", "body": b""})
        finally:
            extra = {
                "method": scope["method"],
                "path": scope["path"],
                "status": status["code"],
                "ms": round((time.monotonic() - started) * 1000, 1),
                "client": (scope.get("client") or ("?",))[0],
            }
            extra.update(scope["state"].get("log_extra", {}))
            log.info("request", extra=extra)


def create_app(settings: RelaySettings, relay: Relay | None = None) -> Any:
    relay = relay or Relay(settings)

    @contextlib.asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        relay.forwarder.start()
        log.info(
            "relay started",
            extra={
                "database": relay.store.engine.dialect.name,
                "forwarding_to": settings.forward.transport.kind,
            },
        )
        try:
            yield
        finally:
            relay.forwarder.stop()
            relay.store.engine.dispose()
            relay.store.queue_engine.dispose()

    app = Starlette(
        routes=[*api.routes, Route("/admin/static/relay.css", stylesheet), *admin.routes],
        lifespan=lifespan,
    )
    app.state.relay = relay
    return Edge(app, settings)
