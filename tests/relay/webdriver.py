"""A real headless Chromium driven through ChromeDriver's W3C WebDriver protocol, which is
plain HTTP and JSON: no Selenium needed. Only what the relay's page tests use."""

from __future__ import annotations

import base64
import shutil
import subprocess
import time
from pathlib import Path

import requests

from tests.relay.lab import free_port

ELEMENT = "element-6066-11e4-a52e-4f735466cecf"
CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
CHROMEDRIVER = shutil.which("chromedriver")
FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--window-size=1300,1000",
]


def available() -> str | None:
    if not CHROMIUM or not CHROMEDRIVER:
        return "needs Chromium and ChromeDriver (apt install chromium chromium-driver); tools/setup.sh --test installs them"
    return None


class Browser:
    def __init__(self, profile: Path) -> None:
        self.port = free_port()
        self.proc = subprocess.Popen(
            [CHROMEDRIVER, f"--port={self.port}"],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        self.base = f"http://127.0.0.1:{self.port}"
        deadline = time.monotonic() + 30
        while True:
            try:
                if requests.get(self.base + "/status", timeout=1).json()["value"]["ready"]:
                    break
            except (requests.exceptions.RequestException, ValueError, KeyError):
                pass
            if time.monotonic() > deadline:
                raise RuntimeError("ChromeDriver did not start")
            time.sleep(0.1)
        options = {
            "binary": CHROMIUM,
            "args": [*FLAGS, f"--user-data-dir={profile}"],
            # No JavaScript at all: IT's pages must work without it.
            "prefs": {"profile.managed_default_content_settings.javascript": 2},
        }
        answer = self._call(
            "POST",
            "/session",
            {"capabilities": {"alwaysMatch": {"goog:chromeOptions": options}}},
        )
        self.session = f"/session/{answer['sessionId']}"

    def _call(self, method: str, path: str, payload: dict | None = None):
        r = requests.request(method, self.base + path, json=payload, timeout=60)
        value = r.json()["value"]
        if r.status_code != 200:
            raise RuntimeError(f"WebDriver {path}: {value}")
        return value

    def go(self, url: str) -> None:
        self._call("POST", self.session + "/url", {"url": url})

    def url(self) -> str:
        return self._call("GET", self.session + "/url")

    def find(self, css: str) -> str:
        found = self._call(
            "POST", self.session + "/element", {"using": "css selector", "value": css}
        )
        return found[ELEMENT]

    def find_all(self, css: str) -> list[str]:
        found = self._call(
            "POST", self.session + "/elements", {"using": "css selector", "value": css}
        )
        return [f[ELEMENT] for f in found]

    def type(self, css: str, text: str) -> None:
        self._call("POST", f"{self.session}/element/{self.find(css)}/value", {"text": text})

    def click(self, css: str) -> None:
        """Click a link or a form's button, and wait until the page it loads is there.

        Every click in IT's pages loads a page (they have no JavaScript). ChromeDriver
        can return before the new page has replaced the old one on a loaded machine (in
        CI, the URL was read as the old page's after a sign-in the relay had answered):
        the clicked element going stale is the sign that the old page is gone.
        """
        element = self.find(css)
        self._call("POST", f"{self.session}/element/{element}/click", {})
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            try:
                self._call("GET", f"{self.session}/element/{element}/name")
            except RuntimeError as exc:
                if "stale" in str(exc):
                    return
                raise
            time.sleep(0.05)
        raise TimeoutError(f"clicking {css} did not load a page within 30 s")

    def text(self, css: str = "body") -> str:
        return self._call("GET", f"{self.session}/element/{self.find(css)}/text")

    def source(self) -> str:
        return self._call("GET", self.session + "/source")

    def screenshot(self, path: Path) -> int:
        data = base64.b64decode(self._call("GET", self.session + "/screenshot"))
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
        return len(data)

    def close(self) -> None:
        try:
            self._call("DELETE", self.session)
        finally:
            self.proc.terminate()
            self.proc.wait(10)
