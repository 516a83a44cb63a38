"""Entry point: `streamlit run dashboard/app.py`. Pages live in dashboard/pages/."""

import sys
from pathlib import Path

import streamlit as st

# Run from a checkout without installing: make the repository importable.
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from dashboard import auth  # noqa: E402

st.set_page_config(page_title="Customer Experience Strategy dashboard", page_icon=":material/monitoring:",
                   layout="wide", initial_sidebar_state="expanded")

PAGES_DIR = Path(__file__).parent / "pages"


def page(file: str, title: str, icon: str, url_path: str, **kw) -> st.Page:
    return st.Page(PAGES_DIR / file, title=title, icon=icon, url_path=url_path, **kw)


pages = {
    "overview": page("overview.py", "Board overview", ":material/dashboard:", "overview", default=True),
    "outcome_1": page("outcome_1.py", "Outcome 1: accessible and inclusive", ":material/accessibility_new:",
                      "outcome-1"),
    "outcome_2": page("outcome_2.py", "Outcome 2: feedback, data and technology", ":material/insights:",
                      "outcome-2"),
    "outcome_3": page("outcome_3.py", "Outcome 3: customer-focused culture", ":material/diversity_3:", "outcome-3"),
    "action_plan": page("action_plan.py", "Action plan", ":material/checklist:", "action-plan"),
    "channel_shift": page("channel_shift.py", "Channel shift", ":material/swap_horiz:", "channel-shift"),
    "complaints": page("complaints.py", "Complaints", ":material/feedback:", "complaints"),
    "voice": page("voice_of_the_customer.py", "Voice of the customer", ":material/record_voice_over:",
                  "voice-of-the-customer"),
    "equality": page("equality.py", "Equality", ":material/diversity_1:", "equality"),
    "catalogue": page("kpi_catalogue.py", "KPI catalogue", ":material/menu_book:", "kpi-catalogue"),
    "methodology": page("methodology.py", "Methodology", ":material/description:", "methodology"),
    "data_quality": page("data_quality.py", "Data quality", ":material/fact_check:", "data-quality"),
}
# Sign-in (when configured) before anything is drawn; the analysts' pages only for analysts.
access = auth.gate()
if access is None:  # not signed in: the sign-in screen is the only page, whatever the address
    st.navigation([st.Page(auth.sign_in_screen, title="Sign in", url_path="sign-in", default=True)],
                  position="hidden").run()
    st.stop()
sections = auth.visible_sections({
    "Transformation Board": [pages[k] for k in ("overview", "outcome_1", "outcome_2", "outcome_3", "action_plan")],
    "CMT": [pages["channel_shift"], pages["complaints"]],
    "Voice of the customer": [pages["voice"], pages["equality"]],
    "Reference": [pages["catalogue"], pages["methodology"]],
    auth.ANALYSTS_SECTION: [pages["data_quality"]],
}, access)
# Pages link to each other through this: only to pages the viewer may open.
st.session_state["_pages"] = {k: p for k, p in pages.items() if any(p is q for ps in sections.values() for q in ps)}
nav = st.navigation(sections)
auth.sidebar_account(access)
st.sidebar.caption("Tower Hamlets Council · Customer Experience Strategy 2023-26 · "
                   "monitored by the Transformation Board, CMT and the Mayor's Office")
nav.run()
