"""The one way Ally makes HTTP(S) sessions: certificates checked against the operating
system's own trust store.

Python's requests trusts its own bundled list (certifi) by default, so a company CA or a
TLS-inspection root that IT pushed to every machine (GPO, MDM, update-ca-certificates)
would be refused. truststore hands certificate checks to the system instead: Windows'
certificate store, macOS's keychains, OpenSSL's system store on Linux. A CA named in the
policy (``ca_bundle``) is trusted as well; checks are never turned off.
"""

from __future__ import annotations

import ssl
from typing import Any

from desktop import __version__

USER_AGENT = f"Ally/{__version__}"


def system_context(ca_bundle: str | None = None) -> ssl.SSLContext:
    import truststore

    context = truststore.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    if ca_bundle:
        context.load_verify_locations(ca_bundle)
    return context


def new_session(ca_bundle: str | None = None, user_agent: str = USER_AGENT) -> Any:
    """A requests.Session whose HTTPS trusts the system's store (and ``ca_bundle``).
    Proxies come from the environment and, on Windows and macOS, the system settings."""
    import requests
    from requests.adapters import HTTPAdapter

    context = system_context(ca_bundle)

    class SystemTrust(HTTPAdapter):
        def init_poolmanager(self, *args: Any, **kwargs: Any) -> Any:
            kwargs["ssl_context"] = context
            return super().init_poolmanager(*args, **kwargs)

        def proxy_manager_for(self, *args: Any, **kwargs: Any) -> Any:
            kwargs["ssl_context"] = context
            return super().proxy_manager_for(*args, **kwargs)

    session = requests.Session()
    session.mount("https://", SystemTrust())
    session.headers["User-Agent"] = user_agent
    return session


def proxy_for(url: str) -> str | None:
    """The proxy a request to ``url`` goes through (from the environment and, on Windows
    and macOS, the system's settings), without any password in it; None for direct."""
    from urllib.parse import urlsplit, urlunsplit

    import requests.utils

    proxies = requests.utils.get_environ_proxies(url)
    scheme = urlsplit(url).scheme
    proxy = proxies.get(scheme) or proxies.get("all")
    if not proxy:
        return None
    parts = urlsplit(proxy if "://" in proxy else f"http://{proxy}")
    host = parts.hostname or ""
    netloc = f"{host}:{parts.port}" if parts.port else host
    return urlunsplit((parts.scheme, netloc, "", "", ""))
