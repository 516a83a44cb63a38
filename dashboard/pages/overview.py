"""Board overview: for each outcome, are we on track, against which target, better or worse."""

import streamlit as st

from dashboard import board_pack, data
from dashboard import components as ui
from dashboard.formatting import direction_text, fmt_target, fmt_value, period_label, rag_text

run, f = ui.start_page("Customer Experience Strategy 2023-26: Board overview", window=False)
period = f.period
ui.dq_status_line(run)
st.markdown(f"Figures for **{period_label(period)}**. Each card shows the latest value, the target in force, "
            "its status in words, the change on the previous period and on the same period a year before, "
            "and the last 13 periods.")
st.download_button(
    "Download the board pack (HTML, reads offline)", data=lambda: board_pack.render(run, period),
    file_name=board_pack.file_name(period), mime="text/html", key="board-pack", icon=":material/picture_as_pdf:",
    help="The overview and the three outcome pages for this month in one file to read offline, e-mail or print.")

card = data.scorecard(run, period)
for outcome in data.outcomes(run).itertuples():
    kpis = card[card["outcome"] == outcome.outcome]
    with st.container(border=True):
        st.header(f"Outcome {outcome.outcome}: {outcome.name}")
        counts = kpis["rag"].value_counts()
        st.caption(f"{counts.get('green', 0)} on target · {counts.get('amber', 0)} near target · "
                   f"{counts.get('red', 0)} off target · {int(kpis['rag'].isna().sum())} without a target or data")
        ui.scorecard_grid(kpis)

table = card.assign(
    value_text=[fmt_value(v, u) for v, u in zip(card["value"], card["unit"], strict=True)],
    target_text=[fmt_target(t, u, p) for t, u, p in zip(card["target"], card["unit"], card["polarity"], strict=True)],
    status=card["rag"].map(rag_text),
    previous_text=[fmt_value(v, u) for v, u in zip(card["previous_value"], card["unit"], strict=True)],
    year_ago_text=[direction_text(v, y, p, u) or "–" for v, y, p, u in
                   zip(card["value"], card["year_ago_value"], card["polarity"], card["unit"], strict=True)],
)[["outcome", "name", "period", "value_text", "target_text", "status", "previous_period", "previous_text",
   "year_ago_period", "year_ago_text"]]
table.columns = ["Outcome", "KPI", "Period", "Value", "Target", "Status", "Previous period", "Previous value",
                 "A year before", "Change on a year before"]
ui.table_with_download(table, label="All headline figures", file_name=f"board-overview-{period}.csv",
                       key="overview")
