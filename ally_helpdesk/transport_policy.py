"""How reports reach IT: the keys of a desktop's ``[transport]`` and of the relay's
``[forward]``, their checks and defaults, read by one function for both. Secrets (the
webhook's, the SMTP password, the helpdesk token) are never here: a desktop keeps them in
the OS keyring, the relay in a file only its account reads.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, fields, replace
from pathlib import Path
from typing import Any

from ally_helpdesk.policy_reader import Reader, is_absolute, is_url, said, want

DEFAULT_REPORT_FILE_MODE = 0o640  # readable by the share's group, where IT's readers are
# The helpdesks a report can be handed to. A desktop may also send to the relay (its own
# kind, desktop/policy/config.py); the relay itself forwards only to these.
HELPDESK_KINDS = ("folder", "webhook", "email", "request-tracker")


@dataclass(frozen=True)
class TransportPolicy:
    """How reports reach IT."""

    kind: str = "folder"
    folder: str | None = None  # folder transport; default: the reports folder in Ally's data
    url: str | None = None  # webhook URL, or Request Tracker's base URL
    ca_bundle: str | None = None  # a company CA; certificate checks stay on
    timeout_s: float = 20.0
    smtp_host: str | None = None
    smtp_port: int = 587
    smtp_security: str = "starttls"  # starttls or tls
    smtp_user: str | None = None
    mail_from: str | None = None
    mail_to: str | None = None
    rt_queue: str = "General"
    rt_user: str | None = None  # with a password as the secret; without: a token
    file_mode: int = DEFAULT_REPORT_FILE_MODE  # folder: the mode of each report file
    # Keys IT set that were refused: the transport they belong to must not fall back to a
    # default (a refused share must not turn into "delivered" to a local folder).
    refused: tuple[str, ...] = ()


KEYS = frozenset(f.name for f in fields(TransportPolicy)) - {"refused"}
# What each kind cannot do without.
NEEDS = {
    "webhook": ("url",),
    "email": ("smtp_host", "mail_from", "mail_to"),
    "request-tracker": ("url",),
}


def read_transport(
    reader: Reader,
    t: Mapping[str, Any],
    table: str = "transport",
    kinds: tuple[str, ...] = HELPDESK_KINDS,
) -> TransportPolicy:
    """``[table]`` (a desktop's ``transport``, the relay's ``forward``), each value checked;
    every problem is named with that table, so IT reads the key as they wrote it."""
    d = TransportPolicy()
    kind = reader.value(
        t,
        table,
        "kind",
        str,
        d.kind,
        lambda v: v in kinds,
        want("one_of", choices=", ".join(kinds)),
    )
    out = TransportPolicy(
        kind=kind,
        folder=_folder(reader, t, table),
        url=reader.value(t, table, "url", str, None, is_url, want("https_url")),
        ca_bundle=reader.value(
            t, table, "ca_bundle", str, None, lambda v: Path(v).is_file(), want("pem_file")
        ),
        timeout_s=reader.value(
            t,
            table,
            "timeout_s",
            float,
            d.timeout_s,
            lambda v: 1 <= v <= 120,
            want("seconds_1_to_120"),
        ),
        smtp_host=reader.value(t, table, "smtp_host", str, None),
        smtp_port=reader.value(
            t, table, "smtp_port", int, d.smtp_port, lambda v: 0 < v < 65536, want("port")
        ),
        smtp_security=reader.value(
            t,
            table,
            "smtp_security",
            str,
            d.smtp_security,
            lambda v: v in ("starttls", "tls"),
            want("starttls_or_tls"),
        ),
        smtp_user=reader.value(t, table, "smtp_user", str, None),
        mail_from=reader.value(t, table, "mail_from", str, None, lambda v: "@" in v, want("email")),
        mail_to=reader.value(t, table, "mail_to", str, None, lambda v: "@" in v, want("email")),
        rt_queue=reader.value(t, table, "rt_queue", str, d.rt_queue),
        rt_user=reader.value(t, table, "rt_user", str, None),
        file_mode=_file_mode(reader, t, table),
    )
    out = replace(out, refused=tuple(k for k in t if k in KEYS and (table, k) in reader.refused))
    reader.unknown(t, table, KEYS)
    for key in NEEDS.get(kind, ()):
        if getattr(out, key) is None:
            reader.problems.append(
                said("kind_needs", source=reader.source, table=table, kind=kind, setting=key)
            )
    return out


def _folder(reader: Reader, t: Mapping[str, Any], table: str) -> str | None:
    """The share or folder for reports: an absolute path to a folder (or to where a share
    will be). A relative one would depend on where Ally was started."""
    value = reader.value(t, table, "folder", str, None)
    if value is None:
        return None
    problem = None
    if not value.strip() or any(ord(c) < 32 for c in value):
        problem = "folder_path"
    elif not is_absolute(value):
        problem = "absolute_path"
    elif os.path.exists(value) and not os.path.isdir(value):
        problem = "not_a_file"
    if problem:
        reader.refuse(
            table,
            "folder",
            said(
                "bad_folder", source=reader.source, table=table, what=want(problem)(), value=value
            ),
        )
        return None
    return value


def _file_mode(reader: Reader, t: Mapping[str, Any], table: str) -> int:
    """Accepts 0o640 (TOML octal), "0640" or "640". The owner must be able to read and
    write; nobody else may write."""
    raw = t.get("file_mode", DEFAULT_REPORT_FILE_MODE)
    mode = None
    if isinstance(raw, int) and not isinstance(raw, bool):
        mode = raw
    elif isinstance(raw, str) and raw.strip().isdigit() and set(raw.strip()) <= set("01234567"):
        mode = int(raw.strip(), 8)
    if mode is None or not 0 <= mode <= 0o777 or mode & 0o600 != 0o600 or mode & 0o002:
        reader.refuse(
            table,
            "file_mode",
            said(
                "bad_file_mode",
                source=reader.source,
                table=table,
                value=raw,
                default=DEFAULT_REPORT_FILE_MODE,
            ),
        )
        return DEFAULT_REPORT_FILE_MODE
    return mode
