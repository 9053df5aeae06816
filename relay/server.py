"""Running the relay under uvicorn: TLS by itself (``[server] tls_cert``/``tls_key``) or
plain HTTP on loopback behind a reverse proxy that terminates TLS.

One process by default: SQLite allows one writer at a time anyway, and asyncio keeps
thousands of slow connections cheap. With PostgreSQL, ``[server] workers`` runs several
processes on one socket (``relay/workers.py``); more relays on other machines can share
the same database too (the queue's claims skip each other's rows); see docs/relay.md.
"""

from __future__ import annotations

import logging
from typing import Any

import uvicorn

from relay import logs, workers
from relay.app import create_app
from relay.config import RelaySettings
from relay.context import Relay
from relay.db import upgrade
from relay.http_guard import guarded_protocol

log = logging.getLogger("relay")


def uvicorn_config(app: Any, settings: RelaySettings) -> uvicorn.Config:
    s = settings.server
    return uvicorn.Config(
        app,
        host=s.host,
        port=s.port,
        ssl_certfile=s.tls_cert,
        ssl_keyfile=s.tls_key,
        # h11 even where httptools is installed: h11 refuses an unfinished request head
        # over 16 KB, httptools buffers whatever headers a client sends. Ours adds a
        # deadline for each head and a cap per address (relay/http_guard.py). The event
        # loop is uvloop where installed (the relay extra has it on Linux and macOS).
        http=guarded_protocol(s),
        loop="auto",
        proxy_headers=False,  # the app's own Edge middleware applies trusted_proxies
        server_header=False,
        date_header=True,
        access_log=False,
        log_config=None,
        limit_concurrency=s.max_connections,
        timeout_keep_alive=5,
        timeout_graceful_shutdown=10,
        h11_max_incomplete_event_size=16 * 1024,  # request line and headers: 16 KB at most
    )


def serve(settings: RelaySettings) -> int:
    logs.setup()
    if settings.migrate_on_start:
        upgrade(settings.database)
    s = settings.server
    if not s.tls_cert and s.host not in ("127.0.0.1", "::1", "localhost") and not s.behind_proxy:
        log.warning(
            "listening without TLS on a non-loopback address; put a TLS proxy in front "
            "or set [server] tls_cert and tls_key"
        )
    shared = workers.Shared()
    if s.workers == 1:
        app = create_app(settings, Relay(settings, shared))
        uvicorn.Server(uvicorn_config(app, settings)).run()
        return 0
    sock = workers.listen(s.host, s.port)

    def serve_one() -> None:  # in each forked worker: its own database pools and threads
        app = create_app(settings, Relay(settings, shared))
        uvicorn.Server(uvicorn_config(app, settings)).run(sockets=[sock])

    return workers.run(s.workers, serve_one)
