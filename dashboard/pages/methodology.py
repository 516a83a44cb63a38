"""Methodology: how these statistics are made, in plain English, on one page
(as an ONS or GOV.UK statistics release has one).

It renders the markdown files in dashboard/methodology/ in file-name order (each
branch of the work adds its own: status and variation, figures that differ...),
then what is true of this release: the definitions of every measure (dim_kpi),
the release schedule and the figures that are provisional now.
"""

from pathlib import Path

import pandas as pd
import streamlit as st

from dashboard import components as ui
from dashboard import data, downloads, release
from dashboard.formatting import fmt_target, fmt_value, period_label

METHODOLOGY_DIR = Path(__file__).resolve().parent.parent / "methodology"

run = ui.require_run()
st.title("Methodology: how these statistics are made")
ui.data_as_at(run)
st.markdown("What each measure means, how its status is judged, how the surveys are weighted, how people in the "
            "figures are protected, and when the figures change. Written for Board members; the exact rules are "
            "in the data contract and the catalogue of measures.")

for path in sorted(METHODOLOGY_DIR.glob("*.md")):
    st.markdown(path.read_text(encoding="utf-8"))  # the project's own reviewed text, not extract data

st.header("Definitions of every measure")
cat = data.kpi_catalogue(run)
outcomes = data.outcomes(run)
short = dict(zip(outcomes["outcome"], outcomes["short_name"], strict=True))
units = {"rate": "Percentage", "count": "Number", "gbp": "Pounds", "seconds": "Seconds", "per_10k": "Per 10,000"}
cadence = {"monthly": "Every month", "wave": "Each survey wave"}
source_words = data.SOURCE_LABELS
table = pd.DataFrame({
    "Outcome": [f"{o}: {short.get(o, '')}" for o in cat["outcome"]],
    "Measure": cat["name"],
    "Definition": cat["definition"],
    "Unit": cat["unit"].map(units),
    "Published": cat["cadence"].map(cadence),
    "Computed from": [", ".join(source_words.get(s, s) for s in (list(v) if v is not None else []))
                      for v in cat.get("sources", pd.Series([None] * len(cat)))],
    "Latest target": [fmt_target(t, u, p) if t == t and t is not None else "No target"
                      for t, u, p in zip(cat["latest_target"], cat["unit"], cat["polarity"], strict=True)],
    "Amber band": [fmt_value(b, u, precise=True) if b == b and b is not None else "–"
                   for b, u in zip(cat["amber_band"], cat["unit"], strict=True)],
    "Target status": cat["target_status"].fillna("–"),
    "Owner": cat["owner"],
})
# a static table: definitions wrap in full, as on a printed methodology page
st.table(table[["Measure", "Definition", "Published", "Computed from", "Latest target", "Owner"]].set_index("Measure"))
downloads.download_button("Download the definitions (CSV)", lambda: ui.to_csv_bytes(table),
                          file_name="kpi-definitions.csv", mime="text/csv", key="dl-definitions",
                          icon=":material/download:")

st.header("This release")
try:
    rel = release.release(run.manifest)
    st.markdown(f"- **Schedule:** the figures are updated {rel.schedule.in_words()}.\n"
                f"- **Last updated:** {release.when_text(rel.last_updated) if rel.last_updated else 'unknown'}.\n"
                f"- **Next update due:** {release.when_text(rel.next_due)}.")
    if rel.late_since:
        st.warning(f"The update due at {release.when_text(rel.late_since)} has not been published yet.",
                   icon=":material/schedule:")
except release.ScheduleError as e:
    st.warning(f"The release schedule setting cannot be read: {e}", icon=":material/schedule:")

coverage = data.source_coverage(run)
latest = run.manifest.get("latest_complete_period")
if len(coverage) and latest:
    now = coverage[coverage["period"] == latest]
    st.markdown(f"**How complete each system's records are for {period_label(latest)}**, the latest complete "
                "month. A measure computed from a system that does not cover the whole month is provisional.")
    st.dataframe(pd.DataFrame({
        "System": now["source"].map(lambda s: source_words.get(s, s)),
        "Records on": now["records_on"].map({"every_day": "Every day", "working_days": "Working days",
                                             "monthly": "One delivery a month"}),
        "Records reach": [release.day_text(str(d)) if d == d and d is not None else "–"
                          for d in now["source_last_record_on"]],
        "Covers the whole month": now["covers_whole_month"].map({True: "Yes", False: "No: figures provisional"}),
    }), hide_index=True, width="stretch")
