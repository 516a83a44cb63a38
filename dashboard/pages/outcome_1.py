"""Outcome 1: council services are easily accessible and inclusive (every KPI, trends against target, breakdowns)."""

import streamlit as st

from dashboard import charts, data
from dashboard import components as ui
from dashboard.formatting import period_label

run, f = ui.start_page("Outcome 1: council services are easily accessible and inclusive",
                       directorate=True, service=True)
ev = data.events(run, ("all", "outcome_1"))
st.markdown(f"Figures for **{period_label(f.period)}**, {f.scope(run)}. Can residents reach us in the way that "
            "suits them, and who is being left behind? Hover over a figure or open *Definition, source and data* "
            "for how it is measured.")

st.header("At a glance")
ui.scorecard_grid(data.scorecard(run, f.period, headline_only=False, outcome=1, breakdown=f.breakdown))

st.header("Contacts by channel")
contacts = data.contacts_by_channel(run, f.start, f.period, f.directorate, f.service)
if contacts.empty:
    ui.empty_state(f"No contacts recorded for {f.scope(run)} in this period.")
else:
    left, right = st.columns(2)
    with left:
        ui.chart(charts.stacked_bars(contacts, x="period", y="contacts", colour="channel_name", unit="count", axis_title="Contacts",
                                     title="Contacts each month"), "contacts-count")
    with right:
        ui.chart(charts.stacked_bars(contacts, x="period", y="contacts", colour="channel_name", unit="count", axis_title="Contacts",
                                     percent=True, title="Share of contacts by channel"), "contacts-share")
    table = contacts.pivot_table(index="period", columns="channel_name", values="contacts", aggfunc="sum").reset_index()
    ui.table_with_download(table, label="Contacts by month and channel", key="contacts",
                           file_name=f"contacts-by-channel-{f.period}.csv")

st.header("Phone: answering calls")
left, right = st.columns(2)
with left:
    ui.kpi_trend(run, "call_answer_rate", f, key="answer", events=ev)
    ui.kpi_trend(run, "avg_speed_of_answer_s", f, key="asa", events=ev)
with right:
    ui.kpi_trend(run, "call_abandon_rate", f, key="abandon", events=ev)
    ui.kpi_trend(run, "calls_answered_60s_rate", f, key="sixty", events=ev)
left, right = st.columns(2)
with left:
    ui.kpi_trend(run, "calls_offered", f, key="offered", events=ev)
with right:
    ui.kpi_trend(run, "contacts_total", f, key="contacts-total", events=ev)

st.header("Residents' Hubs and assisted digital")
left, right = st.columns(2)
with left:
    ui.kpi_trend(run, "hub_visits", f, key="hub", events=ev)
    ui.kpi_breakdown_chart(run, "hub_visits", "site", f.period, key="hub-sites",
                           title=f"Visits by hub or Idea Store, {period_label(f.period)}")
with right:
    ui.kpi_trend(run, "assisted_digital_rate", f, key="assisted", events=ev)

st.header("Online")
left, right = st.columns(2)
with left:
    ui.kpi_trend(run, "digital_share", f, key="digital", events=ev)
    ui.kpi_trend(run, "online_completion_rate", f, key="completion", events=ev)
with right:
    ui.kpi_trend(run, "self_service_share", f, key="self-service", events=ev)

st.header("Who is left behind: digital take-up by age band")
st.markdown("Digital take-up among contacts that record the resident's age (calls do not record it). "
            "A band well below the others is a group the strategy's assisted-digital and phone offers must serve.")
left, right = st.columns(2)
with left:
    ui.kpi_breakdown_chart(run, "digital_share", "age_band", f.period, key="age-bars",
                           title=f"Digital take-up by age band, {period_label(f.period)}")
with right:
    by_age = data.kpi_series_by(run, "digital_share", "age_band", f.period, f.months)
    if by_age.empty:
        ui.empty_state("No digital take-up by age band in this period.")
    else:
        st.markdown("**Digital take-up by age band over time**")
        ui.chart(charts.trend_chart(by_age, x="period_month", y="value", unit="rate", series="label", height=320),
                 "age-trend")
        ui.table_with_download(
            by_age.pivot_table(index="period", columns="label", values="value").reset_index(),
            label="Digital take-up by age band and month", key="age-trend",
            file_name=f"digital-take-up-by-age-{f.period}.csv")

st.header("What residents say")
left, right = st.columns(2)
with left:
    ui.kpi_trend(run, "survey.access_easy", f, key="access-easy", breakdown="")
with right:
    ui.kpi_trend(run, "survey.council_hard_to_reach_by_phone", f, key="hard-to-reach", breakdown="")
