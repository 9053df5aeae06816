"""Which line of reassurance each finding uses, and why (the words are the catalog's).

"This is not something you did." is said only where it is true whatever the person did:
a program's fault, the network, IT's servers, the computer's own maintenance, heat or
updates. Where the person's own use may have brought it about (a drive they filled, many
programs they opened, power saving they switched on, a printer they paused), saying so
would be untrue and would weaken the sentence everywhere else: those say "This happens on
many computers. It is not your fault." (or a line of their own ending so). A few describe
the computer without any "you" at all and need neither.

The test in tests/unit/test_catalog_words.py reads every finding and variant against this
table, so a new finding needs a line here, with its reason.
"""

from __future__ import annotations

NOT_YOU = "not_you"  # "This is not something you did."
NOT_YOUR_FAULT = "not_your_fault"  # "… It is not your fault."
NONE = "none"  # describes the computer, not the person

# finding id, or "finding.variant" where a variant differs -> its line  # and why
LINES: dict[str, str] = {
    "cpu_saturated": NOT_YOUR_FAULT,  # the programs keeping it busy may be ones the person runs
    "cpu_saturated.service": NOT_YOU,  # a part of Windows the person did not start
    "cpu_saturated.no_app": NOT_YOU,  # many small background tasks, none the person started
    "cpu_maintenance": NOT_YOU,  # the computer's own maintenance
    "memory_exhausted": NOT_YOUR_FAULT,  # the person may have opened the programs that fill it
    "swapping": NOT_YOUR_FAULT,  # follows from memory the person's programs use
    "disk_busy": NOT_YOUR_FAULT,  # the program reading and saving may be the person's work
    "disk_busy.maintenance": NOT_YOU,  # the computer's own maintenance
    "disk_busy.no_app": NOT_YOUR_FAULT,  # unnamed, but may be the person's own copying
    "disk_nearly_full": NOT_YOUR_FAULT,  # some of what fills the drive the person saved
    "app_cpu_runaway": NOT_YOU,  # a fault in the program
    "app_memory_growth": NOT_YOU,  # a fault in the program
    "many_instances": NONE,  # describes how many parts a program has open
    "battery_low": NOT_YOUR_FAULT,  # the person may not have plugged it in
    "power_saver": NOT_YOUR_FAULT,  # the person may have switched it on
    "running_hot": NOT_YOUR_FAULT,  # vents may be covered by papers or a soft surface
    "restart_pending": NOT_YOU,  # updates the system installed
    "uptime_long": NONE,  # describes the computer; a restart is advice, not blame
    "network_disconnected": NOT_YOUR_FAULT,  # the person may have switched Wi-Fi off or unplugged the cable
    "gateway_missing": NOT_YOU,  # a setting on the network's side
    "gateway_unreachable": NOT_YOU,  # the network's way to the internet does not answer
    "captive_portal": NOT_YOU,  # the network asks for a sign-in
    "name_lookup_failed": NOT_YOU,  # the network's name service
    "internet_unreachable": NOT_YOU,  # further along the line than this computer
    "network_local_view": NOT_YOU,  # what this computer sees of the network; the cause lies further on
    "vpn_down": NOT_YOUR_FAULT,  # the person may not have turned it on
    "it_servers_unreachable": NOT_YOU,  # IT's own servers
    "wifi_weak": NOT_YOU,  # the radio signal where the person sits
    "connection_slow": NOT_YOU,  # the connection along the line
    "app_crashed": NOT_YOU,  # a fault in the program
    "app_hung": NOT_YOU,  # a fault in the program
    "app_focus": NONE,  # only says which program the report is about
    "print_service_down": NOT_YOU,  # a system service
    "no_printer": NOT_YOU,  # setting up printers is IT's job
    "no_default_printer": NOT_YOUR_FAULT,  # the person may have removed or changed it
    "default_printer_unavailable": NOT_YOUR_FAULT,  # paper, toner, a door: every printer
    "default_printer_unavailable.offline": NOT_YOUR_FAULT,  # it may be switched off
    "default_printer_unavailable.paused": NOT_YOUR_FAULT,  # the person may have paused it
    "print_jobs_stuck": NOT_YOU,  # the printer's line is stuck
}  # fmt: skip


def line_for(finding_id: str, variant: str | None = None) -> str:
    """The line a finding's (or its variant's) explanation uses."""
    if variant and f"{finding_id}.{variant}" in LINES:
        return LINES[f"{finding_id}.{variant}"]
    return LINES[finding_id]
