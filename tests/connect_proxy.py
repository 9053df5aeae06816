"""A real forward proxy on loopback, as a company's would be: it takes ``CONNECT
host:port`` and opens the tunnel itself, resolving names from its own table (the desktop
never looks them up), and records every request it was asked to pass on."""

from __future__ import annotations

import select
import socket
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


class ConnectProxy:
    def __init__(self, names: dict[str, tuple[str, int]]) -> None:
        self.names = names  # "host:port" as asked -> where it really is
        self.asked: list[str] = []
        proxy = self

        class Handler(BaseHTTPRequestHandler):
            def do_CONNECT(self) -> None:
                proxy.asked.append(self.path)
                target = proxy.names.get(self.path)
                if target is None:
                    self.send_error(502, "unknown host")
                    return
                try:
                    upstream = socket.create_connection(target, timeout=5)
                except OSError:
                    self.send_error(502, "upstream down")
                    return
                self.send_response(200, "Connection established")
                self.end_headers()
                self._pipe(self.connection, upstream)

            def _pipe(self, a: socket.socket, b: socket.socket) -> None:
                with b:
                    while True:
                        ready, _, _ = select.select([a, b], [], [], 5)
                        if not ready:
                            return
                        for s in ready:
                            data = s.recv(65536)
                            if not data:
                                return
                            (b if s is a else a).sendall(data)

            def log_message(self, *args) -> None:
                pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}"
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)

    def __enter__(self) -> ConnectProxy:
        self.thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()
