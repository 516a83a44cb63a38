"""Board overview: for each outcome, are we on track, against which target, better or worse."""

import streamlit as st

from dashboard import components as ui
from dashboard import data
from dashboard.formatting import fmt_target, fmt_value, period_label, rag_text

run = ui.require_run()
st.title("Customer Experience Strategy 2023-26: Board overview")
ui.data_as_at(run)

periods = data.complete_periods(run)
if not periods:
    ui.empty_state("No complete month of data has been published yet.")
    st.stop()
period = st.sidebar.selectbox("Month", periods, format_func=period_label, key="period",
                              help="The month the figures are for. Survey figures are the latest wave by then.",
                              bind="query-params")
ui.dq_status_line(run)
st.markdown(f"Figures for **{period_label(period)}**. Each card shows the latest value, the target in force, "
            "its status in words, the change on the previous period and the last 13 periods.")

card = data.scorecard(run, period)
for outcome in data.outcomes(run).itertuples():
    kpis = card[card["outcome"] == outcome.outcome]
    with st.container(border=True):
        st.subheader(f"Outcome {outcome.outcome}: {outcome.name}")
        counts = kpis["rag"].value_counts()
        st.caption(f"{counts.get('green', 0)} on target · {counts.get('amber', 0)} near target · "
                   f"{counts.get('red', 0)} off target · {int(kpis['rag'].isna().sum())} without a target or data")
        cols = st.columns(min(4, max(1, len(kpis))))
        for i, (_, row) in enumerate(kpis.iterrows()):
            with cols[i % len(cols)]:
                ui.kpi_card(row)

table = card.assign(
    value_text=[fmt_value(v, u) for v, u in zip(card["value"], card["unit"], strict=True)],
    target_text=[fmt_target(t, u, p) for t, u, p in zip(card["target"], card["unit"], card["polarity"], strict=True)],
    status=card["rag"].map(rag_text),
    previous_text=[fmt_value(v, u) for v, u in zip(card["previous_value"], card["unit"], strict=True)],
)[["outcome", "name", "period", "value_text", "target_text", "status", "previous_period", "previous_text"]]
table.columns = ["Outcome", "KPI", "Period", "Value", "Target", "Status", "Previous period", "Previous value"]
ui.table_with_download(table, label="All headline figures", file_name=f"board-overview-{period}.csv",
                       key="overview")
