"""One module per way of reaching IT, all with the same small interface (base.py).

Adding a helpdesk (Zammad, GLPI, Jira Service Management) means one module here that
declares ``USES`` (the ``[transport]`` keys it reads), ``SECRET`` (its keyring entry, or
None) and ``build(policy, paths)``; naming it in ``TRANSPORTS`` below and in the policy's
kinds (desktop/config.py); tests/unit/test_registries.py says what is missing.
"""

from __future__ import annotations

import importlib
from types import ModuleType

# kind (as IT writes it in [transport] kind) -> the module, imported only when used: HTTP
# and mail libraries cost memory on every office PC, and most use one transport only.
TRANSPORTS: dict[str, str] = {
    "folder": "desktop.reporting.transports.folder",
    "webhook": "desktop.reporting.transports.webhook",
    "email": "desktop.reporting.transports.email",
    "request-tracker": "desktop.reporting.transports.request_tracker",
    "relay": "desktop.reporting.transports.relay",
}


def module(kind: str) -> ModuleType | None:
    """The transport module for ``kind``, or None for a kind Ally does not have."""
    name = TRANSPORTS.get(kind)
    return importlib.import_module(name) if name else None
