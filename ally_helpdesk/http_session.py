"""The one way Ally makes HTTP(S) sessions: certificates checked against the operating
system's own trust store.

Python's requests trusts its own bundled list (certifi) by default, so a company CA or a
TLS-inspection root that IT pushed to every machine (GPO, MDM, update-ca-certificates)
would be refused. truststore hands certificate checks to the system instead: Windows'
certificate store, macOS's keychains, OpenSSL's system store on Linux. A CA named in the
policy (``ca_bundle``) is trusted as well; checks are never turned off.

Proxies: the environment (``https_proxy``, ``no_proxy``) and, on Windows and macOS, the
system's settings, as requests reads them; and proxy auto-configuration (a PAC file) through
pypac: the PAC URL IT names in the policy (``[network] proxy_pac``), else the one the system
is set to (Windows' and macOS's proxy settings), else — only where IT allows it with
``[network] proxy_wpad`` — WPAD's well-known names. A PAC file is read once an hour at most;
when it cannot be read, requests go as the environment says and ``ally doctor`` tells why.
"""

from __future__ import annotations

import logging
import ssl
import sys
import threading
import time
from dataclasses import dataclass
from typing import Any

from ally_helpdesk import __version__
from ally_words import say

USER_AGENT = f"Ally/{__version__}"
PAC_KEEP_S = 3600.0  # a PAC file is read again after an hour
PAC_WAIT_S = 5.0
log = logging.getLogger(__name__)


@dataclass(frozen=True)
class ProxyChoice:
    """IT's proxy settings from the policy (``[network] proxy_pac``, ``proxy_wpad``)."""

    pac_url: str | None = None
    wpad: bool = False

    @property
    def looks_for_pac(self) -> bool:
        """Whether a PAC file may apply here at all: named by IT, allowed by WPAD, or set in
        the system's settings (Windows and macOS keep one; Linux desktops leave it to the
        environment)."""
        return bool(self.pac_url) or self.wpad or sys.platform in ("win32", "darwin")


@dataclass
class _Pac:
    choice: ProxyChoice
    found_at: float
    pac: Any  # a pypac PACFile, or None when none applies
    problem: str | None


# No PAC file named by IT: the environment's proxies and the system's own settings.
SYSTEM_PROXIES = ProxyChoice()

_pac_lock = threading.Lock()
_pac_cache: _Pac | None = None


def system_context(ca_bundle: str | None = None) -> ssl.SSLContext:
    import truststore

    context = truststore.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    if ca_bundle:
        context.load_verify_locations(ca_bundle)
    return context


def new_session(
    ca_bundle: str | None = None,
    user_agent: str = USER_AGENT,
    proxy: ProxyChoice = SYSTEM_PROXIES,
) -> Any:
    """A requests.Session whose HTTPS trusts the system's store (and ``ca_bundle``).
    Proxies come from a PAC file where one applies (``proxy``: the desktop passes its
    policy's choice; the relay none, so only the system's settings), else the environment
    and, on Windows and macOS, the system settings."""
    import requests

    pac = pac_in_force(proxy).pac
    if pac is not None:
        from pypac import PACSession

        session = PACSession(pac=pac)
    else:
        session = requests.Session()
    session.mount("https://", _trusting_adapter(ca_bundle))
    session.headers["User-Agent"] = user_agent
    return session


def proxy_for(url: str, proxy: ProxyChoice = SYSTEM_PROXIES) -> str | None:
    """The proxy a request to ``url`` goes through (the PAC file's first choice where one
    applies, else the environment and the system's settings), without any password in
    it; None for direct."""
    from urllib.parse import urlsplit

    import requests.utils

    pac = pac_in_force(proxy).pac
    if pac is not None:
        from pypac.resolver import ProxyConfigExhaustedError, ProxyResolver

        try:
            chosen = ProxyResolver(pac).get_proxy_for_requests(url) or {}
        except ProxyConfigExhaustedError:  # the PAC file offers nothing for this address
            return None
    else:
        chosen = requests.utils.get_environ_proxies(url)
    scheme = urlsplit(url).scheme
    found = chosen.get(scheme) or chosen.get("all")
    return _without_password(found) if found else None


def pac_in_force(choice: ProxyChoice) -> _Pac:
    """The PAC file for ``choice``, read at most once an hour (and never on a Linux
    desktop IT gave no PAC setting: nothing is looked up, nothing extra is loaded)."""
    global _pac_cache
    with _pac_lock:
        cached = _pac_cache
        if (
            cached is not None
            and cached.choice == choice
            and time.monotonic() - cached.found_at < PAC_KEEP_S
        ):
            return cached
        pac, problem = _find_pac(choice) if choice.looks_for_pac else (None, None)
        _pac_cache = _Pac(choice, time.monotonic(), pac, problem)
        return _pac_cache


def _it(key: str, /, **values: object) -> str:
    """IT's words about the proxy's PAC file ([transport_detail.proxy] in the catalog)."""
    return say(key, "transport_detail.proxy", **values)


def _find_pac(choice: ProxyChoice) -> tuple[Any, str | None]:
    try:
        from pypac import get_pac
        from pypac.parser import MalformedPacError
    except ImportError:  # a build without pypac: the environment's proxies still apply
        return None, _it("no_pypac")
    import requests

    where = choice.pac_url or _it("system_and_wpad" if choice.wpad else "system")
    fetcher = requests.Session()
    fetcher.mount("https://", _trusting_adapter())
    try:
        if choice.pac_url:
            pac = get_pac(url=choice.pac_url, timeout=PAC_WAIT_S, session=fetcher)
        else:
            pac = get_pac(from_os_settings=True, from_dns=choice.wpad, timeout=PAC_WAIT_S)
    except (MalformedPacError, requests.RequestException, OSError, ValueError) as exc:
        log.warning("proxy auto-configuration from %s not used: %s", where, exc)
        return None, _it("pac_unusable", where=where, error=exc)
    finally:
        fetcher.close()
    if pac is None and choice.pac_url:
        log.warning("no PAC file at %s", choice.pac_url)
        return None, _it("no_pac", url=choice.pac_url)
    return pac, None


def _trusting_adapter(ca_bundle: str | None = None) -> Any:
    """An HTTPS adapter that checks certificates against the system's store (and IT's
    CA), for direct connections and through a proxy alike."""
    from requests.adapters import HTTPAdapter

    context = system_context(ca_bundle)

    class SystemTrust(HTTPAdapter):
        def init_poolmanager(self, *args: Any, **kwargs: Any) -> Any:
            kwargs["ssl_context"] = context
            return super().init_poolmanager(*args, **kwargs)

        def proxy_manager_for(self, *args: Any, **kwargs: Any) -> Any:
            kwargs["ssl_context"] = context
            return super().proxy_manager_for(*args, **kwargs)

    return SystemTrust()


def _without_password(proxy: str) -> str:
    from urllib.parse import urlsplit, urlunsplit

    parts = urlsplit(proxy if "://" in proxy else f"http://{proxy}")
    host = parts.hostname or ""
    netloc = f"{host}:{parts.port}" if parts.port else host
    return urlunsplit((parts.scheme, netloc, "", "", ""))
