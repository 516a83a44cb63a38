"""Outcome 2: feedback, data, technology and innovation are used to improve services."""

import streamlit as st

from dashboard import components as ui
from dashboard import data, sections
from dashboard.formatting import period_label
from dashboard.sections import BY_PARTS

run, f = ui.start_page("Outcome 2: feedback, data, technology and innovation improve services",
                       directorate=True, service=True)
ev = data.events(run, ("all", "outcome_2", "complaints"))
level = "service" if f.directorate else "directorate"
st.markdown(f"Figures for **{period_label(f.period)}**, {f.scope(run)}. Do we learn from complaints and "
            "repeat calls, and are residents satisfied with the contact they had?")

ui.glance_section("glance", "At a glance",
                  data.scorecard(run, f.period, headline_only=False, outcome=2, breakdown=f.breakdown), f)

with sections.section("complaints", "Complaints", follows=BY_PARTS):
    left, right = st.columns(2)
    with left:
        ui.kpi_trend(run, "complaints_received", f, key="received", events=ev)
        ui.kpi_trend(run, "stage2_on_time_rate", f, key="stage2", events=ev)
        ui.kpi_trend(run, "complaints_escalation_rate", f, key="escalation", events=ev)
    with right:
        ui.kpi_trend(run, "stage1_on_time_rate", f, key="stage1", events=ev)
        ui.kpi_trend(run, "complaints_upheld_rate", f, key="upheld", events=ev)
        ui.kpi_trend(run, "complaints_per_10k_contacts", f, key="per10k", events=ev)
    left, right = st.columns(2)
    with left:
        ui.kpi_breakdown_chart(run, "stage1_on_time_rate", level, f.period, key="s1-by", directorate=f.directorate,
                               title=f"Stage 1 answered on time by {level}, {period_label(f.period)}")
    with right:
        ui.kpi_breakdown_chart(run, "complaints_per_10k_contacts", level, f.period, key="per10k-by",
                               directorate=f.directorate,
                               title=f"Complaints per 10,000 contacts by {level}, {period_label(f.period)}")
    ui.link_to("complaints", "More on complaints: by stage, ward and category")

with sections.section("repeat", "Repeat calls (failure demand)", follows=BY_PARTS):
    st.markdown("A call from a number that already called in the previous 7 days often means the first contact "
                "did not resolve the matter: demand the council causes itself.")
    left, right = st.columns(2)
    with left:
        ui.kpi_trend(run, "repeat_call_rate_7d", f, key="repeat", events=ev)
    with right:
        ui.kpi_breakdown_chart(run, "repeat_call_rate_7d", level, f.period, key="repeat-by",
                               directorate=f.directorate,
                               title=f"Repeat calls by {level}, {period_label(f.period)}")

with sections.section("satisfaction", "Satisfaction with the contact, by channel", follows=BY_PARTS):
    left, right = st.columns(2)
    with left:
        ui.kpi_breakdown_chart(run, "survey.txn_satisfied", "channel", f.period, key="txn-channel",
                               title="Satisfied with the contact, by channel (post-contact survey)")
    with right:
        ui.kpi_trend(run, "survey.txn_satisfied", f, key="txn-satisfied")
        ui.kpi_trend(run, "survey.txn_easy", f, key="txn-easy")

with sections.section("cost", "Cost of contact", follows=BY_PARTS):
    left, right = st.columns(2)
    with left:
        ui.kpi_trend(run, "cost_per_contact_gbp", f, key="cpc", events=ev)
        ui.kpi_breakdown_chart(run, "unit_cost_gbp", "channel", f.period, key="unit-cost",
                               title=f"Cost per contact by channel, {period_label(f.period)}")
    with right:
        ui.kpi_trend(run, "cost_of_contact_gbp", f, key="cost", events=ev)
    ui.link_to("channel_shift", "Channel shift: costs, baselines and the saving")

with sections.section("residents-say", "What residents and businesses say", follows=BY_PARTS):
    left, right = st.columns(2)
    with left:
        ui.kpi_trend(run, "survey.responded_on_time", f, key="on-time-survey", breakdown="")
        ui.kpi_trend(run, "survey.biz_easy_to_contact", f, key="biz-contact", breakdown="")
    with right:
        ui.kpi_trend(run, "survey.council_responds_quickly", f, key="quickly", breakdown="")
        ui.kpi_trend(run, "survey.biz_promise_clear", f, key="biz-promise", breakdown="")
