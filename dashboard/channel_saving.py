"""The Channel shift page's section on what the change of channel mix saved
(fct_channel_shift_saving): the method in words, the total and its two costs,
the saving month by month, by financial year, by directorate or service and
by channel. It follows the month, trend window, directorate, service and
channel filters; with one channel chosen it shows that channel's part of the
saving (the cost of the contacts it would have had at the baseline mix, less
the cost of those it had)."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from dashboard import charts, data, sections
from dashboard import components as ui
from dashboard.filters import CHANNEL, DIRECTORATE, PERIOD, SERVICE, WINDOW, Filters
from dashboard.formatting import fmt_count, fmt_gbp


def draw(run: data.Run, f: Filters, channel_name: str | None) -> None:
    baseline = data.saving_baseline(run)
    st.markdown(
        f"**How it is worked out.** For each service, the *baseline mix* is the share of its contacts in each "
        f"channel in the {baseline or 'first full financial year'}. Each month, we cost the service's contacts "
        "twice at that month's own cost per contact of each channel: once split across channels as in the "
        "baseline mix, once as they actually came. The difference is the saving from the change of mix: it is "
        "not a change in the number of contacts, nor in what each channel costs. Services, directorates and "
        "channels add up to the council's total. Months whose channel costs are not yet in the ledger are left out.")
    if baseline is None:
        ui.empty_state("There are not yet twelve complete months to set a baseline mix.")
        return
    monthly = data.channel_shift_saving(run, f.start, f.period, "period", f.directorate, f.service, f.channel)
    costed = monthly.dropna(subset=["saving_gbp"])
    whose = f"{f.scope(run)}" + (f", {channel_name.lower()} contacts" if channel_name else "")
    if costed.empty:
        ui.empty_state(f"No costed months for {f.scope(run)} in this period.")
        return
    if channel_name:
        st.markdown(f"**{channel_name} only.** The figures below are the {channel_name.lower()} channel's part of "
                    f"the saving: the cost of the {channel_name.lower()} contacts the baseline mix would have given, "
                    f"less the cost of those there were. Positive: fewer {channel_name.lower()} contacts than the "
                    "baseline mix would give.")
    total = costed["saving_gbp"].sum()
    c1, c2, c3 = st.columns(3)
    c1.metric(f"{channel_name} part of the saving, {len(costed)} months" if channel_name
              else f"Saving over the {len(costed)} costed month(s) shown", fmt_gbp(total), help=f"For {whose}. Positive: cheaper than the baseline mix would have been.")
    c2.metric("Cost at the actual mix", fmt_gbp(costed["cost_at_actual_mix_gbp"].sum()), help=f"For {whose}.")
    c3.metric("Cost had the baseline mix continued", fmt_gbp(costed["cost_at_baseline_mix_gbp"].sum()),
              help=f"For {whose}.")
    if len(costed) < len(monthly):
        st.caption(f"{len(monthly) - len(costed)} month(s) in the period have no complete channel costs yet.")
    ui.chart(charts.signed_bars(costed, x="period", y="saving_gbp", title="Saving each month"), "saving")
    ui.table_with_download(monthly, label="Saving by month", key="saving-month",
                           file_name=f"channel-shift-saving-by-month-{f.period}.csv")

    with sections.section("saving-by-year", "By financial year", heading="label",
                          follows={PERIOD, DIRECTORATE, SERVICE, CHANNEL},
                          instead={WINDOW: "every costed month up to the month chosen is counted"}):
        by_year = data.channel_shift_saving(run, "0000-00", f.period, "financial_year", f.directorate, f.service,
                                            f.channel)
        st.caption("Every costed month up to the month chosen.")
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
        by_org = data.channel_shift_saving(run, f.start, f.period, level, f.directorate, f.service, f.channel)
        by_org = by_org.assign(label=by_org.get("label", by_org[level])).sort_values("saving_gbp", ascending=False)
        ui.chart(charts.bar_chart(by_org, x="label", y="saving_gbp", unit="gbp", title=f"Saving by {level}",
                                  height=max(260, 34 * len(by_org) + 80)), "saving-org")
        ui.table_with_download(by_org, label=f"Saving by {level}", key="saving-org",
                               file_name=f"channel-shift-saving-by-{level}-{f.period}.csv")
    with right, sections.section("saving-channel", None, heading="none",
                                 follows={PERIOD, WINDOW, DIRECTORATE, SERVICE},
                                 instead={CHANNEL: "every channel is shown side by side"}):
        by_channel = data.channel_shift_saving(run, f.start, f.period, "channel", f.directorate, f.service)
        ui.chart(charts.bar_chart(by_channel, x="label", y="saving_gbp", unit="gbp",
                                  title="Saving by channel", height=300), "saving-channel")
        st.caption("A negative figure: more contacts in that channel than the baseline mix would give "
                   "(e.g. residents moving to online, email and webchat add cost there, and save more "
                   "on the phone and face to face).")
        ui.table_with_download(by_channel, label="Saving by channel", key="saving-channel",
                               file_name=f"channel-shift-saving-by-channel-{f.period}.csv")
