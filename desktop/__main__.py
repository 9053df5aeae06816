"""``python -m desktop`` is the same as the ``ally`` command."""

from desktop.cli import main

raise SystemExit(main())
