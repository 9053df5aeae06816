"""``python -m desktop`` is the same as the ``ally`` command."""

from desktop.start.launch import main

raise SystemExit(main())
