"""Equality: satisfaction, ease of access and digital take-up by age band, ethnicity,
disability and gender against the borough, and whether residents aged 65+ and disabled
residents can still reach the council by phone or face to face (Equality Impact Assessment)."""

import pandas as pd
import streamlit as st

from dashboard import charts, data, sections
from dashboard import components as ui
from dashboard.filters import PERIOD, WINDOW
from dashboard.formatting import fmt_change, fmt_count, fmt_pct, interval_text, is_missing, period_label
from pipelines.safe_text import markdown_text

run, f = ui.start_page("Equality: does the strategy serve every group?")
st.markdown(
    "The Equality Impact Assessment asks whether moving services online leaves any group behind. For "
    "satisfaction, ease of access and digital take-up, each group of residents is compared with the borough "
    "figure. A group is marked **▼ significantly below** only when the gap is bigger than sampling noise "
    "(5% test, 95% interval of the gap wholly below zero); **●** means no significant difference. Groups of "
    "fewer than 10 are not shown. Each figure carries its unweighted base (respondents or contacts) and its 95% "
    f"interval. Figures up to **{period_label(f.period)}**.")

measures = data.equality_measures(run)
if measures.empty:
    ui.empty_state("No equality figures have been published yet.")
    st.stop()


def when(period: str, period_type: str) -> str:
    if period_type == "wave":
        return f"wave {period}"
    start = int(period[:4])  # '2026/27': April 2026 to March 2027
    to_date = pd.Timestamp(f"{f.period}-01") < pd.Timestamp(f"{start + 1}-03-01")
    return f"financial year {period}" + (" (to date)" if to_date else "")


def status_of(row) -> str:
    if row["significantly_below"]:
        return "below"
    if row["significant"] and row["gap"] > 0:
        return "above"
    return "same"


# ---------------------------------------------------------------- summary
LATEST = {WINDOW: "each measure's latest wave or financial year by the month chosen is shown"}
with sections.section("below", "Groups significantly below the borough", follows={PERIOD}, instead=LATEST):
    latest = {}
    for m in measures.itertuples():
        periods = data.equality_periods(run, m.measure_id, f.period)
        if periods:
            latest[m.measure_id] = periods[0]
    below = []
    for m in measures.itertuples():
        if m.measure_id not in latest:
            continue
        g = data.equality_gaps(run, m.measure_id, latest[m.measure_id])
        for r in g[g["significantly_below"]].itertuples():
            below.append({"Measure": m.measure, "Period": when(latest[m.measure_id], m.period_type),
                          "Group": f"{r.dimension_label}: {r.label}", "Result": fmt_pct(r.value),
                          "Borough": fmt_pct(r.borough_value), "Gap": fmt_change(r.gap, "rate"),
                          "95% interval of the gap": f"{fmt_change(r.gap_ci_low, 'rate')} to {fmt_change(r.gap_ci_high, 'rate')}",
                          "Base": fmt_count(r.base_n), "Status": r.status_text})
    if below:
        st.markdown(f"**{len(below)} group(s)** are significantly below the borough on the latest figures:")
        below = pd.DataFrame(below)
        ui.static_table(below.set_index("Measure"))
        ui.table_with_download(below, label="Groups significantly below", key="below",
                               file_name=f"equality-below-{f.period}.csv")
    else:
        st.success("No group is significantly below the borough on the latest figures.", icon=":material/check:")

