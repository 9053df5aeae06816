"""Safe fixes Ally offers for what it found: each fix in its own module, all of them
registered in desktop/fixes/registry.py.

This package's own import loads nothing, so reading the policy (desktop/policy/fix_ids.py) or a
reminder the person asked for (restart_reminder.py) does not load every fix into the tray
app that idles for weeks.
"""
