"""Channel shift for CMT: contacts by channel, digital take-up and where it is heading,
the March 2026 targets, cost of contact, unit costs against 2017/18 and the saving."""

import pandas as pd
import streamlit as st

from dashboard import charts, data
from dashboard import components as ui
from dashboard.formatting import (
    TARGET_STATUS,
    fmt_count,
    fmt_gbp,
    fmt_target,
    fmt_value,
    gbp_column_format,
    on_course_text,
    period_label,
)

run, f = ui.start_page("Channel shift", directorate=True, service=True, channel=True)
ev = data.events(run, ("all", "channel_shift", "outcome_1"))
st.markdown(f"Figures for **{period_label(f.period)}**, {f.scope(run)}"
            + (f", {data.label(run, 'channel', f.channel).lower()} only" if f.channel else "")
            + ". Are residents moving to digital channels, what does each channel cost, and what has the move saved?")

# ------------------------------------------------------------------ contacts by channel
st.header("Contacts by channel")
contacts = data.contacts_by_channel(run, f.start, f.period, f.directorate, f.service, f.channel)
if contacts.empty:
    ui.empty_state(f"No contacts recorded for {f.scope(run)} in this period.")
else:
    left, right = st.columns(2)
    with left:
        ui.chart(charts.stacked_bars(contacts, x="period", y="contacts", colour="channel_name", unit="count", axis_title="Contacts",
                                     title="Contacts each month, by channel"), "contacts")
    with right:
        if f.channel:
            st.caption("Choose *All channels* to see each channel's share of contacts.")
        else:
            ui.chart(charts.stacked_bars(contacts, x="period", y="contacts", colour="channel_name", unit="count", axis_title="Contacts",
                                         percent=True, title="Share of contacts, by channel"), "share")
    ui.table_with_download(
        contacts.pivot_table(index="period", columns="channel_name", values="contacts", aggfunc="sum").reset_index(),
        label="Contacts by month and channel", key="contacts", file_name=f"contacts-by-channel-{f.period}.csv")

# ------------------------------------------------------------------ digital take-up and projection
st.header("Digital take-up against its target, and where the trend leads")
left, right = st.columns(2)
with left:
    ui.kpi_trend(run, "digital_share", f, key="digital", events=ev)
with right:
    info = data.kpi_info(run, "digital_share")
    projection = data.kpi_projection(run, "digital_share")
    actual = data.kpi_series(run, "digital_share", projection["fit_to"].max(), 24) if len(projection) else projection
    st.markdown("**Digital take-up: projection 12 months ahead** · the whole council",
                help="A straight line fitted to the last 24 complete months, extended 12 months, with the range "
                     "in which 95% of months would fall if the trend carries on.")
    if projection.empty:
        ui.empty_state("Not enough months yet for a projection (it needs at least 12 complete months).")
    else:
        ui.chart(charts.projection_chart(actual, projection, unit="rate", events=ev, height=320), "projection")
        ui.events_caption(ev, actual["period_month"].min(), projection["month"].max())
        outlook = data.kpi_outlook(run)
        o = outlook[outlook["kpi_id"] == "digital_share"]
        if len(o):
            o = o.iloc[0]
            st.markdown(
                f"From the last {o['months_fitted']} months ({period_label(o['fit_from'], short=True)} to "
                f"{period_label(o['fit_to'], short=True)}) digital take-up is changing by "
                f"**{fmt_value(abs(o['change_per_year']) , 'rate', precise=True)} points a year** "
                f"({'up' if o['change_per_year'] >= 0 else 'down'}). On that trend it would be "
                f"**{fmt_value(o['projected_value'], 'rate')}** in {period_label(o['checkpoint_period'])} "
                f"(likely range {fmt_value(o['projected_low'], 'rate')} to {fmt_value(o['projected_high'], 'rate')}) "
                f"against a target of {fmt_target(o['checkpoint_target'], 'rate', 'higher')}: "
                f"**{on_course_text(o['on_course'], o['certainty'])}**.")
        ui.table_with_download(projection[["period", "is_projection", "actual", "trend", "trend_low", "trend_high",
                                           "target"]],
                               label="Trend and projection", key="projection",
                               file_name="digital-take-up-projection.csv")

# ------------------------------------------------------------------ strategy targets
strategy = data.strategy(run)
st.header(f"Were the strategy's {period_label(strategy['end_period'])} targets met?")
targets = data.strategy_targets(run)
if targets.empty:
    ui.empty_state("No KPI has a target for the strategy's last month.")
