"""Outcome 1: council services are easily accessible and inclusive (every KPI, trends against target, breakdowns)."""

import streamlit as st

from dashboard import charts, data, sections
from dashboard import components as ui
from dashboard.filters import DIRECTORATE, PERIOD, SERVICE, WINDOW
from dashboard.formatting import kpi_label, period_label
from dashboard.sections import BY_PARTS

run, f = ui.start_page("Outcome 1: council services are easily accessible and inclusive",
                       directorate=True, service=True)
ev = data.events(run, ("all", "outcome_1"))
st.markdown(f"Figures for **{period_label(f.period)}**, {f.scope(run)}. Can residents reach us in the way that "
            "suits them, and who is being left behind? Hover over a figure or open *Definition, source and data* "
            "for how it is measured.")

ui.glance_section("glance", "At a glance",
                  data.scorecard(run, f.period, headline_only=False, outcome=1, breakdown=f.breakdown), f)

with sections.section("contacts", "Contacts by channel", follows={PERIOD, WINDOW, DIRECTORATE, SERVICE}):
    contacts = data.contacts_by_channel(run, f.start, f.period, f.directorate, f.service)
    if contacts.empty:
        ui.empty_state(f"No contacts recorded for {f.scope(run)} in this period.")
    else:
        left, right = st.columns(2)
        with left:
            ui.chart(charts.stacked_bars(contacts, x="period", y="contacts", colour="channel_name", unit="count",
                                         title="Contacts each month"), "contacts-count")
        with right:
            ui.chart(charts.stacked_bars(contacts, x="period", y="contacts", colour="channel_name", unit="count",
                                         percent=True, title="Share of contacts by channel"), "contacts-share")
        table = contacts.pivot_table(index="period", columns="channel_name", values="contacts",
                                     aggfunc="sum").reset_index()
        ui.table_with_download(table, label="Contacts by month and channel", key="contacts",
                               file_name=f"contacts-by-channel-{f.period}.csv")

with sections.section("phone", "Phone: answering calls", follows=BY_PARTS):
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

with sections.section("hubs", "Residents' Hubs and assisted digital", follows=BY_PARTS):
    left, right = st.columns(2)
    with left:
        ui.kpi_trend(run, "hub_visits", f, key="hub", events=ev)
        ui.kpi_breakdown_chart(run, "hub_visits", "site", f.period, key="hub-sites",
                               title=f"Visits by hub or Idea Store, {period_label(f.period)}")
    with right:
        ui.kpi_trend(run, "assisted_digital_rate", f, key="assisted", events=ev)

with sections.section("online", "Online", follows=BY_PARTS):
    left, right = st.columns(2)
    with left:
        ui.kpi_trend(run, "digital_share", f, key="digital", events=ev)
        ui.kpi_trend(run, "online_completion_rate", f, key="completion", events=ev)
    with right:
        ui.kpi_trend(run, "self_service_share", f, key="self-service", events=ev)

by_age_label = kpi_label(data.kpi_info(run, "digital_share"), "age_band")
with sections.section("age", "Who is left behind: digital take-up by age band", follows=BY_PARTS):
    st.markdown("Digital take-up among contacts that record the resident's age (calls do not record it), so it "
                "is higher than the headline figure, which counts every contact, calls included. A band well "
                "below the others is a group the strategy's assisted-digital and phone offers must serve.")
    left, right = st.columns(2)
    with left:
        ui.kpi_breakdown_chart(run, "digital_share", "age_band", f.period, key="age-bars",
                               title=f"{by_age_label} by age band, {period_label(f.period)}")
    with right, sections.section("age-trend", f"{by_age_label} by age band over time", heading="label",
                                 follows={PERIOD, WINDOW},
                                 instead={DIRECTORATE: "it is published by age band for the whole council only",
                                          SERVICE: "it is published by age band for the whole council only"}):
        by_age = data.kpi_series_by(run, "digital_share", "age_band", f.period, f.months)
        if by_age.empty:
            ui.empty_state("No digital take-up by age band in this period.")
        else:
            ui.chart(charts.trend_chart(by_age, x="period_month", y="value", unit="rate", series="label",
                                        height=320), "age-trend")
            ui.table_with_download(
                by_age.pivot_table(index="period", columns="label", values="value").reset_index(),
                label="Digital take-up by age band and month", key="age-trend",
                file_name=f"digital-take-up-by-age-{f.period}.csv")

with sections.section("residents-say", "What residents say", follows=BY_PARTS):
    left, right = st.columns(2)
    with left:
        ui.kpi_trend(run, "survey.access_easy", f, key="access-easy", breakdown="")
    with right:
        ui.kpi_trend(run, "survey.council_hard_to_reach_by_phone", f, key="hard-to-reach", breakdown="")
