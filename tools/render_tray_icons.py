"""Draws the tray icons (resources/icons/ally-*-{light,dark}.svg) at every tray size into
resources/icons/drawn/, which the running app loads: the idle tray app then never loads the
SVG library. Run after changing an icon; tests/unit/test_status.py fails while a picture
differs from its SVG.

    QT_QPA_PLATFORM=offscreen .venv/bin/python tools/render_tray_icons.py
"""

from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def main() -> int:
    from PySide6.QtWidgets import QApplication

    from desktop.ui.tray import ICON_SIZES, drawn_icon_name, render_svg

    _app = QApplication.instance() or QApplication([])
    icons = ROOT / "resources" / "icons"
    (icons / "drawn").mkdir(exist_ok=True)
    count = 0
    for svg in sorted(icons.glob("ally-*-*.svg")):
        if svg.name.startswith("ally-template"):
            continue  # macOS draws its menu bar templates itself, from the SVG
        for size in ICON_SIZES:
            target = ROOT / "resources" / drawn_icon_name(f"icons/{svg.name}", size)
            if not render_svg(svg.read_bytes(), size).save(str(target), "PNG"):
                print(f"could not write {target}", file=sys.stderr)
                return 1
            count += 1
    print(f"{count} pictures in {icons / 'drawn'}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
