"""Reading IT's status feed: small, bounded, conditional, and never anywhere else.

HTTP(S) with the standard library's http.client, so Ally controls every limit itself:
a total deadline (a server that drips one byte at a time cannot hold it), a size cap
(checked on Content-Length and while reading), redirects followed only within the same
scheme, host and port, certificates always verified (the system's CAs plus IT's company
CA), and ETag / If-Modified-Since so an unchanged feed costs one small answer. A feed on
a file share is read with the same size cap in a thread with a time limit, and only when
its size or time stamp changed. Every failure is a FetchError with a reason for IT. The
request goes through the proxy reports would take, a PAC file's choice included.
"""

from __future__ import annotations

import contextlib
import errno
import http.client
import os
import socket
import ssl
import stat
import threading
import time
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass
from urllib.parse import urljoin, urlparse
from urllib.request import url2pathname

from ally_helpdesk.http_session import ProxyChoice, pac_in_force, proxy_for
from desktop import __version__
from desktop.diagnostics.bounded import call_with_timeout

MAX_BYTES = 1024 * 1024  # a summary.json of a large company is tens of KB
TOTAL_S = 10.0
CONNECT_S = 5.0
MAX_REDIRECTS = 3
USER_AGENT = f"Ally/{__version__} news"
_JSON_TYPES = ("application/json", "text/json", "text/plain", "application/octet-stream")
_contexts: dict[str | None, ssl.SSLContext] = {}


class FetchError(Exception):
    """The feed could not be read; the message says why, for IT."""


@dataclass(frozen=True)
class Fetched:
    changed: bool  # False: the feed is as it was (304, or the same file)
    body: bytes | None
    etag: str | None
    last_modified: str | None
    stamp: str | None  # a file feed's size and time, to notice a change without reading
    status: int | None  # HTTP status
    bytes_read: int


def tls_context(ca_bundle: str | None) -> ssl.SSLContext:
    """One context per CA setting, built once: loading CAs is the costly part of TLS."""
    ctx = _contexts.get(ca_bundle)
    if ctx is None:
        ctx = ssl.create_default_context()
        if ca_bundle:
            ctx.load_verify_locations(cafile=ca_bundle)
        _contexts[ca_bundle] = ctx
    return ctx


def fetch(
    url: str,
    etag: str | None = None,
    last_modified: str | None = None,
    stamp: str | None = None,
    ca_bundle: str | None = None,
    total_s: float = TOTAL_S,
    max_bytes: int = MAX_BYTES,
    proxy: ProxyChoice | None = None,
) -> Fetched:
    """The feed at ``url`` (http, https, file or a path), only if it changed since
    ``etag``/``last_modified``/``stamp``; ``proxy`` is IT's proxy settings from the policy."""
    parsed = urlparse(url)
    if parsed.scheme in ("http", "https"):
        return _http(url, etag, last_modified, ca_bundle, total_s, max_bytes, proxy)
    path = _file_path(url)
    try:
        return call_with_timeout(lambda: _file(path, stamp, max_bytes), total_s, "ally-news-file")
    except TimeoutError as exc:
        raise FetchError(_it("file_timeout", path=path, seconds=f"{total_s:.0f}")) from exc


def _it(key: str, /, **values: object) -> str:
    """IT's words about reading the status feed ([news_it] in the catalog)."""
    from desktop.base.words import say

    return say(key, "news_it", **values)


def _file_path(url: str) -> str:
    parsed = urlparse(url)
    if parsed.scheme != "file":
        return url  # a plain path
    if parsed.netloc and parsed.netloc != "localhost":
        return "\\\\" + parsed.netloc + url2pathname(parsed.path)  # a Windows share
    return url2pathname(parsed.path)


def _file(path: str, stamp: str | None, max_bytes: int) -> Fetched:
    try:
        st = os.stat(path)
    except OSError as exc:
        raise FetchError(f"{path}: {exc.strerror or exc}") from exc
    if not stat.S_ISREG(st.st_mode):
        raise FetchError(_it("not_a_file", path=path))
    if st.st_size > max_bytes:
        raise FetchError(_it("file_too_big", path=path, size=st.st_size, limit=max_bytes))
    now_stamp = f"{st.st_size}:{st.st_mtime_ns}"
    if stamp == now_stamp:
        return Fetched(False, None, None, None, stamp, None, 0)
    # O_NONBLOCK: if the file was swapped for a pipe since stat(), opening does not hang.
    fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0))
    try:
        if not stat.S_ISREG(os.fstat(fd).st_mode):
            raise FetchError(_it("not_a_file", path=path))
        with os.fdopen(fd, "rb", closefd=False) as fh:
            body = fh.read(max_bytes + 1)
    finally:
        os.close(fd)
    if len(body) > max_bytes:
        raise FetchError(_it("file_grew", path=path, limit=max_bytes))
    return Fetched(True, body, None, None, now_stamp, None, len(body))


