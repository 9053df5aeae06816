"""A keyring backend made for tests: a JSON file under ALLY_HOME, so that a test never
touches a real keychain and separate `ally` processes see the same secrets.
Selected with PYTHON_KEYRING_BACKEND=tests.file_keyring.FileKeyring."""

from __future__ import annotations

import json
import os
import tempfile
from pathlib import Path

from keyring.backend import KeyringBackend


class FileKeyring(KeyringBackend):
    priority = 1  # type: ignore[assignment]

    @property
    def _path(self) -> Path:
        return Path(os.environ["ALLY_HOME"]) / "test-keyring.json"

    def _load(self) -> dict:
        try:
            return json.loads(self._path.read_text())
        except FileNotFoundError:
            return {}

    def get_password(self, service: str, username: str) -> str | None:
        return self._load().get(f"{service}/{username}")

    def set_password(self, service: str, username: str, password: str) -> None:
        data = self._load()
        data[f"{service}/{username}"] = password
        self._save(data)

    def delete_password(self, service: str, username: str) -> None:
        data = self._load()
        data.pop(f"{service}/{username}", None)
        self._save(data)

    def _save(self, data: dict) -> None:
        """Whole or not at all: a tray app and an ``ally`` command read this file while
        another process writes it, and a half-written file would read as no secrets."""
        self._path.parent.mkdir(parents=True, exist_ok=True)
        fd, part = tempfile.mkstemp(dir=self._path.parent, prefix=".keyring-", suffix=".part")
        with os.fdopen(fd, "w") as f:
            f.write(json.dumps(data))
        os.replace(part, self._path)
