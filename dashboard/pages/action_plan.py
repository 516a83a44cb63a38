"""The strategy's action plan: actions by outcome and status, overdue actions, status history."""

import streamlit as st

from dashboard import charts, data, filters, sections
from dashboard import components as ui
from dashboard.filters import PERIOD
from dashboard.formatting import ACTION_STATUS, action_status_text, period_label

run, f = ui.start_page("Action plan", window=False)
outcomes = data.outcomes(run)
outcome_names = dict(zip(outcomes["outcome"], outcomes["short_name"], strict=True))
outcome = filters.page_filter("Outcome", [None, *outcome_names], key="outcome", noun="outcome",
                              instead="every outcome's actions are shown",
                              format_func=lambda o: "All outcomes" if o is None else f"{o}: {outcome_names[o]}")
status = filters.page_filter("Status", [None, *ACTION_STATUS], key="status", noun="status",
                             instead="actions of every status are shown",
                             format_func=lambda s: "Any status" if s is None else action_status_text(s))
OWN = {"outcome", "status"}

everything = data.action_plan(run)
if everything.empty:
    ui.empty_state("No action-plan report has been published yet.")
    st.stop()
as_at = everything["plan_as_at"].max()
st.markdown(f"Status of each action as at the latest report, **{as_at:%d %B %Y}**. Statuses are given in words "
            "and symbols. An action is overdue when its due date has passed and it is not complete.")
LATEST = {PERIOD: f"statuses are as at the latest report, {as_at:%d %B %Y}"}

actions = data.action_plan(run, outcome, status)
with sections.section("counts", None, heading="none", follows=OWN, instead=LATEST):
    if actions.empty:
        ui.empty_state("No action matches these filters.")
        st.stop()
    counts = actions["status"].value_counts()
    cols = st.columns(5)
    cols[0].metric("Actions", len(actions))
    cols[1].metric("✓ Complete", int(counts.get("complete", 0)))
    cols[2].metric("● On track", int(counts.get("on_track", 0)))
    cols[3].metric("! At risk or ✗ off track", int(counts.get("at_risk", 0) + counts.get("off_track", 0)))
    cols[4].metric("Overdue", int(actions["is_overdue"].sum()))

with sections.section("by-status", "Actions by outcome and status", follows=OWN, instead=LATEST):
    summary = (actions.assign(outcome_name=actions["outcome"].map(lambda o: f"Outcome {o}"),
                              status_name=actions["status"].map(action_status_text))
               .groupby(["outcome_name", "status_name"], as_index=False).size().rename(columns={"size": "actions"}))
    order = [action_status_text(s) for s in ACTION_STATUS if action_status_text(s) in set(summary["status_name"])]
    ui.chart(charts.stacked_bars(summary, x="outcome_name", y="actions", colour="status_name", unit="count",
                                 order=order, height=300,
                                 colours={action_status_text(k): v for k, v in charts.STATUS_COLOURS.items()}),
             "by-status")
    ui.table_with_download(summary.pivot_table(index="outcome_name", columns="status_name", values="actions",
                                               aggfunc="sum", fill_value=0)[order].reset_index()
                           .rename(columns={"outcome_name": "Outcome"}),
                           label="Actions by outcome and status", key="by-status", file_name="actions-by-status.csv")


def table(df):
    out = df.assign(status_text=df["status"].map(action_status_text), overdue=df["is_overdue"].map({True: "Overdue",
                                                                                                    False: ""}))
    out = out[["action_id", "outcome", "title", "owner_role", "due_on", "status_text", "status_since", "overdue",
               "last_reported_on"]]
    out.columns = ["Action", "Outcome", "Title", "Owner", "Due", "Status", "Status since", "Overdue", "Last report"]
    return out


date_cols = {c: st.column_config.DateColumn(format="D MMM YYYY") for c in ("Due", "Status since", "Last report")}
with sections.section("overdue", "Overdue actions", follows=OWN, instead=LATEST):
    overdue = actions[actions["is_overdue"]]
    if overdue.empty:
        st.success("No action is overdue.", icon=":material/check_circle:")
    else:
        ui.table_with_download(table(overdue.sort_values("due_on")), label=f"{len(overdue)} overdue action(s)",
                               key="overdue", file_name="overdue-actions.csv", expanded=True, column_config=date_cols)

with sections.section("actions", "Every action", follows=OWN, instead=LATEST):
    ui.table_with_download(table(actions), label=f"{len(actions)} action(s)", key="actions",
                           file_name="actions.csv", expanded=True, column_config=date_cols)

with sections.section("history", "Status history", follows={PERIOD, *OWN}):
    history = data.action_plan_history(run, outcome)
    history = history[history["action_id"].isin(actions["action_id"])]
    history = history[history["period"] <= f.period]
    st.caption("Each action's status in each monthly report, up to the chosen month.")
    if history.empty:
        ui.empty_state(f"No action-plan report by {period_label(f.period)}.")
        st.stop()
    labels = {k: v["label"] for k, v in ACTION_STATUS.items()}
    ui.chart(charts.status_history_chart(history, labels), "history")
    ui.table_with_download(history.assign(status=history["status"].map(action_status_text))
                           [["action_id", "title", "reported_on", "status"]],
                           label="Status history", key="history", file_name="action-plan-history.csv",
                           column_config={"reported_on": st.column_config.DateColumn(format="D MMM YYYY")})
