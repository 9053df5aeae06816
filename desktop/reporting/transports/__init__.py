"""Every way a desktop reaches IT: the helpdesks of the shared package
(ally_helpdesk/transports/, built here from the policy and the keyring in
desktop/reporting/delivery.py) and the desktop's own way to IT's relay (relay.py).
tests/unit/test_registries.py holds this list and the policy's kinds together.
"""

from __future__ import annotations

import importlib
from types import ModuleType

from ally_helpdesk.transports import HELPDESKS

# kind (as IT writes it in [transport] kind) -> the module, imported only when used.
TRANSPORTS: dict[str, str] = {**HELPDESKS, "relay": "desktop.reporting.transports.relay"}


def module(kind: str) -> ModuleType | None:
    """The transport module for ``kind``, or None for a kind Ally does not have."""
    name = TRANSPORTS.get(kind)
    return importlib.import_module(name) if name else None
