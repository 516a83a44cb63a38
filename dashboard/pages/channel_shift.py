"""Channel shift for CMT: contacts by channel, digital take-up and where it is heading,
the March 2026 targets, cost of contact, unit costs against 2017/18 and the saving."""

import streamlit as st

from dashboard import channel_saving, charts, data, sections, service_channels
from dashboard import components as ui
from dashboard.filters import CHANNEL, DIRECTORATE, PERIOD, SERVICE, WINDOW
from dashboard.formatting import (
    TARGET_STATUS,
    fmt_target,
    fmt_value,
    on_course_text,
    period_label,
)

run, f = ui.start_page("Channel shift", directorate=True, service=True, channel=True)
ev = data.events(run, ("all", "channel_shift", "outcome_1"))
channel_name = data.label(run, "channel", f.channel) if f.channel else None
st.markdown(f"Figures for **{period_label(f.period)}**, {f.scope(run)}"
            + (f", {channel_name.lower()} only where a figure can be split by channel" if f.channel else "")
            + ". Are residents moving to digital channels, what does each channel cost, and what has the move saved?")
EVERY = {PERIOD, WINDOW, DIRECTORATE, SERVICE, CHANNEL}
WHOLE_COUNCIL = {DIRECTORATE: "the whole council is shown", SERVICE: "the whole council is shown"}

# ------------------------------------------------------------------ contacts by channel
with sections.section("contacts", "Contacts by channel", follows=EVERY):
    contacts = data.contacts_by_channel(run, f.start, f.period, f.directorate, f.service, f.channel)
    if contacts.empty:
        ui.empty_state(f"No contacts recorded for {f.scope(run)} in this period.")
    else:
        left, right = st.columns(2)
        with left:
            ui.chart(charts.stacked_bars(contacts, x="period", y="contacts", colour="channel_name", unit="count",
                                         title="Contacts each month, by channel" if f.all_channels else
                                         f"{channel_name} contacts each month"), "contacts")
        with right:
            if f.all_channels:
                ui.chart(charts.stacked_bars(contacts, x="period", y="contacts", colour="channel_name", unit="count",
                                             percent=True, title="Share of contacts, by channel"), "share")
            else:  # one channel: its share of every contact, rather than a column of 100%
                share = data.channel_share_of_contacts(run, f.start, f.period, f.channel, f.directorate, f.service)
                ui.chart(charts.trend_chart(share, x="period_month", y="share", unit="rate",
                                            title=f"{channel_name}'s share of all contacts"), "share")
        table = contacts.pivot_table(index="period", columns="channel_name", values="contacts",
                                     aggfunc="sum").reset_index()
        if not f.all_channels:
            table = table.merge(share[["period", "all_contacts", "share"]], on="period", how="left").rename(
                columns={"all_contacts": "All channels", "share": f"{channel_name}'s share"})
        ui.table_with_download(table, label="Contacts by month and channel", key="contacts",
                               file_name=f"contacts-by-channel-{f.period}.csv",
                               column_config={f"{channel_name}'s share": st.column_config.NumberColumn(
                                   format="percent")} if channel_name else None)

# ------------------------------------------------------------------ services by channel (CMT)
service_channels.ranked_section(run, f)
service_channels.share_section(run, f)

