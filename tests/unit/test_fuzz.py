"""Property-based fuzz (Hypothesis) of what Ally reads from outside: the policy loader,
the outbox entry reader, and every parser of a captured tool output. Whatever the input,
no exception escapes and nothing is written outside Ally's own folders."""

from __future__ import annotations

import contextlib
import json
import math
import os
import tempfile
import uuid
from datetime import datetime, timezone
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ally_helpdesk.transports.folder import FolderTransport
from desktop.diagnostics.net import routes, wifi
from desktop.diagnostics.probes.memory import parse_psi as parse_memory_psi
from desktop.diagnostics.readers import fault_records as crashes
from desktop.diagnostics.readers import linux_fault_files as linux_crashes
from desktop.diagnostics.readers import macos_tools as macos
from desktop.diagnostics.readers import print_system as printing
from desktop.diagnostics.readers import windows_tools as windows
from desktop.diagnostics.sampling import procfs_walk as procfs_processes
from desktop.diagnostics.sampling.os_backfill import parse_psi as parse_os_psi
from desktop.policy.config import Policy
from desktop.reporting.outbox import Outbox
from tests.builders import report_doc

FUZZ = settings(
    max_examples=int(os.environ.get("ALLY_FUZZ_EXAMPLES", "150")),
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
NOW = datetime(2026, 5, 1, 12, 0, tzinfo=timezone.utc)

# Text that looks like tool output now and then: lines, separators, numbers, odd bytes.
words = st.sampled_from(
    ["printer", "is", "idle.", "disabled", "since", "0.0.0.0", "UG", "Iface", "SSID", ":",
     "=", "-1", "nan", "1e309", "(", ")", "\t", "\n", "\x1b[2J", "\udce9", "é", "{", "}", "[",
     "]", '"', "some=", "avg10=", "total=", "Power Scheme GUID:", "<Event>", "</Event>"]
)  # fmt: skip
tool_text = st.one_of(st.text(max_size=400), st.lists(words, max_size=80).map(" ".join))
tool_bytes = st.one_of(
    st.binary(max_size=400), tool_text.map(lambda t: t.encode("utf-8", "surrogateescape"))
)

TEXT_PARSERS = [
    routes.parse_proc_net_route,
    routes.parse_proc_net_ipv6_route,
    routes.parse_windows_route_print,
    routes.parse_macos_route_get,
    wifi.parse_proc_net_wireless,
    wifi.parse_nmcli_wifi,
    wifi.parse_netsh_interfaces,
    wifi.parse_system_profiler,
    printing.parse_lpstat_printers,
    printing.parse_lpstat_default,
    printing.parse_lpstat_accepting,
    lambda t: printing.parse_lpstat_jobs(t, NOW),
    printing.parse_printcap,
    printing.parse_sc_query,
    lambda t: printing.parse_windows(t, t, None, NOW),
    windows.parse_reg_values,
    windows.parse_active_scheme,
    macos.parse_sysctl,
    macos.parse_pressure_level,
    macos.parse_low_power_mode,
    crashes.parse_coredumpctl_json,
    crashes.parse_journal_kernel,
    crashes.parse_wevtutil_xml,
    lambda t: linux_crashes.parse_apport_header(t.splitlines(), "_usr_bin_x.1000.crash"),
    parse_memory_psi,
    parse_os_psi,
]
BYTES_PARSERS = [lambda b: linux_crashes.parse_kmsg_records(b.split(b"\n"), 1.7e9, NOW)]
# Three parsers answer "not this format" with ValueError by design, and their only
# callers catch exactly that (procfs_processes.process_iter, crashes.read_ips_reports):
# they may raise it, and nothing else.
SAYS_NOT_THIS_FORMAT = [
    (lambda t: crashes.parse_ips_header(t, "Outlook-2026-05-01-120000.ips"), tool_text, (ValueError,)),
    (procfs_processes.parse_stat, tool_bytes, (ValueError, IndexError)),
    (procfs_processes.parse_io, tool_bytes, (ValueError,)),
]  # fmt: skip


@FUZZ
@given(text=tool_text)
def test_no_text_parser_raises(text):
    for parse in TEXT_PARSERS:
        parse(text)


@FUZZ
@given(data=tool_bytes)
def test_no_bytes_parser_raises(data):
    for parse in BYTES_PARSERS:
        parse(data)


@FUZZ
@given(data=st.data())
def test_parsers_that_say_not_this_format_raise_only_what_their_callers_catch(data):
    for parse, strategy, allowed in SAYS_NOT_THIS_FORMAT:
        with contextlib.suppress(*allowed):
            parse(data.draw(strategy))


# --- the policy ------------------------------------------------------------------------

scalars = st.one_of(
    st.none(), st.booleans(), st.integers(), st.floats(allow_nan=True), st.text(max_size=30)
)
keys = st.one_of(
    st.sampled_from(
        ["transport", "privacy", "thresholds", "network", "kind", "folder", "url", "file_mode",
         "hash_key", "it_servers", "cpu_busy_pct", "interval_s", "sampling", "apps", "tips"]
    ),
    st.text(max_size=12),
)  # fmt: skip
tables = st.recursive(
    scalars,
    lambda inner: st.one_of(st.lists(inner, max_size=4), st.dictionaries(keys, inner, max_size=6)),
    max_leaves=40,
)


@FUZZ
@given(data=st.dictionaries(keys, tables, max_size=8))
def test_the_policy_reader_takes_any_table(data):
    policy = Policy.from_dict(data, "fuzz.toml")
    assert all(isinstance(p, str) for p in policy.problems)
    for value in policy.thresholds.values():
        assert math.isfinite(value) and value >= 0


@FUZZ
@given(raw=st.one_of(st.binary(max_size=600), tool_bytes))
def test_the_policy_loader_takes_any_file(raw):
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "policy.toml"
        path.write_bytes(raw)
        policy = Policy.load(path)
        assert all(isinstance(p, str) for p in policy.problems)


# --- the outbox -------------------------------------------------------------------------

json_values = st.recursive(
    scalars,
    lambda inner: st.one_of(st.lists(inner, max_size=4), st.dictionaries(st.text(max_size=10), inner, max_size=5)),
    max_leaves=30,
)  # fmt: skip
REPORT_KEYS = list(report_doc().keys())


@st.composite
def entries(draw):
    """A pending entry: raw bytes, or a real report with fields replaced by anything."""
    doc = report_doc()
    name = doc["id"]  # the file's name; the id inside may be replaced like any field
    kind = draw(st.sampled_from(["bytes", "fields", "nested"]))
    if kind == "bytes":
        return name, draw(st.binary(max_size=300))
    if kind == "fields":
        for key in draw(st.lists(st.sampled_from(REPORT_KEYS), max_size=3)):
            doc[key] = draw(json_values)
        return name, json.dumps(doc).encode()
    doc["diagnosis"]["findings"] = draw(json_values)
    doc["created_at"] = draw(st.sampled_from(["/../../x", "2026-05-01T10:00:00Z", "..", ""]))
    return name, json.dumps(doc).encode()


@FUZZ
@given(items=st.lists(entries(), min_size=1, max_size=4), state=json_values)
def test_the_outbox_reader_and_a_delivery_round_take_any_entry(items, state):
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        outbox = Outbox(root / "outbox")
        good = report_doc()
        outbox.add(good)
        for report_id, body in items:
            (outbox.pending_dir / f"{report_id}.json").write_bytes(body)
            (outbox.pending_dir / f"{report_id}.state.json").write_text(json.dumps(state))
        (outbox.pending_dir / f"{uuid.uuid4()}.state.json").write_text(json.dumps(state))
        share = root / "share"
        share.mkdir()
        outcomes = outbox.deliver_due(FolderTransport(share, create=False))
        assert good["id"] in {o.report_id for o in outcomes if o.receipt}
        outbox.entries()
        outbox.receipts()
        assert outbox.quarantine_count() >= 0
        # Nothing outside Ally's folders: only the outbox and the share were written.
        assert sorted(p.name for p in root.iterdir()) == ["outbox", "share"]
        assert all(p.parent == share for p in share.rglob("*"))
        assert {p.name for p in (root / "outbox").iterdir()} <= {
            "pending", "sent", "quarantine", ".sending.lock"
        }  # fmt: skip


COVERED = {
    f"{m.__name__}.{f.__name__}"
    for m, f in [
        *((routes, f) for f in (routes.parse_proc_net_route, routes.parse_proc_net_ipv6_route,
                                routes.parse_windows_route_print, routes.parse_macos_route_get)),
        *((wifi, f) for f in (wifi.parse_proc_net_wireless, wifi.parse_nmcli_wifi,
                              wifi.parse_netsh_interfaces, wifi.parse_system_profiler)),
        *((printing, f) for f in (printing.parse_lpstat_printers, printing.parse_lpstat_default,
                                  printing.parse_lpstat_accepting, printing.parse_lpstat_jobs,
                                  printing.parse_printcap, printing.parse_sc_query,
                                  printing.parse_windows)),
        *((windows, f) for f in (windows.parse_reg_values, windows.parse_active_scheme)),
        *((macos, f) for f in (macos.parse_sysctl, macos.parse_pressure_level,
                               macos.parse_low_power_mode)),
        *((crashes, f) for f in (crashes.parse_coredumpctl_json, crashes.parse_journal_kernel,
                                 crashes.parse_wevtutil_xml, crashes.parse_ips_header)),
        *((linux_crashes, f) for f in (linux_crashes.parse_apport_header,
                                       linux_crashes.parse_kmsg_records)),
        *((procfs_processes, f) for f in (procfs_processes.parse_stat, procfs_processes.parse_io)),
    ]
} | {"desktop.diagnostics.sampling.os_backfill.parse_psi", "desktop.diagnostics.probes.memory.parse_psi"}  # fmt: skip


def test_every_parser_of_captured_output_is_fuzzed():
    """A new parse_* function anywhere in diagnostics must join the fuzz above."""
    import importlib
    import inspect
    import pkgutil

    import desktop.diagnostics as package

    found = set()
    for info in pkgutil.walk_packages(package.__path__, package.__name__ + "."):
        module = importlib.import_module(info.name)
        for name, obj in inspect.getmembers(module, inspect.isfunction):
            if name.startswith("parse_") and obj.__module__ == module.__name__:
                found.add(f"{module.__name__}.{name}")
    assert found == COVERED, (found - COVERED, COVERED - found)
