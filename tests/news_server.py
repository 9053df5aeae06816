"""A real status page on loopback for the news tests: Python's HTTP server answering
``/api/v2/summary.json`` in the Statuspage v2 shape, with ETag and Last-Modified, over
plain HTTP or HTTPS with the test CA's certificate.

The test changes what it says (an incident opened → updated → resolved) and can make it
misbehave: garbage, a list instead of an object, a web page, a claimed or a streamed
gigabyte, a drip of one byte at a time (in the body, the status line or the headers), redirects to the same host or to another one,
a server error. It counts what it answered, so conditional requests can be checked.
"""

from __future__ import annotations

import copy
import hashlib
import json
import ssl
import threading
import time
from email.utils import formatdate
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

REAL_INCIDENT = Path(__file__).parent / "data" / "news" / "githubstatus_incident_1nyvf21q5dn7.json"
PATH = "/api/v2/summary.json"


def company_summary(stage: str) -> dict:
    """A company's summary.json at one stage of an outage. The incident object is GitHub's
    real one (tests/data/news, see SOURCES.md) with a company's names and the stage's
    status put in; the summary around it follows the Statuspage v2 shape."""
    real = json.loads(REAL_INCIDENT.read_text())
    page = real["page"] | {"name": "Example Ltd IT", "url": "https://status.example.com"}
    email = real["incident"]["components"][0] | {
        "id": "c-email",
        "name": "Exchange Online",
        "status": "operational",
        "description": "Email",
    }
    printers = email | {"id": "c-print", "name": "Printers", "description": "Print server"}
    summary = {
        "page": page,
        "components": [email, printers],
        "incidents": [],
        "scheduled_maintenances": [],
        "status": {"indicator": "none", "description": "All Systems Operational"},
    }
    if stage in ("quiet", "resolved"):  # summary.json lists only unresolved incidents
        return summary
    incident = copy.deepcopy(real["incident"])
    down = email | {"status": "major_outage"}
    first = incident["incident_updates"][-1] | {
        "body": "We are investigating delays in sending and receiving email.",
        "affected_components": [
            {
                "code": "c-email",
                "name": "Exchange Online",
                "old_status": "operational",
                "new_status": "major_outage",
            }
        ],
    }
    incident.update(
        id="inc-mail-1",
        name="Email delays",
        status="investigating",
        impact="major",
        resolved_at=None,
        incident_updates=[first],
        components=[down],
    )
    if stage == "updated":
        incident["status"] = "identified"
        incident["incident_updates"].insert(
            0, first | {"id": "u2", "status": "identified", "body": "A fix is being put in place."}
        )
    summary["components"] = [down, printers]
    summary["incidents"] = [incident]
    summary["status"] = {"indicator": "major", "description": "Partial System Outage"}
    return summary


class StatusServer:
    def __init__(self, cert: Path | None = None, key: Path | None = None, host: str = "127.0.0.1"):
        self.lock = threading.Lock()
        self.mode = "normal"
        self.answers: list[int] = []
        self.set_summary(company_summary("quiet"))
        server = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.0"

            def do_GET(self) -> None:
                server.handle(self)

            def log_message(self, *args) -> None:
                pass

        self.httpd = ThreadingHTTPServer((host, 0), Handler)
        self.httpd.daemon_threads = True
        self.scheme = "http"
        if cert is not None:
            ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
            ctx.load_cert_chain(str(cert), str(key))
            self.httpd.socket = ctx.wrap_socket(self.httpd.socket, server_side=True)
            self.scheme = "https"
        self.host = host
        self.port = self.httpd.server_address[1]
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()

    def url(self, host: str | None = None, path: str = PATH) -> str:
        return f"{self.scheme}://{host or self.host}:{self.port}{path}"

    def set_summary(self, doc: dict) -> None:
        body = json.dumps(doc).encode()
        with self.lock:
            self.body = body
            self.etag = '"' + hashlib.sha256(body).hexdigest()[:16] + '"'
            self.last_modified = formatdate(time.time(), usegmt=True)

    def stop(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()

    # --- answering ------------------------------------------------------------------------

    def _send(
        self, h: BaseHTTPRequestHandler, status: int, body: bytes, kind: str, **headers
    ) -> None:
        with self.lock:
            self.answers.append(status)
        h.send_response(status)
        h.send_header("Content-Type", kind)
        h.send_header("Content-Length", str(len(body)))
        for k, v in headers.items():
            h.send_header(k.replace("_", "-"), v)
        h.end_headers()
        h.wfile.write(body)

    def handle(self, h: BaseHTTPRequestHandler) -> None:
        mode = self.mode
        try:
            if mode == "garbage":
                return self._send(h, 200, b'{"incidents": [ this is not json', "application/json")
            if mode == "list":
                return self._send(h, 200, b"[1, 2, 3]", "application/json")
            if mode == "html":
                return self._send(h, 200, b"<html>Please sign in</html>", "text/html")
            if mode == "error":
                return self._send(h, 500, b"oops", "text/plain")
            if mode == "redirect_other":
                return self._send(
                    h,
                    302,
                    b"",
                    "text/plain",
                    Location=f"http://elsewhere.example:{self.port}{PATH}",
                )
            if mode == "redirect_same" and h.path == PATH:
                return self._send(h, 302, b"", "text/plain", Location="/moved/summary.json")
            if mode == "claims_gigabyte":
                with self.lock:
                    self.answers.append(200)
                h.send_response(200)
                h.send_header("Content-Type", "application/json")
                h.send_header("Content-Length", str(1024**3))
                h.end_headers()
                h.wfile.write(b"{" * 65536)
                return None
            if mode == "streams_gigabyte":  # no length: the client has to stop reading itself
                with self.lock:
                    self.answers.append(200)
                h.send_response(200)
                h.send_header("Content-Type", "application/json")
                h.end_headers()
                chunk = b" " * 65536
                sent = 0
                while sent < 1024**3:
                    h.wfile.write(chunk)
                    sent += len(chunk)
                return None
            if mode in ("drip_status", "drip_headers"):  # before the body: the head itself
                with self.lock:
                    self.answers.append(200)
                head = b"HTTP/1.1 200 OK\r\n" if mode == "drip_headers" else b""
                h.wfile.write(head)
                slow = b"X-Slow: " if head else b"HTTP/1.1 200 OK"
                for byte in (slow + b"a" * 10000)[:300]:
                    try:
                        h.wfile.write(bytes([byte]))
                        h.wfile.flush()
                    except OSError:  # the client gave up, as it must
                        return None
                    time.sleep(0.2)
                return None
            if mode == "drip":
                with self.lock:
                    self.answers.append(200)
                h.send_response(200)
                h.send_header("Content-Type", "application/json")
                h.send_header("Content-Length", "100000")
                h.end_headers()
                for _ in range(10000):
                    h.wfile.write(b" ")
                    h.wfile.flush()
                    time.sleep(0.2)
                return None
            with self.lock:
                body, etag, modified = self.body, self.etag, self.last_modified
            if h.headers.get("If-None-Match") == etag or (
                h.headers.get("If-None-Match") is None
                and h.headers.get("If-Modified-Since") == modified
            ):
                with self.lock:
                    self.answers.append(304)
                h.send_response(304)
                h.send_header("ETag", etag)
                h.end_headers()
                return None
            return self._send(
                h, 200, body, "application/json; charset=utf-8", ETag=etag, Last_Modified=modified
            )
        except (BrokenPipeError, ConnectionResetError, ssl.SSLError):
            return None  # the client stopped reading, as it should
