"""The bundle's entry point: the same as the `ally` command."""

import sys

from desktop.start.launch import main

sys.exit(main())