# ---------------------------------------------------------------- one measure by group
with sections.section("by-group", "Each measure by group", follows={PERIOD},
                      instead={WINDOW: "one wave or financial year is compared, chosen below"}):
    if not latest:
        ui.empty_state(f"No equality figures up to {period_label(f.period)}.")
        st.stop()
    labels = dict(zip(measures["measure_id"], measures["measure"], strict=True))
    measure_id = st.selectbox("Measure", [m for m in measures["measure_id"] if m in latest], key="measure",
                              bind="query-params", format_func=labels.get)
    m = measures[measures["measure_id"] == measure_id].iloc[0]
    periods = data.equality_periods(run, measure_id, f.period)
    period = st.selectbox("Period", periods, key="eq_period", format_func=lambda p: when(p, m["period_type"]),
                          help="Survey waves, or financial years pooled (a group is too small in one month). "
                               "The current financial year is the year to date.")
    gaps = data.equality_gaps(run, measure_id, period)
    st.caption(f"{m['what_it_counts']}. Source: {m['source']}.")
    if gaps.empty:
        ui.empty_state("No figures by group for this period.")
    else:
        borough = gaps["borough_value"].dropna()
        st.markdown(f"Borough: **{fmt_pct(borough.iloc[0]) if len(borough) else '–'}** "
                    f"({fmt_count(gaps['borough_base_n'].dropna().iloc[0]) if gaps['borough_base_n'].notna().any() else '–'}"
                    f" {'contacts' if m['source'] == 'contacts' else 'respondents'}), {when(period, m['period_type'])}.")
        shown = gaps.dropna(subset=["ci_low", "ci_high"])
        pad = 0.02
        x_range = ((min(shown["ci_low"].min(), borough.min()) - pad, max(shown["ci_high"].max(), borough.max()) + pad)
                   if len(shown) and len(borough) else None)  # one scale for every characteristic
        cols = st.columns(2)
        for i, (dim, dim_label) in enumerate(data.EQUALITY_DIMENSIONS.items()):
            g = gaps[gaps["dimension"] == dim]
            with cols[i % 2]:
                st.markdown(f"**By {dim_label.lower()}**")
                if g.empty:
                    st.caption(f"Not recorded by {dim_label.lower()} in this source.")
                    continue
                ok = g[g["value"].notna()]
                if len(ok):
                    ui.chart(charts.gap_chart(ok.assign(status=[status_of(r) for _, r in ok.iterrows()]), label="label",
                                              reference=ok["borough_value"].iloc[0], reference_label="Borough",
                                              x_range=x_range),
                             f"eq-{dim}")
                hidden = g[g["value"].isna()]
                if len(hidden):
                    st.caption("Not shown: " + ", ".join(f"{markdown_text(r.label)} ({r.status_text})"
                                                         for r in hidden.itertuples()) + ".")
        table = pd.DataFrame({
            "Characteristic": gaps["dimension_label"], "Group": gaps["label"],
            "Result": [fmt_pct(v) if not is_missing(v) else s for v, s in zip(gaps["value"], gaps["status_text"],
                                                                               strict=True)],
            "95% interval": [interval_text(lo, hi) for lo, hi in zip(gaps["ci_low"], gaps["ci_high"], strict=True)],
            "Base (unweighted)": [fmt_count(v) if not is_missing(v) else "–" for v in gaps["base_n"]],
            "Effective base": [fmt_count(v) for v in gaps["base_n_eff"]],
            "Gap to the borough": [fmt_change(v, "rate") for v in gaps["gap"]],
            "95% interval of the gap": [f"{fmt_change(lo, 'rate')} to {fmt_change(hi, 'rate')}" if not is_missing(lo)
                                        else "–" for lo, hi in zip(gaps["gap_ci_low"], gaps["gap_ci_high"], strict=True)],
            "Status": gaps["status_text"],
        })
        ui.static_table(table.set_index(["Characteristic", "Group"]))
        ui.table_with_download(table, label=f"{m['measure']} by group", key="groups",
                               file_name=f"equality-{measure_id}-{period.replace('/', '-')}.csv")

# ---------------------------------------------------------------- non-digital access
with sections.section("non-digital", "Can residents aged 65+ and disabled residents still reach us without going online?",
                      follows={PERIOD, WINDOW}):
    st.markdown("As services move online, the phone and face-to-face routes must stay open to those who need them. "
                "A falling share here with a **▼ significantly less** mark would be a warning sign.")
    acc = data.equality_channel_access(run, f.period, f.months)
    contacts = acc[acc["source"] == "contacts"]
    survey = acc[acc["source"] != "contacts"]
    left, right = st.columns(2)
    with left:
        st.markdown("**Contacts by residents aged 65+ made face to face, by month**",
                    help="Contacts record age; calls do not, so face to face is the only non-digital channel that can "
                         "be split by age.")
        pts = contacts.dropna(subset=["value"])
        if pts.empty:
            ui.empty_state("No contacts with an age recorded in this window.")
        else:
            ui.chart(charts.access_chart(pts, x="period_month", monthly=True), "access-contacts")
            last = pts.iloc[-1]
            st.caption(f"{markdown_text(period_label(last['period']))}: **{fmt_pct(last['value'])}** of "
                       f"{fmt_count(last['base_n'])} "
                       f"contacts (95% interval {interval_text(last['ci_low'], last['ci_high'])}) · {last['status_text']}")
    with right, sections.section(
            "non-digital-survey", "Post-contact survey respondents aged 65+ and disabled respondents whose contact "
            "was by phone or face to face, by financial year", heading="label", follows={PERIOD},
            instead={WINDOW: "every financial year up to the month chosen is shown"}):
        pts = survey.dropna(subset=["value"])
        if pts.empty:
            ui.empty_state("No post-contact survey results yet.")
        else:
            ui.chart(charts.access_chart(pts, x="period"), "access-survey")
            for r in pts.groupby("group_name").tail(1).itertuples():
                st.caption(f"{markdown_text(r.group_name)}, {markdown_text(r.period)}: **{fmt_pct(r.value)}** of "
                           f"{fmt_count(r.base_n)} "
                           f"(95% interval {interval_text(r.ci_low, r.ci_high)}) · {r.status_text}")
    atable = pd.DataFrame({
        "Source": acc["source"], "Group": acc["group_name"], "Period": acc["period"],
        "Non-digital channels": acc["non_digital_channels"],
        "Share non-digital": [fmt_pct(v) if not is_missing(v) else s for v, s in zip(acc["value"], acc["status_text"],
                                                                                      strict=True)],
        "95% interval": [interval_text(lo, hi) for lo, hi in zip(acc["ci_low"], acc["ci_high"], strict=True)],
        "Base (unweighted)": [fmt_count(v) if not is_missing(v) else "–" for v in acc["base_n"]],
        "Compared with": acc["comparison"], "Their share": [fmt_pct(v) for v in acc["comparison_value"]],
        "Status": acc["status_text"],
    })
    ui.table_with_download(atable, label="Non-digital access over time", key="access",
                           file_name=f"equality-non-digital-access-{f.period}.csv")
