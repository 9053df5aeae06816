"""Qt lives here and only here (and in the composition root, desktop/start/app.py)."""
