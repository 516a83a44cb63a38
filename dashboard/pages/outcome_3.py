"""Outcome 3: a customer-focused culture delivers an excellent customer experience."""

import streamlit as st

from dashboard import components as ui
from dashboard import data
from dashboard.formatting import period_label

run, f = ui.start_page("Outcome 3: a customer-focused culture delivers an excellent customer experience",
                       directorate=True, service=True)
ev = data.events(run, ("all", "outcome_3"))
st.markdown(f"Figures for **{period_label(f.period)}**, {f.scope(run)}. Are staff trained and empowered, "
            "and do residents feel it?")

st.header("At a glance")
ui.scorecard_grid(data.scorecard(run, f.period, headline_only=False, outcome=3, breakdown=f.breakdown))

cat = data.kpi_catalogue(run)
outcome_surveys = set(cat.loc[cat["outcome"] == 3, "kpi_id"])

st.header("The resident survey, wave by wave")
st.markdown("The share agreeing with each statement about their most recent contact with the council, and about "
            "the council in general, with the number who answered. A change is called a *significant rise* or "
            "*fall* only when a statistical test (two proportions, 95% level, on the effective base after "
            "weighting) says it is unlikely to be chance; otherwise *no significant change*, however the line looks.")
ui.survey_latest(run, "resident", f.period, kpi_ids=sorted(outcome_surveys))
ui.survey_waves(run, "resident", f.period, key="resident-waves", kpi_ids=sorted(outcome_surveys))

st.header("Staff trained in customer service")
left, right = st.columns(2)
with left:
    ui.kpi_trend(run, "staff_trained_rate", f, key="trained", events=ev)
with right:
    ui.kpi_breakdown_chart(run, "staff_trained_rate", "directorate", f.period, key="trained-by",
                           title=f"Staff trained by directorate, {period_label(f.period)}")

st.header("The staff survey, wave by wave")
ui.survey_latest(run, "staff", f.period)
ui.survey_waves(run, "staff", f.period, key="staff-waves")

st.header("Resolved at first contact")
left, right = st.columns(2)
with left:
    ui.kpi_trend(run, "first_contact_resolution_rate", f, key="fcr", events=ev)
with right:
    level = "service" if f.directorate else "directorate"
    ui.kpi_breakdown_chart(run, "first_contact_resolution_rate", level, f.period, key="fcr-by", directorate=f.directorate,
                           title=f"Calls resolved at first contact by {level}, {period_label(f.period)}")
