"""`python -m dashboard [streamlit options]`: serve the dashboard (what `make dashboard` runs).

The same as `streamlit run dashboard/app.py`, but with Streamlit's old-style multipage
mode off from the start. A folder called `pages/` beside the main script makes Streamlit
run the first requests after a restart as an old-style multipage app, until the first
`st.navigation` call: a shared link to /complaints then ran pages/complaints.py without
app.py (no menu, no layout, no aliases), and /outcome-1 or /overview showed "Page not
found". app.py always calls st.navigation, so nothing here changes what a page shows.
"""

from __future__ import annotations

import sys
from pathlib import Path

from streamlit.runtime.pages_manager import PagesManager
from streamlit.web import cli

APP = Path(__file__).resolve().with_name("app.py")


def main(argv: list[str] | None = None) -> None:
    PagesManager.uses_pages_directory = False  # read once, when the first session starts
    sys.argv = ["streamlit", "run", str(APP), *(sys.argv[1:] if argv is None else argv)]
    cli.main()


if __name__ == "__main__":
    main()