def _proxy_for(parsed, proxy: ProxyChoice | None) -> tuple[str, int] | None:
    """Where the request goes first. Where a PAC file applies (IT's, the system's or
    WPAD's: ``proxy``), the proxy it names, as for reports (http_session); else the
    environment's and the system's settings, read with urllib, so that requests is not
    loaded into the tray where no PAC file can apply."""
    if proxy is not None and proxy.looks_for_pac and pac_in_force(proxy).pac is not None:
        named = proxy_for(parsed.geturl(), proxy)
        if named is None:
            return None  # DIRECT
        p = urlparse(named)
        if p.scheme not in ("http", "https") or not p.hostname:
            raise FetchError(_it("proxy_kind", proxy=named))
        return p.hostname, p.port or 8080
    host = parsed.hostname or ""
    if urllib.request.proxy_bypass(host):
        return None
    proxy = urllib.request.getproxies().get(parsed.scheme)
    if not proxy:
        return None
    p = urlparse(proxy if "://" in proxy else f"http://{proxy}")
    return (p.hostname or "", p.port or 8080) if p.hostname else None


def _connection(
    parsed, ca_bundle: str | None, timeout: float, proxy_choice: ProxyChoice | None
) -> tuple[http.client.HTTPConnection, str]:
    """A connection to the feed's host (through the proxy if there is one) and the
    request target to send."""
    host, port = parsed.hostname or "", parsed.port
    path = parsed.path or "/"
    if parsed.query:
        path += "?" + parsed.query
    proxy = _proxy_for(parsed, proxy_choice)
    if parsed.scheme == "https":
        if proxy:
            conn = http.client.HTTPSConnection(
                proxy[0], proxy[1], timeout=timeout, context=tls_context(ca_bundle)
            )
            conn.set_tunnel(host, port or 443)
        else:
            conn = http.client.HTTPSConnection(
                host, port or 443, timeout=timeout, context=tls_context(ca_bundle)
            )
        return conn, path
    if proxy:
        return http.client.HTTPConnection(proxy[0], proxy[1], timeout=timeout), parsed.geturl()
    return http.client.HTTPConnection(host, port or 80, timeout=timeout), path


def _origin(parsed) -> tuple[str, str, int]:
    default = 443 if parsed.scheme == "https" else 80
    return parsed.scheme, (parsed.hostname or "").lower(), parsed.port or default


def _http(
    url: str,
    etag: str | None,
    last_modified: str | None,
    ca_bundle: str | None,
    total_s: float,
    max_bytes: int,
    proxy: ProxyChoice | None,
) -> Fetched:
    deadline = time.monotonic() + total_s
    origin = _origin(urlparse(url))
    for _ in range(MAX_REDIRECTS + 1):
        parsed = urlparse(url)
        left = deadline - time.monotonic()
        if left <= 0:
            raise FetchError(_it("timeout", seconds=f"{total_s:.0f}"))
        conn, target = _connection(parsed, ca_bundle, min(CONNECT_S, left), proxy)
        cuts: list[_Cut] = []
        # The way to the answer is within the deadline too: the name lookup, every address
        # it gives, a proxy's answer to CONNECT and the TLS handshake (http.client's own
        # hook for making the socket).
        conn._create_connection = _connect_by(deadline, cuts)  # type: ignore[attr-defined]
        try:
            headers = {
                "User-Agent": USER_AGENT,
                "Accept": "application/json",
                "Accept-Encoding": "identity",
            }
            if etag:
                headers["If-None-Match"] = etag
            if last_modified:
                headers["If-Modified-Since"] = last_modified
            cut = None
            try:
                conn.connect()
                cut = cuts[-1]  # armed on the socket as soon as it was connected
                sock = conn.sock  # kept: the connection lets go of it once the answer starts
                sock.settimeout(max(deadline - time.monotonic(), 0.01))
                conn.request("GET", target, headers=headers)
                response = conn.getresponse()
            except ssl.SSLCertVerificationError as exc:
                raise FetchError(_it("not_trusted", error=exc.verify_message)) from exc
            except (OSError, http.client.HTTPException) as exc:
                if any(c.is_set() for c in cuts) or time.monotonic() >= deadline:
                    raise FetchError(_it("timeout", seconds=f"{total_s:.0f}")) from exc
                raise FetchError(f"{parsed.hostname}: {type(exc).__name__}: {exc}") from exc
            status = response.status
            if status in (301, 302, 303, 307, 308):
                location = response.getheader("Location") or ""
                nxt = urljoin(url, location)
                if _origin(urlparse(nxt)) != origin:
                    raise FetchError(
                        _it(
                            "other_host",
                            status=status,
                            scheme=urlparse(nxt).scheme,
                            host=urlparse(nxt).hostname,
                        )
                    )
                url = nxt
                continue
            if status == 304:
                return Fetched(False, None, etag, last_modified, None, 304, 0)
            if status != 200:
                raise FetchError(f"HTTP {status} {response.reason}")
            kind = (response.getheader("Content-Type") or "").split(";")[0].strip().lower()
            if kind and kind not in _JSON_TYPES and not kind.endswith("+json"):
                raise FetchError(_it("not_json_type", kind=kind))
            length = response.getheader("Content-Length")
            if length and length.isdigit() and int(length) > max_bytes:
                raise FetchError(_it("too_big", size=length, limit=max_bytes))
            try:
                body = _read(sock, response, deadline, max_bytes, total_s)
            except (OSError, http.client.HTTPException) as exc:
                if cut.is_set():
                    raise FetchError(_it("timeout", seconds=f"{total_s:.0f}")) from exc
                raise FetchError(f"{parsed.hostname}: {type(exc).__name__}: {exc}") from exc
            if cut.is_set():  # shut mid-answer: what came is not the whole of it
                raise FetchError(_it("timeout_partly", seconds=f"{total_s:.0f}", size=len(body)))
            return Fetched(
                True,
                body,
                response.getheader("ETag"),
                response.getheader("Last-Modified"),
                None,
                200,
                len(body),
            )
        finally:
            for c in cuts:
                c.cancel()
            conn.close()
    raise FetchError(_it("redirects", count=MAX_REDIRECTS))


