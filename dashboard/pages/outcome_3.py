"""Outcome 3: a customer-focused culture delivers an excellent customer experience."""

import streamlit as st

from dashboard import components as ui
from dashboard import data, sections
from dashboard.filters import DIRECTORATE, PERIOD, SERVICE, WINDOW
from dashboard.formatting import period_label
from dashboard.sections import BY_PARTS

run, f = ui.start_page("Outcome 3: a customer-focused culture delivers an excellent customer experience",
                       directorate=True, service=True)
ev = data.events(run, ("all", "outcome_3"))
st.markdown(f"Figures for **{period_label(f.period)}**, {f.scope(run)}. Are staff trained and empowered, "
            "and do residents feel it?")

ui.glance_section("glance", "At a glance",
                  data.scorecard(run, f.period, headline_only=False, outcome=3, breakdown=f.breakdown), f)

cat = data.kpi_catalogue(run)
outcome_surveys = set(cat.loc[cat["outcome"] == 3, "kpi_id"])
SURVEY_NOT_BY_ORG = {DIRECTORATE: "the survey is of residents across the borough",
                     SERVICE: "the survey is of residents across the borough",
                     WINDOW: "every wave of the survey is shown"}

with sections.section("resident-survey", "The resident survey, wave by wave", follows={PERIOD},
                      instead=SURVEY_NOT_BY_ORG):
    st.markdown("The share agreeing with each statement about their most recent contact with the council, and "
                "about the council in general, with the number who answered. A change is called a *significant "
                "rise* or *fall* only when a statistical test (two proportions, 95% level, on the effective base "
                "after weighting) says it is unlikely to be chance; otherwise *no significant change*, however "
                "the line looks.")
    ui.survey_latest(run, "resident", f.period, kpi_ids=sorted(outcome_surveys))
    ui.survey_waves(run, "resident", f.period, key="resident-waves", kpi_ids=sorted(outcome_surveys))

with sections.section("training", "Staff trained in customer service", follows=BY_PARTS):
    left, right = st.columns(2)
    with left:
        ui.kpi_trend(run, "staff_trained_rate", f, key="trained", events=ev)
    with right:
        ui.kpi_breakdown_chart(run, "staff_trained_rate", "directorate", f.period, key="trained-by",
                               title=f"Staff trained by directorate, {period_label(f.period)}")

with sections.section("staff-survey", "The staff survey, wave by wave", follows={PERIOD},
                      instead={DIRECTORATE: "the staff survey is published for the whole council only",
                               SERVICE: "the staff survey is published for the whole council only",
                               WINDOW: "every wave of the survey is shown"}):
    ui.survey_latest(run, "staff", f.period)
    ui.survey_waves(run, "staff", f.period, key="staff-waves")

with sections.section("fcr", "Resolved at first contact", follows=BY_PARTS):
    left, right = st.columns(2)
    with left:
        ui.kpi_trend(run, "first_contact_resolution_rate", f, key="fcr", events=ev)
    with right:
        level = "service" if f.directorate else "directorate"
        ui.kpi_breakdown_chart(run, "first_contact_resolution_rate", level, f.period, key="fcr-by",
                               directorate=f.directorate,
                               title=f"Calls resolved at first contact by {level}, {period_label(f.period)}")
