"""``python -m mlcore.grading``: the same as the ``mlcore-grade`` command."""

import sys

from .cli import main

# Guarded: worker processes may import this module and must not start a run.
if __name__ == "__main__":
    sys.exit(main())
