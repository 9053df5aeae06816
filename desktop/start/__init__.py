"""Start-up and the running app: what `ally` runs first (launch.py), the watchdog that
restarts a crashed tray app, starting at login, the composition root that builds the
Qt-free services and hands them to the UI (app.py, services.py), the link between a
second start and the running tray, Ally's own log, crashes and memory."""
