"""Entry point: `streamlit run dashboard/app.py`. Pages live in dashboard/pages/."""

import sys
from pathlib import Path

import streamlit as st

# Run from a checkout without installing: make the repository importable.
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

st.set_page_config(page_title="Customer Experience Strategy dashboard", page_icon=":material/monitoring:",
                   layout="wide", initial_sidebar_state="expanded")

PAGES_DIR = Path(__file__).parent / "pages"
pages = {
    "overview": st.Page(PAGES_DIR / "overview.py", title="Board overview", icon=":material/dashboard:",
                        url_path="overview", default=True),
    "data_quality": st.Page(PAGES_DIR / "data_quality.py", title="Data quality", icon=":material/fact_check:",
                            url_path="data-quality"),
}
st.session_state["_pages"] = pages
nav = st.navigation({
    "Transformation Board": [pages["overview"]],
    "Analysts": [pages["data_quality"]],
})
st.sidebar.caption("Tower Hamlets Council · Customer Experience Strategy 2023-26 · "
                   "monitored by the Transformation Board, CMT and the Mayor's Office")
nav.run()
