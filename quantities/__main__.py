"""``python -m quantities`` is the ``kq`` command."""

import sys

from quantities.cli import main

sys.exit(main())
