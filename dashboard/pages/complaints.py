"""Complaints for CMT: volumes, timeliness and outcomes by stage, directorate, service, ward and category."""

import streamlit as st

from dashboard import charts, data, filters, sections
from dashboard import components as ui
from dashboard.filters import DIRECTORATE, PERIOD, SERVICE, WARD, WINDOW
from dashboard.formatting import fmt_count, fmt_pct, period_label
from dashboard.sections import BY_PARTS

run, f = ui.start_page("Complaints", directorate=True, service=True, ward=True)
stage = filters.page_filter("Complaint stage", [None, *data.STAGES], key="stage", noun="complaint stage",
                            instead="every stage is counted",
                            format_func=lambda s: "All stages" if s is None else data.STAGES[s])
STAGE = "stage"
ev = data.events(run, ("all", "complaints", "outcome_2"))
filters_text = ", ".join(x for x in [f.scope(run), data.STAGES.get(stage) if stage else None] if x)
NOT_BY_WARD = {WARD: "complaints are published by ward for the whole council only (see *By ward*)"}
st.markdown(f"Figures for **{period_label(f.period)}** and the months before it, {filters_text}. Received counts "
            "go by the month a complaint arrived; answers, timeliness and outcomes by the month it was answered. "
            "Stage 1 has 10 working days, stage 2 has 20.")

month = data.complaints(run, f.period, f.period, "period", f.directorate, f.service, stage)
window = data.complaints(run, f.start, f.period, "period", f.directorate, f.service, stage)
if window.empty or (window["received"].sum() == 0 and window["responded"].sum() == 0):
    ui.empty_state(f"No complaints match these filters ({filters_text}) in this period.")
    st.stop()

with sections.section("month", None, heading="none", follows={PERIOD, DIRECTORATE, SERVICE, STAGE},
                      instead={WINDOW: f"these figures are for {period_label(f.period)}", **NOT_BY_WARD}):
    m = month.iloc[0] if len(month) else None
    c1, c2, c3, c4 = st.columns(4)
    c1.metric(f"Received in {period_label(f.period, short=True)}", fmt_count(0 if m is None else m["received"]))
    c2.metric(f"Answered in {period_label(f.period, short=True)}", fmt_count(0 if m is None else m["responded"]))
    c3.metric("Answered on time", fmt_pct(None if m is None else m["on_time_rate"]),
              help="Answered within the stage's working days, among those answered in the month.")
    c4.metric("Upheld or partly upheld", fmt_pct(None if m is None else m["upheld_rate"]),
              help="Among complaints decided in the month (withdrawn ones left out).")

with sections.section("by-stage", "Complaints over time, by stage",
                      follows={PERIOD, WINDOW, DIRECTORATE, SERVICE, STAGE}, instead=NOT_BY_WARD):
    by_stage = data.complaints_by_stage_and_month(run, f.start, f.period, f.directorate, f.service)
    if stage:
        by_stage = by_stage[by_stage["stage"] == stage]
    left, right = st.columns(2)
    with left:
        ui.chart(charts.stacked_bars(by_stage, x="period", y="received", colour="stage_name", unit="count",
                                     title="Complaints received each month"), "received")
    with right:
        answered = by_stage[by_stage["responded"] > 0]
        ui.chart(charts.trend_chart(answered, x="period", y="on_time_rate", unit="rate", series="stage_name",
                                    title="Share answered on time, by stage"), "on-time")
    ui.table_with_download(by_stage[["period", "stage_name", "received", "responded", "on_time", "on_time_rate"]],
                           label="Complaints by month and stage", key="by-stage",
                           file_name=f"complaints-by-stage-{f.period}.csv",
                           column_config={"on_time_rate": st.column_config.NumberColumn(format="percent")})

with sections.section("against-target", "Against target", follows=BY_PARTS):
    left, right = st.columns(2)
    with left:
        ui.kpi_trend(run, "stage1_on_time_rate", f, key="kpi-stage1", events=ev)
        ui.kpi_trend(run, "complaints_escalation_rate", f, key="kpi-escalation", events=ev)
    with right:
        ui.kpi_trend(run, "stage2_on_time_rate", f, key="kpi-stage2", events=ev)
        ui.kpi_trend(run, "complaints_per_10k_contacts", f, key="kpi-per10k", events=ev)

