"""Finding files under resources/ whether Ally runs from a checkout, a wheel or a bundle."""

from __future__ import annotations

from importlib import resources
from importlib.resources.abc import Traversable


def resource(name: str) -> Traversable:
    """The resource file ``name`` (a path relative to resources/)."""
    node = resources.files("desktop.resources")
    for part in name.split("/"):
        node = node.joinpath(part)
    return node


def read_text(name: str) -> str:
    return resource(name).read_text(encoding="utf-8")
