"""`python -m segkit.cli ...`, the same as the `segkit` command."""

import sys

from segkit.cli import main

sys.exit(main())