else:
    shown = targets.assign(
        target_text=[fmt_target(t, u, p) for t, u, p in zip(targets["target"], targets["unit"], targets["polarity"],
                                                           strict=True)],
        actual_text=[fmt_value(v, u, precise=True) for v, u in zip(targets["actual_value"], targets["unit"], strict=True)],
        actual_period_text=[period_label(p, short=True) if isinstance(p, str) else "–" for p in targets["actual_period"]],
        verdict=targets["status"].map(TARGET_STATUS),
        projected_text=[("–" if p is None or p != p else f"{fmt_value(p, u)} ({'✓ would meet' if m else '✗ would miss'})")
                        for p, u, m in zip(targets["projected_value"], targets["unit"], targets["projected_met"],
                                           strict=True)],
    )
    met = (targets["status"] == "met").sum()
    known = (targets["status"] != "not yet known").sum()
    st.markdown(f"**{met} of {known}** measures with a result met their {period_label(strategy['end_period'])} "
                f"target; {len(targets) - known} are not known yet. Monthly measures use {period_label(strategy['end_period'])} "
                "itself; survey measures their latest wave by then.")
    table = shown[["outcome", "name", "target_text", "actual_period_text", "actual_text", "verdict", "projected_text"]]
    table.columns = ["Outcome", "Measure", "Target", "Result for", "Result", "Met?", "On current trend"]
    st.dataframe(table, hide_index=True, width="stretch")
    ui.table_with_download(targets, label="Strategy targets (all columns)", key="strategy-targets",
                           file_name=f"strategy-targets-{strategy['end_period']}.csv")

with st.expander("Every monthly measure: on course for its next target?"):
    outlook = data.kpi_outlook(run)
    names = data.labels(run)["kpi"]
    table = outlook.assign(
        measure=outlook["kpi_id"].map(names),
        latest=[fmt_value(v, u) for v, u in zip(outlook["latest_value"], outlook["unit"], strict=True)],
        projected=[fmt_value(v, u) for v, u in zip(outlook["projected_value"], outlook["unit"], strict=True)],
        range_text=[f"{fmt_value(lo, u)} to {fmt_value(hi, u)}" for lo, hi, u in
                    zip(outlook["projected_low"], outlook["projected_high"], outlook["unit"], strict=True)],
        target=[fmt_target(t, u, p) for t, u, p in zip(outlook["checkpoint_target"], outlook["unit"],
                                                       outlook["polarity"], strict=True)],
        verdict=[on_course_text(o, c) for o, c in zip(outlook["on_course"], outlook["certainty"], strict=True)],
    )[["measure", "latest_period", "latest", "checkpoint_period", "projected", "range_text", "target", "verdict"]]
    table.columns = ["Measure", "Latest month", "Latest", "Checkpoint", "Projected", "Likely range", "Target",
                     "On current trend"]
    st.dataframe(table, hide_index=True, width="stretch")

# ------------------------------------------------------------------ costs
st.header("Cost of contact by channel")
costs = data.channel_costs(run, f.start, f.period, f.channel)
if costs.empty:
    ui.empty_state("The finance ledger has no channel costs for this period.")
else:
    left, right = st.columns(2)
    with left:
        ui.chart(charts.stacked_bars(costs, x="period", y="cost_gbp", colour="channel_name", unit="gbp",
                                     title="Cost of each channel by month"), "costs")
    with right:
        ui.chart(charts.trend_chart(costs, x="period", y="unit_cost_gbp", unit="gbp", series="channel_name",
                                    title="Cost per contact by channel"), "unit-costs")
    latest = costs[costs["period"] == costs["period"].max()]
    st.markdown(f"**Cost per contact in {period_label(latest['period'].iloc[0])} against the 2017/18 baselines** "
                "(Cabinet report, 28 November 2018: phone about £6, face to face £10, digital 8p to 19p)")
    ui.chart(charts.unit_cost_chart(latest), "unit-vs-baseline")
    table = costs[["period", "channel_name", "cost_gbp", "contacts", "unit_cost_gbp", "baseline_unit_cost_gbp"]]
    table.columns = ["Month", "Channel", "Cost (£)", "Contacts", "Cost per contact (£)", "2017/18 baseline (£)"]
    ui.table_with_download(table, label="Costs, contacts and unit costs by channel", key="costs",
                           file_name=f"channel-costs-{f.period}.csv",
                           column_config={c: st.column_config.NumberColumn(format=gbp_column_format(table[c]))
                                          for c in ("Cost (£)", "Cost per contact (£)", "2017/18 baseline (£)")})

