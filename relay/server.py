"""Running the relay under uvicorn: TLS by itself (``[server] tls_cert``/``tls_key``) or
plain HTTP on loopback behind a reverse proxy that terminates TLS.

One process: SQLite allows one writer at a time anyway, and asyncio keeps thousands of
slow connections cheap. For PostgreSQL fleets, more relays can share one database (the
queue's claims skip each other's rows); see docs/relay.md.
"""

from __future__ import annotations

import logging

import uvicorn

from relay import logs
from relay.app import create_app
from relay.config import RelaySettings
from relay.db import upgrade

log = logging.getLogger("relay")


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
    config = uvicorn.Config(
        create_app(settings),
        host=s.host,
        port=s.port,
        ssl_certfile=s.tls_cert,
        ssl_keyfile=s.tls_key,
        # h11 even where httptools is installed: h11 refuses an unfinished request head
        # over 16 KB, httptools buffers whatever headers a client sends.
        http="h11",
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
    uvicorn.Server(config).run()
    return 0
