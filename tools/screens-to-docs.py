"""Copies the pictures the layout test keeps (test-artifacts/screens/) into docs/screens/
and writes docs/SCREENS.md: every step of every window at 100 % and 200 %, in the light
and the dark theme, side by side. Run after ./run-tests tests/ui/test_layout_scales.py
when a screen changed:

    .venv/bin/python tools/screens-to-docs.py

The pictures are reduced to 256 colours (ImageMagick), which keeps the text sharp at a
third of the size, so the repository does not grow by megabytes per change.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SOURCE = ROOT / "test-artifacts" / "screens"
TARGET = ROOT / "docs" / "screens"
CONFIGS = ("100-light", "100-dark", "200-light", "200-dark")


def step_names() -> list[str]:
    names = {p.stem for p in (SOURCE / CONFIGS[0]).glob("*.png")}
    return sorted(names, key=lambda n: (int(n.split("-")[0]), n))


def main() -> int:
    missing = [c for c in CONFIGS if not (SOURCE / c).is_dir()]
    if missing:
        print(
            f"No pictures for {', '.join(missing)}: run "
            "./run-tests tests/ui/test_layout_scales.py first.",
            file=sys.stderr,
        )
        return 1
    shutil.rmtree(TARGET, ignore_errors=True)
    TARGET.mkdir(parents=True)
    rows = []
    for name in step_names():
        cells = []
        for config in CONFIGS:
            source = SOURCE / config / f"{name}.png"
            target = TARGET / f"{config}_{name}.png"
            subprocess.run(["convert", str(source), "-colors", "256", f"PNG8:{target}"], check=True)
            cells.append(f"![{name} at {config}](screens/{target.name})")
        rows.append(f"| {name} | " + " | ".join(cells) + " |")
    header = "| step | " + " | ".join(c.replace("-", " % ", 1) for c in CONFIGS) + " |"
    text = "\n".join(
        [
            "# Every screen",
            "",
            "Every step of every window, at 100 % and 200 % in GTK's light and dark theme, on a",
            "1366×768 X server, as `tests/ui/test_layout_scales.py` saw it (it fails when a",
            "text is cut, covers another or leaves its window or chart). Made by",
            "`tools/screens-to-docs.py`; the focus ring on each control is in",
            "`test-artifacts/focus/` after `tests/ui/test_focus_ring.py`.",
            "",
            header,
            "|" + "---|" * (len(CONFIGS) + 1),
            *rows,
            "",
        ]
    )
    (ROOT / "docs" / "SCREENS.md").write_text(text)
    print(f"{len(rows)} steps × {len(CONFIGS)} into {TARGET.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
