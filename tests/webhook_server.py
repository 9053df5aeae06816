"""A real HTTP receiver on loopback for the webhook tests.

It checks the signature, keeps one ticket per Idempotency-Key (as a helpdesk that honours
the key would), and can be told to misbehave: answer 500, answer 429 with Retry-After,
hang past the client's timeout, reset the connection, or refuse the credentials.
"""

from __future__ import annotations

import json
import socket
import struct
import threading
import time
from collections import deque
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from ally_helpdesk.transports.webhook import SIGNATURE_HEADER, TIMESTAMP_HEADER, sign


class Receiver:
    def __init__(self, secret: str = "s3cret-for-tests") -> None:
        self.secret = secret
        self.tickets: dict[str, dict] = {}  # idempotency key -> ticket
        self.requests = 0
        self.bad_signatures = 0
        self.plan: deque[str] = (
            deque()
        )  # what to do with the next requests: ok, 500, 429, hang, reset, 401
        self.lock = threading.Lock()
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length", "0"))
                body = self.rfile.read(length)
                with receiver.lock:
                    receiver.requests += 1
                    action = receiver.plan.popleft() if receiver.plan else "ok"
                if action == "reset":
                    # RST instead of a reply: SO_LINGER with a zero timeout, then close.
                    self.connection.setsockopt(
                        socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0)
                    )
                    self.connection.close()
                    return
                if action == "hang":
                    time.sleep(3.0)
                    return
                if action in ("500", "401"):
                    self._reply(int(action), {"error": action})
                    return
                if action == "429":
                    self._reply(429, {"error": "slow down"}, {"Retry-After": "7"})
                    return
                expected = sign(receiver.secret, self.headers.get(TIMESTAMP_HEADER, ""), body)
                if self.headers.get(SIGNATURE_HEADER) != expected:
                    with receiver.lock:
                        receiver.bad_signatures += 1
                    self._reply(401, {"error": "bad signature"})
                    return
                key = self.headers.get("Idempotency-Key", "")
                report = json.loads(body)
                with receiver.lock:
                    ticket = receiver.tickets.get(key)
                    if ticket is None:
                        ticket = {"id": 1000 + len(receiver.tickets), "report": report}
                        receiver.tickets[key] = ticket
                self._reply(
                    201, {"ticket": ticket["id"], "url": f"http://127.0.0.1/tickets/{ticket['id']}"}
                )

            def _reply(self, status: int, data: dict, headers: dict | None = None) -> None:
                payload = json.dumps(data).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(payload)))
                for k, v in (headers or {}).items():
                    self.send_header(k, v)
                self.end_headers()
                self.wfile.write(payload)

            def log_message(self, *args) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/ally"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self) -> Receiver:
        self.thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self.server.shutdown()
        self.server.server_close()
