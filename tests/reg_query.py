"""Reading ``reg query KEY /s`` output into the tree Ally's registry reader builds (the
tests' stand-in for winreg, which only exists on Windows)."""

from __future__ import annotations

import re

from desktop.policy.managed_policy import (
    REG_DWORD,
    REG_EXPAND_SZ,
    REG_MULTI_SZ,
    REG_QWORD,
    REG_SZ,
    RegistryKey,
)

TYPES = {
    "REG_SZ": REG_SZ,
    "REG_EXPAND_SZ": REG_EXPAND_SZ,
    "REG_DWORD": REG_DWORD,
    "REG_QWORD": REG_QWORD,
    "REG_MULTI_SZ": REG_MULTI_SZ,
}
VALUE = re.compile(r"^    (.*?)    (REG_[A-Z_]+)(?:    (.*))?$")


def parse(text: str, root: str) -> RegistryKey:
    """The key ``root`` (as printed, e.g. HKEY_LOCAL_MACHINE\\Software\\Policies\\Ally) and
    everything under it."""
    tree = RegistryKey()
    current: RegistryKey | None = None
    for line in text.splitlines():
        if not line.strip():
            continue
        if not line.startswith(" "):
            current = _key(tree, line.strip(), root)
            continue
        match = VALUE.match(line)
        if match is None or current is None:
            raise ValueError(f"not reg query output: {line!r}")
        name, kind, data = match.group(1), match.group(2), match.group(3) or ""
        if name == "(Default)":
            name = ""
        current.values[name] = (TYPES.get(kind, 0), _data(kind, data))
    return tree


def _key(tree: RegistryKey, path: str, root: str) -> RegistryKey | None:
    if not path.lower().startswith(root.lower()):
        return None
    node = tree
    for part in [p for p in path[len(root) :].split("\\") if p]:
        node = node.subkeys.setdefault(part, RegistryKey())
    return node


def _data(kind: str, data: str):
    if kind in ("REG_DWORD", "REG_QWORD"):
        return int(data, 16)
    if kind == "REG_MULTI_SZ":
        return data.split("\\0") if data else []
    return data
