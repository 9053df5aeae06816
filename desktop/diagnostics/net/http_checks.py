"""Reaching the internet over HTTP(S), and spotting a login page (captive portal) in the way.

Proxy settings are respected: requests reads the environment and, through the standard
library, the system's own proxy settings on Windows and macOS. Certificate checks stay on.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from urllib.parse import urlparse

from desktop import __version__

USER_AGENT = f"Ally/{__version__} connectivity check"


@dataclass(frozen=True)
class HttpCheck:
    url: str
    ok: bool  # answered as expected
    status: int | None
    elapsed_ms: float | None
    error: str | None
    redirect_host: str | None = None  # where a redirect pointed (host only)
    looks_like_portal: bool = False
    proxy: str | None = None


def proxy_for(url: str) -> str | None:
    """The proxy this URL goes through, as requests will take it (a PAC file, the
    environment, the system settings), never with its password: it goes into the report."""
    from desktop.http_session import proxy_for as chosen

    return chosen(url)


def _get(url: str, timeout: tuple[float, float], ca_bundle: str | None):
    from desktop.http_session import new_session  # the system's trust store, as transports

    with new_session(ca_bundle, USER_AGENT) as session:
        return session.get(url, timeout=timeout, allow_redirects=False, stream=True)


def check(
    url: str, expect_status: int | None, timeout: tuple[float, float], ca_bundle: str | None
) -> HttpCheck:
    """GET ``url`` without following redirects. With ``expect_status`` (the connectivity
    check) any other answer is taken as a login page in the way."""
    import requests  # loaded only when the network is checked: it is heavy for an idle tray

    proxy = proxy_for(url)
    t0 = time.perf_counter()
    try:
        response = _get(url, timeout, ca_bundle)
    except requests.exceptions.SSLError as exc:
        return HttpCheck(url, False, None, None, f"certificate problem: {_short(exc)}", proxy=proxy)
    except requests.exceptions.ProxyError as exc:
        return HttpCheck(
            url, False, None, None, f"proxy {proxy} failed: {_short(exc)}", proxy=proxy
        )
    except requests.exceptions.ConnectTimeout:
        return HttpCheck(
            url, False, None, None, f"no connection within {timeout[0]:.1f} s", proxy=proxy
        )
    except requests.exceptions.ReadTimeout:
        return HttpCheck(
            url,
            False,
            None,
            None,
            f"connected, but no reply within {timeout[1]:.1f} s",
            proxy=proxy,
        )
    except requests.exceptions.RequestException as exc:
        return HttpCheck(url, False, None, None, _short(exc), proxy=proxy)
    elapsed = (time.perf_counter() - t0) * 1000
    with response:
        status = response.status_code
        location = response.headers.get("Location")
        redirect_host = urlparse(location).hostname if location else None
    if expect_status is None:
        ok = status < 500
        return HttpCheck(
            url, ok, status, elapsed, None if ok else f"server error {status}", proxy=proxy
        )
    ok = status == expect_status
    portal = not ok and (300 <= status < 400 or status == 200 or status == 511)
    return HttpCheck(
        url,
        ok,
        status,
        elapsed,
        None if ok else f"expected {expect_status}, got {status}",
        redirect_host,
        portal,
        proxy,
    )


# What IT needs from requests' nested exceptions: the root cause in a few words.
_CAUSES = (
    ("NameResolutionError", "the name could not be looked up"),
    ("Name or service not known", "the name could not be looked up"),
    ("getaddrinfo failed", "the name could not be looked up"),
    ("Connection refused", "connection refused"),
    ("No route to host", "no route to host"),
    ("Network is unreachable", "network unreachable"),
    ("timed out", "timed out"),
    ("Connection reset", "connection reset"),
    ("RemoteDisconnected", "the server closed the connection"),
)


def _short(exc: Exception) -> str:
    text = str(exc)
    for marker, meaning in _CAUSES:
        if marker in text:
            return meaning
    return text if len(text) <= 160 else text[:157] + "..."
