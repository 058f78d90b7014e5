"""``python -m quantities.live watch --dir DIR ...``: the watcher process (see quantities.live.sharing)."""

import sys

from quantities.live.sharing import main

sys.exit(main())
