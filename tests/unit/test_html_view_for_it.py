"""IT's HTML view of a report (issue 27): the picture of the screen the person chose to
send is shown (inline, and only a real PNG), and every severity badge is readable: white
text at 4.5:1 or more on its colour, an unknown severity included."""

from __future__ import annotations

import base64
import re
import struct
import zlib

from ally_helpdesk.it_view import html_view
from tests.builders import report_doc


def png(width: int, height: int) -> bytes:
    """A real PNG, one grey row repeated (zlib-compressed scanlines, as the format says)."""
    row = b"\x00" + b"\x80" * width
    raw = zlib.compress(row * height)

    def chunk(kind: bytes, data: bytes) -> bytes:
        return (
            struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
        )

    head = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", head) + chunk(b"IDAT", raw) + chunk(b"IEND", b"")


def test_the_picture_the_person_sent_is_shown_and_nothing_else_may_load():
    doc = report_doc(note="It froze.")
    picture = png(64, 36)
    doc["screenshot"] = {
        "png_base64": base64.b64encode(picture).decode(),
        "width": 64,
        "height": 36,
    }
    page = html_view.render(doc)
    (src,) = re.findall(r"<img class='shot' alt='[^']*' src='data:image/png;base64,([^']+)'>", page)
    assert base64.b64decode(src) == picture
    assert "img-src data:" in page and "default-src 'none'" in page  # nothing from outside
    assert "64×36 pixels" in page


def test_a_picture_that_is_not_a_png_is_said_and_never_put_in_the_page():
    doc = report_doc()
    html = base64.b64encode(b"<svg onload=alert(1)>").decode()
    doc["screenshot"] = {"png_base64": html, "width": 1, "height": 1}
    page = html_view.render(doc)
    assert "<img" not in page and html not in page
    assert "is not a PNG image, so it is not shown" in page
    assert "<img" not in html_view.render(report_doc())  # no picture sent: no section


def luminance(hex_colour: str) -> float:
    def channel(c: int) -> float:
        c = c / 255
        return c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4

    r, g, b = (int(hex_colour[i : i + 2], 16) for i in (1, 3, 5))
    return 0.2126 * channel(r) + 0.7152 * channel(g) + 0.0722 * channel(b)


def test_every_severity_badge_is_readable_white_on_its_colour():
    css = html_view.CSS
    default = re.search(r"\.sev\{[^}]*background:(#[0-9a-f]{6})", css).group(1)
    colours = dict(
        re.findall(r"\.(critical|warning|notice|info|ok)\{background:(#[0-9a-f]{6})\}", css)
    )
    assert set(colours) == {"critical", "warning", "notice", "info", "ok"}
    for name, colour in {**colours, "unknown": default}.items():
        ratio = (1.0 + 0.05) / (luminance(colour) + 0.05)
        assert ratio >= 4.5, (name, colour, round(ratio, 2))
