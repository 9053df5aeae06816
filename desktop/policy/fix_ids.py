"""The ids of every fix, the names IT uses in the policy's [fixes] table.

Kept apart from the registry so that reading the policy does not load the fixes;
tests/unit/test_fixes.py holds the two lists together.
"""

FIX_IDS: tuple[str, ...] = (
    "cancel_print_jobs",
    "close_program",
    "open_sign_in_page",
    "show_large_folders",
    "empty_trash",
    "restart_reminder",
)
