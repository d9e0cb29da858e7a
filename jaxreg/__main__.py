"""``python -m jaxreg``: same as the ``jaxreg`` command."""

import sys

from jaxreg.cli import main

sys.exit(main())
