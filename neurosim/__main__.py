"""``python -m neurosim`` runs the command-line interface."""

import sys

from neurosim.cli import main

sys.exit(main())
