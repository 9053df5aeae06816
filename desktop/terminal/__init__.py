"""The terminal: `ally` and its commands (cli.py and its cli_* parts) and `ally doctor`,
for the person and for IT. No Qt: a command never loads the tray."""
