""" "The internet" for the network-walk tests: runs inside the world namespace.

HTTP on 80 (the connectivity check, or a captive portal's redirect for one subnet),
HTTPS on 443 with the test CA's certificate, a DNS server on 53 that answers *.ally.test
with the world's own address on the asking client's subnet, and "IT's file server" on
TCP 8443. Nothing here talks to anything outside the test namespaces.
"""

from __future__ import annotations

import argparse
import socket
import ssl
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import dns.message
import dns.rcode
import dns.rdatatype
import dns.rrset


def world_address_for(client: str) -> str:
    a, b, c, _ = client.split(".")
    return f"{a}.{b}.{c}.1"


def make_handler(captive_subnets: set[int]):
    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            subnet = int(self.connection.getsockname()[0].split(".")[2])
            if self.path == "/signin":  # the person signs in on the portal's page
                captive_subnets.discard(subnet)
                body = b"signed in\n"
                self.send_response(200)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)
                return
            if self.path == "/generate_204":
                if subnet in captive_subnets:
                    self.send_response(302)
                    self.send_header("Location", "http://login.portal.ally.test/welcome")
                    self.send_header("Content-Length", "0")
                    self.end_headers()
                    return
                self.send_response(204)
                self.end_headers()
                return
            body = b"the internet\n"
            self.send_response(200)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args) -> None:
            pass

    return Handler


def make_proxy_handler(log_path: str):
    """A forward proxy for plain HTTP that records what it was asked and answers the
    connectivity check itself (as a company proxy in front of the internet would pass it on)."""

    class Proxy(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            with open(log_path, "a", encoding="utf-8") as log:
                log.write(self.path + "\n")
            self.send_response(204 if self.path.endswith("/generate_204") else 502)
            self.send_header("Content-Length", "0")
            self.end_headers()

        def log_message(self, *args) -> None:
            pass

    return Proxy


def serve_dns() -> None:
    sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    sock.bind(("0.0.0.0", 53))
    while True:
        data, addr = sock.recvfrom(4096)
        try:
            query = dns.message.from_wire(data)
        except Exception:
            continue
        response = dns.message.make_response(query)
        question = query.question[0]
        name = question.name.to_text()
        if name.endswith(".ally.test.") and question.rdtype == dns.rdatatype.A:
            response.answer.append(
                dns.rrset.from_text(name, 30, "IN", "A", world_address_for(addr[0]))
            )
        elif not name.endswith(".ally.test."):
            response.set_rcode(dns.rcode.NXDOMAIN)
        sock.sendto(response.to_wire(), addr)


def serve_it() -> None:
    server = socket.socket()
    server.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    server.bind(("0.0.0.0", 8443))
    server.listen(64)
    while True:
        conn, _ = server.accept()
        conn.close()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--cert", required=True)
    parser.add_argument("--key", required=True)
    parser.add_argument("--captive", type=int, action="append", default=[])
    parser.add_argument("--proxy-log", required=True)
    args = parser.parse_args()
    proxy = ThreadingHTTPServer(("0.0.0.0", 3128), make_proxy_handler(args.proxy_log))
    handler = make_handler(set(args.captive))
    http = ThreadingHTTPServer(("0.0.0.0", 80), handler)
    https = ThreadingHTTPServer(("0.0.0.0", 443), handler)
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(args.cert, args.key)
    https.socket = context.wrap_socket(https.socket, server_side=True)
    for target in (
        http.serve_forever,
        https.serve_forever,
        proxy.serve_forever,
        serve_dns,
        serve_it,
    ):
        threading.Thread(target=target, daemon=True).start()
    print("ready", flush=True)
    threading.Event().wait()


if __name__ == "__main__":
    main()
