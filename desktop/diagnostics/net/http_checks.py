"""Reaching the internet over HTTP(S), and spotting a login page (captive portal) in the way.

Proxy settings are respected: requests reads the environment and, through the standard
library, the system's own proxy settings on Windows and macOS. Certificate checks stay on.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from urllib.parse import urlparse

from desktop import __version__
from desktop.diagnostics.net.causes import FAILED, TIMEOUT, words

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
    cause: str | None = None  # a code of net/causes.py when it failed


def proxy_for(url: str) -> str | None:
    """The proxy this URL goes through, as requests will take it (a PAC file, the
    environment, the system settings), never with its password: it goes into the report."""
    from ally_helpdesk.http_session import proxy_for as chosen
    from desktop.policy.config import proxy_choice

    return chosen(url, proxy_choice())


def _get(url: str, timeout: tuple[float, float], ca_bundle: str | None):
    from ally_helpdesk.http_session import new_session  # the system's trust store, as transports
    from desktop.policy.config import proxy_choice

    with new_session(ca_bundle, USER_AGENT, proxy_choice()) as session:
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
        said = words("certificate", why=_short(exc)[1])
        return HttpCheck(url, False, None, None, said, proxy=proxy, cause="certificate")
    except requests.exceptions.ProxyError as exc:
        said = words("proxy_failed", proxy=proxy, why=_short(exc)[1])
        return HttpCheck(url, False, None, None, said, proxy=proxy, cause="proxy")
    except requests.exceptions.ConnectTimeout:
        said = words("no_connection_within", seconds=timeout[0])
        return HttpCheck(url, False, None, None, said, proxy=proxy, cause=TIMEOUT)
    except requests.exceptions.ReadTimeout:
        said = words("no_reply_within", seconds=timeout[1])
        return HttpCheck(url, False, None, None, said, proxy=proxy, cause=TIMEOUT)
    except requests.exceptions.RequestException as exc:
        cause, said = _short(exc)
        return HttpCheck(url, False, None, None, said, proxy=proxy, cause=cause)
    elapsed = (time.perf_counter() - t0) * 1000
    with response:
        status = response.status_code
        location = response.headers.get("Location")
        redirect_host = urlparse(location).hostname if location else None
    if expect_status is None:
        ok = status < 500
        if ok:
            return HttpCheck(url, ok, status, elapsed, None, proxy=proxy)
        said = words("server_error", status=status)
        return HttpCheck(url, ok, status, elapsed, said, proxy=proxy, cause="server_error")
    ok = status == expect_status
    portal = not ok and (300 <= status < 400 or status == 200 or status == 511)
    return HttpCheck(
        url,
        ok,
        status,
        elapsed,
        None if ok else words("unexpected_status", expected=expect_status, status=status),
        redirect_host,
        portal,
        proxy,
        None if ok else "unexpected_status",
    )


# What IT needs from requests' nested exceptions: the root cause, found by a marker in
# their text (requests', urllib3's and the OS's own words), as a code whose few words
# for IT are in [evidence.network_walk].
_CAUSES = (
    ("NameResolutionError", "name_not_found"),
    ("Name or service not known", "name_not_found"),
    ("getaddrinfo failed", "name_not_found"),
    ("Connection refused", "connection_refused"),
    ("No route to host", "no_route"),
    ("Network is unreachable", "network_unreachable"),
    ("timed out", TIMEOUT),
    ("Connection reset", "connection_reset"),
    ("RemoteDisconnected", "server_closed"),
)


def _short(exc: Exception) -> tuple[str, str]:
    """(cause code, IT's words) for a failed request: the known root cause in a few
    words, else the exception's own text, cut short."""
    text = str(exc)
    for marker, cause in _CAUSES:
        if marker in text:
            return cause, words(cause)
    return FAILED, text if len(text) <= 160 else text[:157] + "..."
