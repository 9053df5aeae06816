"""Three distributions from one repository (issue 28): ally-common (the words and the
helpdesk package), ally-desktop and ally-relay. A desktop install brings no server, a relay
install no Qt and nothing of the desktop, and all three are the same release.
(tests/relay/test_relay_alone.py installs the relay alone and runs it.)"""

from __future__ import annotations

import re
from pathlib import Path

import tomllib

import ally_helpdesk
import desktop
import relay

ROOT = Path(__file__).resolve().parents[2]
FILES = {
    "ally-desktop": ROOT / "pyproject.toml",
    "ally-common": ROOT / "installer" / "common" / "pyproject.toml",
    "ally-relay": ROOT / "installer" / "relay" / "pyproject.toml",
}
SERVER = {"starlette", "uvicorn", "sqlalchemy", "alembic", "psycopg", "argon2-cffi", "ally-relay"}
DESKTOP = {"pyside6", "pyside6-essentials", "psutil", "keyring", "pypac", "ally-desktop"}


def project(name: str) -> dict:
    return tomllib.loads(FILES[name].read_text(encoding="utf-8"))


def requirements(name: str) -> dict[str, str]:
    """Each runtime requirement by its lower-case name, with what follows the name."""
    out = {}
    for line in project(name)["project"]["dependencies"]:
        m = re.match(r"([A-Za-z0-9_.-]+)(\[[^\]]*\])?\s*(.*)", line)
        assert m, line
        out[m.group(1).lower()] = m.group(3)
    return out


def packages(name: str) -> list[str]:
    return project(name)["tool"]["setuptools"]["packages"]


def test_each_distribution_holds_only_its_own_packages():
    assert all(p.split(".")[0] == "desktop" for p in packages("ally-desktop"))
    assert all(p.split(".")[0] == "relay" for p in packages("ally-relay"))
    assert {p.split(".")[0] for p in packages("ally-common")} == {"ally_words", "ally_helpdesk"}
    # Every package folder with modules is shipped by one of them.
    shipped = {p for name in FILES for p in packages(name)}
    for top in ("ally_words", "ally_helpdesk", "relay", "desktop"):
        for init in (ROOT / top).rglob("__init__.py"):
            name = ".".join(init.parent.relative_to(ROOT).parts)
            assert name in shipped, f"{name} is in no distribution"


def test_a_desktop_brings_no_server_and_the_relay_nothing_of_the_desktop():
    assert not set(requirements("ally-desktop")) & SERVER
    assert not set(requirements("ally-relay")) & DESKTOP
    assert not set(requirements("ally-common")) & (SERVER | DESKTOP)
    test_extra = project("ally-desktop")["project"]["optional-dependencies"]["test"]
    assert "ally-relay" in test_extra  # the tests run the relay, installed beside


def test_the_three_are_one_release():
    assert desktop.__version__ == relay.__version__ == ally_helpdesk.__version__
    for name in ("ally-desktop", "ally-relay"):
        assert requirements(name)["ally-common"] == f"=={ally_helpdesk.__version__}", name