class _Cut:
    """Shuts a socket at a deadline unless cancelled first; says whether it did."""

    def __init__(self, deadline: float, sock: socket.socket) -> None:
        self._fired = threading.Event()
        self._timer = threading.Timer(max(deadline - time.monotonic(), 0.0), self._fire, (sock,))
        self._timer.daemon = True
        self._timer.start()

    def _fire(self, sock: socket.socket) -> None:
        self._fired.set()
        with contextlib.suppress(OSError):
            sock.shutdown(socket.SHUT_RDWR)

    def is_set(self) -> bool:
        return self._fired.is_set()

    def cancel(self) -> None:
        self._timer.cancel()


def _cut_at(deadline: float, sock: socket.socket) -> _Cut:
    return _Cut(deadline, sock)


def _connect_by(deadline: float, cuts: list[_Cut]) -> Callable[..., socket.socket]:
    """``socket.create_connection`` within ``deadline``: the name looked up where the wait
    can be given up (getaddrinfo has no time limit of its own: a name server that never
    answers held a poll for the resolver's 10 s), each address tried with the time that is
    left (two that never answer took 5 s each), and the socket shut at the deadline
    whatever is read next (a proxy dripping its CONNECT answer, a slow TLS handshake).
    A socket's timeout alone is per read: a byte at a time would never trip it."""

    def create(address: tuple[str, int], *_: object, **__: object) -> socket.socket:
        host, port = address
        failure: OSError = _timed_out(host)  # said as the catalog's "timeout" by the caller
        for family, kind, proto, _name, where in _lookup(host, port, deadline):
            left = deadline - time.monotonic()
            if left <= 0:
                break
            sock = socket.socket(family, kind, proto)
            try:
                sock.settimeout(min(CONNECT_S, left))
                sock.connect(where)
            except OSError as exc:
                sock.close()
                failure = exc
                continue
            cuts.append(_cut_at(deadline, sock))
            sock.settimeout(max(deadline - time.monotonic(), 0.01))
            return sock
        raise failure

    return create


def _timed_out(host: str) -> TimeoutError:
    """The deadline passed on the way to ``host`` (the system's own words for it)."""
    return TimeoutError(errno.ETIMEDOUT, os.strerror(errno.ETIMEDOUT), host)


def _lookup(host: str, port: int, deadline: float) -> list[tuple]:
    """getaddrinfo on a thread of its own, waited for until ``deadline`` only: a lookup
    still going then is let go (it ends with the resolver's own timeout)."""
    found: dict[str, object] = {}
    done = threading.Event()

    def look() -> None:
        try:
            found["addresses"] = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
        except OSError as exc:
            found["error"] = exc
        finally:
            done.set()

    threading.Thread(target=look, name="feed-name-lookup", daemon=True).start()
    if not done.wait(max(deadline - time.monotonic(), 0.0)):
        raise _timed_out(host)
    if "error" in found:
        raise found["error"]  # type: ignore[misc]
    return found["addresses"]  # type: ignore[return-value]


def _read(sock, response, deadline: float, max_bytes: int, total_s: float) -> bytes:
    chunks: list[bytes] = []
    size = 0
    while True:
        left = deadline - time.monotonic()
        if left <= 0:
            raise FetchError(_it("timeout_partly", seconds=f"{total_s:.0f}", size=size))
        sock.settimeout(left)
        try:
            chunk = response.read1(65536)
        except TimeoutError as exc:  # the socket's time ran out with the deadline
            raise FetchError(_it("timeout_partly", seconds=f"{total_s:.0f}", size=size)) from exc
        except (OSError, http.client.HTTPException) as exc:
            raise FetchError(_it("broke_off", size=size, error=exc)) from exc
        if not chunk:
            return b"".join(chunks)
        size += len(chunk)
        if size > max_bytes:
            raise FetchError(_it("grew", limit=max_bytes))
        chunks.append(chunk)
