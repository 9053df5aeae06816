"""One module per helpdesk a report can be handed to, all with the same small interface
(base.py): ``USES`` (the policy keys it reads), ``SECRET`` (the secret it needs, or None)
and ``make(t, secret, proxy, default_folder)``, where ``secret`` reads the secret
when it is needed. The desktop builds them from its policy
and keyring (desktop/reporting/delivery.py), the relay from ``[forward]`` and its secret
file (relay/helpdesk.py).

Adding a helpdesk (Zammad, GLPI, Jira Service Management) means one module here, named in
``HELPDESKS`` below and in ``HELPDESK_KINDS`` (transport_policy.py);
tests/unit/test_registries.py says what is missing.
"""

from __future__ import annotations

import importlib
from types import ModuleType

# kind (as IT writes it in [transport] or [forward] kind) -> the module, imported only when
# used: HTTP and mail libraries cost memory on every office PC, and most use one only.
HELPDESKS: dict[str, str] = {
    "folder": "ally_helpdesk.transports.folder",
    "webhook": "ally_helpdesk.transports.webhook",
    "email": "ally_helpdesk.transports.email",
    "request-tracker": "ally_helpdesk.transports.request_tracker",
}


def module(kind: str) -> ModuleType | None:
    """The helpdesk module for ``kind``, or None for a kind there is none of."""
    name = HELPDESKS.get(kind)
    return importlib.import_module(name) if name else None