# ------------------------------------------------------------------ saving
st.header("What the change of channel mix saved")
baseline = data.saving_baseline(run)
st.markdown(
    f"**How it is worked out.** For each service, the *baseline mix* is the share of its contacts in each channel "
    f"in the {baseline or 'first full financial year'}. Each month, we cost the service's contacts twice at that "
    "month's own cost per contact of each channel: once split across channels as in the baseline mix, once as "
    "they actually came. The difference is the saving from the change of mix: it is not a change in the number "
    "of contacts, nor in what each channel costs. Services and directorates add up to the council's total. "
    "Months whose channel costs are not yet in the ledger are left out.")
if baseline is None:
    ui.empty_state("There are not yet twelve complete months to set a baseline mix.")
else:
    monthly = data.channel_shift_saving(run, f.start, f.period, "period", f.directorate, f.service)
    costed = monthly.dropna(subset=["saving_gbp"])
    if costed.empty:
        ui.empty_state(f"No costed months for {f.scope(run)} in this period.")
    else:
        total = costed["saving_gbp"].sum()
        c1, c2, c3 = st.columns(3)
        c1.metric(f"Saving over the {len(costed)} costed month(s) shown", fmt_gbp(total),
                  help="Positive: cheaper than the baseline mix would have been.")
        c2.metric("Cost at the actual mix", fmt_gbp(costed["cost_at_actual_mix_gbp"].sum()))
        c3.metric("Cost had the baseline mix continued", fmt_gbp(costed["cost_at_baseline_mix_gbp"].sum()))
        if len(costed) < len(monthly):
            st.caption(f"{len(monthly) - len(costed)} month(s) in the period have no complete channel costs yet.")
        ui.chart(charts.signed_bars(costed, x="period", y="saving_gbp", title="Saving each month"), "saving")
        ui.table_with_download(monthly, label="Saving by month", key="saving-month",
                               file_name=f"channel-shift-saving-by-month-{f.period}.csv")
        by_year = data.channel_shift_saving(run, "0000-00", f.period, "financial_year", f.directorate, f.service)
        st.markdown("**By financial year** (every costed month up to the chosen month)")
        st.dataframe(pd.DataFrame({
            "Financial year": by_year["financial_year"],
            "Contacts": by_year["contacts"].map(fmt_count),
            "Cost at the actual mix": by_year["cost_at_actual_mix_gbp"].map(fmt_gbp),
            "Cost at the baseline mix": by_year["cost_at_baseline_mix_gbp"].map(fmt_gbp),
            "Saving": by_year["saving_gbp"].map(fmt_gbp),
            "Months costed": [f"{c} of {m}" for c, m in zip(by_year["months_costed"], by_year["months"], strict=True)],
        }), hide_index=True, width="stretch")
        level = "service" if f.directorate else "directorate"
        left, right = st.columns(2)
        with left:
            by_org = data.channel_shift_saving(run, f.start, f.period, level, f.directorate, f.service)
            by_org = by_org.assign(label=by_org.get("label", by_org[level])).sort_values("saving_gbp", ascending=False)
            ui.chart(charts.bar_chart(by_org, x="label", y="saving_gbp", unit="gbp", title=f"Saving by {level}",
                                      height=max(260, 34 * len(by_org) + 80)), "saving-org")
            ui.table_with_download(by_org, label=f"Saving by {level}", key="saving-org",
                                   file_name=f"channel-shift-saving-by-{level}-{f.period}.csv")
        with right:
            by_channel = data.channel_shift_saving(run, f.start, f.period, "channel", f.directorate, f.service)
            ui.chart(charts.bar_chart(by_channel, x="label", y="saving_gbp", unit="gbp",
                                      title="Saving by channel", height=300), "saving-channel")
            st.caption("A negative figure: more contacts in that channel than the baseline mix would give "
                       "(e.g. residents moving to online, email and webchat add cost there, and save more "
                       "on the phone and face to face).")
            ui.table_with_download(by_channel, label="Saving by channel", key="saving-channel",
                                   file_name=f"channel-shift-saving-by-channel-{f.period}.csv")
