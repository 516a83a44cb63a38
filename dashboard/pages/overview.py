"""Board overview: for each outcome, are we on track, against which target, is a change real or noise."""

import streamlit as st

from dashboard import board_pack, data, downloads, sections, wording
from dashboard import components as ui
from dashboard.filters import PERIOD
from dashboard.formatting import period_label

run, f = ui.start_page("Customer Experience Strategy 2023-26: Board overview", window=False)
period = f.period
with sections.section("data-quality", None, heading="none", follows=set(),
                      instead={PERIOD: "it is about the files the last nightly run received"}):
    ui.dq_status_line(run)
st.markdown(f"Figures for **{period_label(period)}**: each measure's value, target and status in words. "
            "A monthly measure says whether the month is a real change (a special cause) or ordinary variation "
            "(NHS England's Making Data Count); a survey measure whether its change is significant.")
downloads.download_button(
    "Download the board pack (HTML, reads offline)", lambda: board_pack.render(run, period),
    file_name=board_pack.file_name(period), mime="text/html", key="board-pack", icon=":material/picture_as_pdf:",
    help="The overview and the three outcome pages for this month in one file to read offline, e-mail or print.")

card = data.scorecard(run, period)
for outcome in data.outcomes(run).itertuples():
    kpis = card[card["outcome"] == outcome.outcome]
    with sections.section(f"outcome-{outcome.outcome}", None, heading="none", follows={PERIOD}), \
            st.container(border=True):
        st.subheader(f"Outcome {outcome.outcome}: {outcome.name}")
        ui.outcome_summary(data.scorecard(run, period, headline_only=False, outcome=outcome.outcome), kpis)
        ui.scorecard_grid(kpis)
st.caption(data.status_rule(run))

with sections.section("since-last-period", None, heading="none", follows={PERIOD}):
    ui.since_last_period(run, period)

with sections.section("headline-table", None, heading="none", follows={PERIOD}):
    ui.table_with_download(wording.scorecard_table(card), label="All headline figures",
                           file_name=f"board-overview-{period}.csv", key="overview")
