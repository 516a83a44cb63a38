"""`python -m tools.demo` (what `python -m pipelines demo-data` runs)."""

import sys

from tools.demo.cli import main

sys.exit(main())