level = "service" if f.directorate or f.service else "directorate"
with sections.section("by-org", f"By {level}, over the period shown",
                      follows={PERIOD, WINDOW, DIRECTORATE, SERVICE, STAGE}, instead=NOT_BY_WARD):
    org = data.complaints(run, f.start, f.period, level, f.directorate, f.service, stage)
    if org.empty:
        ui.empty_state("No complaints for this choice.")
    else:
        org = org.assign(label=org.get("label", org[level]))
        left, right = st.columns(2)
        with left:
            ui.chart(charts.bar_chart(org.sort_values("received", ascending=False), x="label", y="received",
                                      unit="count", title="Complaints received",
                                      height=max(260, 30 * len(org) + 80)), "org-received")
        with right:
            rated = org.dropna(subset=["on_time_rate"]).sort_values("on_time_rate")
            ui.chart(charts.bar_chart(rated, x="label", y="on_time_rate", unit="rate", title="Answered on time",
                                      height=max(260, 30 * len(rated) + 80)), "org-on-time")
        ui.table_with_download(org, label=f"Complaints by {level}", key="org",
                               file_name=f"complaints-by-{level}-{f.period}.csv",
                               column_config={c: st.column_config.NumberColumn(format="percent")
                                              for c in ("on_time_rate", "upheld_rate")})

WARD_PUBLISHED = "complaints by ward are published for every directorate, service and stage together"
with sections.section("by-ward", f"By ward, {period_label(f.period)}", follows={PERIOD, WARD},
                      instead={WINDOW: f"it shows {period_label(f.period)}", DIRECTORATE: WARD_PUBLISHED,
                               SERVICE: WARD_PUBLISHED, STAGE: WARD_PUBLISHED}):
    st.caption("Complaints received in the month by the complainant's ward, for every directorate, service and "
               "stage (the published figures). A ward with fewer than 10 complaints in a month is not shown, so "
               "that no small group can be identified." + (" The ward chosen is marked ▶." if f.ward else ""))
    wards = data.complaints_by_ward(run, f.period)
    if f.ward:
        wards = wards.assign(label=[f"▶ {lbl}" if c == f.ward else lbl
                                    for c, lbl in zip(wards["ward_code"], wards["label"], strict=True)])
    shown = wards[~wards["suppressed"]]
    if shown["received"].fillna(0).sum() == 0:
        sections.not_followed(WARD, "no ward has 10 or more complaints in the month, so none is shown")
        ui.empty_state(f"No ward has 10 or more complaints in {period_label(f.period)}, so none can be shown.")
    else:
        hidden = int(wards["suppressed"].sum())
        ui.chart(charts.bar_chart(shown, x="label", y="per_10k_residents", unit="per_10k",
                                  title="Complaints received per 10,000 residents (Census 2021)",
                                  height=max(300, 26 * len(shown) + 80)), "wards")
        if hidden:
            st.caption(f"{hidden} ward(s) with fewer than 10 complaints are not shown.")
        table = wards.assign(received=wards["received"].where(~wards["suppressed"]))[
            ["label", "population", "received", "per_10k_residents", "suppressed"]]
        table.columns = ["Ward", "Residents (Census 2021)", "Complaints received", "Per 10,000 residents",
                         "Not shown (fewer than 10)"]
        ui.table_with_download(table, label="Complaints by ward", key="wards",
                               file_name=f"complaints-by-ward-{f.period}.csv",
                               column_config={"Per 10,000 residents": st.column_config.NumberColumn(format="%.1f")})
if f.ward:  # the chosen ward's complaints over time (its own section: it follows the trend window)
    ui.kpi_trend(run, "complaints_received", f, key="ward-trend", breakdown=f"ward_code={f.ward}")

with sections.section("categories", "By category", follows={PERIOD, WINDOW, DIRECTORATE, SERVICE, STAGE},
                      instead=NOT_BY_WARD):
    cats = data.complaints(run, f.start, f.period, "category", f.directorate, f.service, stage)
    cats = cats[cats["received"] > 0].sort_values("received", ascending=False)
    if cats.empty:
        ui.empty_state("No complaints received for this choice.")
    else:
        top = cats.head(12)
        ui.chart(charts.bar_chart(top, x="category", y="received", unit="count", title="Most common categories",
                                  height=max(260, 28 * len(top) + 80)), "categories")
        ui.table_with_download(cats, label="Complaints by category", key="categories",
                               file_name=f"complaints-by-category-{f.period}.csv",
                               column_config={c: st.column_config.NumberColumn(format="percent")
                                              for c in ("on_time_rate", "upheld_rate")})
