"""A company CA that IT put in the machine's trust store is trusted (issue 17): the HTTP
sessions of the transports and the network checks use the operating system's store
(truststore), where plain requests would only trust its own bundled list.

The system store is played by OpenSSL's own (SSL_CERT_FILE), which is where Linux keeps
it; a real HTTPS server on loopback presents a certificate from a private CA."""

from __future__ import annotations

import os
import ssl
import subprocess
import sys
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from tests.certs import ca_and_server
from tests.run_ally import ROOT

pytestmark = pytest.mark.skipif(
    not sys.platform.startswith("linux"), reason="the Linux system store is OpenSSL's"
)

PROBE = r"""
import sys
import requests
from ally_helpdesk.http_session import new_session
url = sys.argv[1]
try:
    requests.get(url, timeout=5)
    print("requests-alone: trusted")
except requests.exceptions.SSLError:
    print("requests-alone: refused")
with new_session() as s:
    try:
        print("ally:", s.get(url, timeout=5).status_code)
    except requests.exceptions.SSLError:
        print("ally: refused")
"""


class Hello(BaseHTTPRequestHandler):
    def do_GET(self) -> None:
        self.send_response(200)
        self.send_header("Content-Length", "2")
        self.end_headers()
        self.wfile.write(b"ok")

    def log_message(self, *args) -> None:
        pass


@pytest.fixture
def https_server(tmp_path):
    ca, cert, key = ca_and_server(tmp_path / "pki", ["127.0.0.1"])
    server = ThreadingHTTPServer(("127.0.0.1", 0), Hello)
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    ctx.load_cert_chain(str(cert), str(key))
    server.socket = ctx.wrap_socket(server.socket, server_side=True)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield ca, f"https://127.0.0.1:{server.server_address[1]}/"
    server.shutdown()


def _probe(url: str, system_store: str) -> str:
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in ("REQUESTS_CA_BUNDLE", "CURL_CA_BUNDLE", "SSL_CERT_DIR")
    }
    env.update(SSL_CERT_FILE=system_store, PYTHONPATH=str(ROOT))
    done = subprocess.run(
        [sys.executable, "-c", PROBE, url], capture_output=True, text=True, env=env, timeout=60
    )
    assert done.returncode == 0, done.stderr
    return done.stdout


def test_a_company_ca_in_the_system_store_is_trusted(https_server, tmp_path):
    ca, url = https_server
    store = tmp_path / "system-store.pem"
    system = Path("/etc/ssl/certs/ca-certificates.crt").read_bytes()
    store.write_bytes(system + ca.read_bytes())
    out = _probe(url, str(store))
    assert "requests-alone: refused" in out  # its own bundled list knows nothing of IT's CA
    assert "ally: 200" in out


def test_a_ca_that_is_in_no_store_is_still_refused(https_server, tmp_path):
    _, url = https_server
    out = _probe(url, "/etc/ssl/certs/ca-certificates.crt")
    assert "ally: refused" in out  # certificate checks stay on