# ------------------------------------------------------------------ digital take-up and projection
with sections.section("digital", "Digital take-up against its target, and where the trend leads", follows=EVERY):
    left, right = st.columns(2)
    with left:
        ui.kpi_trend(run, "digital_share", f, key="digital", events=ev)
    with right, sections.section(
            "projection", "Digital take-up (all contacts): projection 12 months ahead · the whole council",
            heading="label",
            help="A straight line fitted to the last 24 complete months, extended 12 months, with the range "
                 "in which 95% of months would fall if the trend carries on.",
            follows=set(), instead={PERIOD: "the line is fitted to the latest 24 complete months held",
                                    WINDOW: "the line is fitted to the latest 24 complete months held",
                                    **WHOLE_COUNCIL, CHANNEL: "digital take-up is a share of every channel's contacts"}):
        info = data.kpi_info(run, "digital_share")
        projection = data.kpi_projection(run, "digital_share")
        actual = data.kpi_series(run, "digital_share", projection["fit_to"].max(), 24) if len(projection) else projection
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
end_text = period_label(strategy["end_period"])
with sections.section("strategy-targets", f"Were the strategy's {end_text} targets met?", follows=set(),
                      instead={PERIOD: f"it shows the strategy's last month, {end_text}",
                               WINDOW: f"it shows the strategy's last month, {end_text}",
                               **WHOLE_COUNCIL, CHANNEL: "the targets are for every channel"}):
    targets = data.strategy_targets(run)
    if targets.empty:
        ui.empty_state("No KPI has a target for the strategy's last month.")
    else:
        shown = targets.assign(
            target_text=[fmt_target(t, u, p) for t, u, p in zip(targets["target"], targets["unit"],
                                                               targets["polarity"], strict=True)],
            actual_text=[fmt_value(v, u, precise=True) for v, u in zip(targets["actual_value"], targets["unit"],
                                                                       strict=True)],
            actual_period_text=[period_label(p, short=True) if isinstance(p, str) else "–"
                                for p in targets["actual_period"]],
            verdict=targets["status"].map(TARGET_STATUS),
            projected_text=[("–" if p is None or p != p else
                             f"{fmt_value(p, u)} ({'✓ would meet' if m else '✗ would miss'})")
                            for p, u, m in zip(targets["projected_value"], targets["unit"], targets["projected_met"],
                                               strict=True)],
        )
        met = (targets["status"] == "met").sum()
        known = (targets["status"] != "not yet known").sum()
        st.markdown(f"**{met} of {known}** measures with a result met their {end_text} target; "
                    f"{len(targets) - known} are not known yet. Monthly measures use {end_text} itself; survey "
                    "measures their latest wave by then.")
        table = shown[["outcome", "name", "target_text", "actual_period_text", "actual_text", "verdict",
                       "projected_text"]]
        table.columns = ["Outcome", "Measure", "Target", "Result for", "Result", "Met?", "On current trend"]
        st.dataframe(table, hide_index=True, width="stretch")
        ui.table_with_download(targets, label="Strategy targets (all columns)", key="strategy-targets",
                               file_name=f"strategy-targets-{strategy['end_period']}.csv")

with sections.section("outlook", None, heading="none", follows=set(),
                      instead={PERIOD: "each measure's latest month held is shown",
                               WINDOW: "each line is fitted to the latest 24 complete months held",
                               **WHOLE_COUNCIL, CHANNEL: "the measures are for every channel"}), \
        st.expander("Every monthly measure: on course for its next target?"):
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
COSTS_WHOLE_COUNCIL = {DIRECTORATE: "the ledger holds channel costs for the whole council only",
                       SERVICE: "the ledger holds channel costs for the whole council only"}
with sections.section("costs", "Cost of contact by channel", follows={PERIOD, WINDOW, CHANNEL},
                      instead=COSTS_WHOLE_COUNCIL):
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
        table = costs[["period", "channel_name", "cost_gbp", "contacts", "unit_cost_gbp", "baseline_unit_cost_gbp"]]
        table.columns = ["Month", "Channel", "Cost (£)", "Contacts", "Cost per contact (£)", "2017/18 baseline (£)"]
        ui.table_with_download(table, label="Costs, contacts and unit costs by channel", key="costs",
                               file_name=f"channel-costs-{f.period}.csv",
                               column_config={c: st.column_config.NumberColumn(format="£%.2f")
                                              for c in ("Cost (£)", "Cost per contact (£)", "2017/18 baseline (£)")})
        latest = costs[costs["period"] == costs["period"].max()]
        with sections.section(
                "unit-vs-baseline",
                f"Cost per contact in {period_label(latest['period'].iloc[0])} against the 2017/18 baselines",
                heading="label", follows={PERIOD, CHANNEL},
                instead={WINDOW: f"it shows {period_label(latest['period'].iloc[0])}, the latest costed month"}):
            st.caption("Cabinet report, 28 November 2018: phone about £6, face to face £10, digital 8p to 19p.")
            ui.chart(charts.unit_cost_chart(latest), "unit-vs-baseline")
            ui.table_with_download(latest[["period", "channel_name", "unit_cost_gbp", "baseline_unit_cost_gbp"]]
                                   .rename(columns={"channel_name": "Channel", "unit_cost_gbp": "Cost per contact (£)",
                                                    "baseline_unit_cost_gbp": "2017/18 baseline (£)"}),
                                   label="Cost per contact against the 2017/18 baselines", key="unit-vs-baseline",
                                   file_name=f"unit-costs-against-baseline-{latest['period'].iloc[0]}.csv")

# ------------------------------------------------------------------ saving
with sections.section("saving", "What the change of channel mix saved", follows=EVERY):
    channel_saving.draw(run, f, channel_name)
