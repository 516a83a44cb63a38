"""KPI catalogue: every KPI with its definition, unit, target, baseline, source, owner and latest value."""

import streamlit as st

from dashboard import components as ui
from dashboard import data, downloads, filters, sections, status
from dashboard.filters import PERIOD
from dashboard.formatting import fmt_target, fmt_value, period_label

run, f = ui.start_page("KPI catalogue", window=False)
outcomes = data.outcomes(run)
outcome_names = dict(zip(outcomes["outcome"], outcomes["short_name"], strict=True))
outcome = filters.page_filter("Outcome", [None, *outcome_names], key="outcome", noun="outcome",
                              instead="every outcome's measures are shown",
                              format_func=lambda o: "All outcomes" if o is None else f"{o}: {outcome_names[o]}")
st.markdown(f"Every measure the dashboard reports, how it is defined and where it comes from, with its value as at "
            f"**{period_label(f.period)}**. Definitions live in `data/reference/kpi_catalogue.yaml`, reviewed like "
            "code. Targets marked *proposed* are to be agreed by the Board.")

cat = data.kpi_catalogue(run)
card = data.scorecard(run, f.period, headline_only=False)
merged = cat.merge(card[["kpi_id", "period", "value", "target", "rag", "out_of_range"]], on="kpi_id", how="left")
if outcome is not None:
    merged = merged[merged["outcome"] == outcome]
with sections.section("catalogue", None, heading="none", follows={PERIOD, "outcome"}):
    if merged.empty:
        ui.empty_state("No KPI for this outcome.")
        st.stop()
    units = {"rate": "Percentage", "count": "Number", "gbp": "Pounds", "seconds": "Seconds", "per_10k": "Per 10,000"}
    polarity = {"higher": "Higher is better", "lower": "Lower is better", "none": "Context (no direction)"}
    table = merged.assign(
        unit_text=merged["unit"].map(units),
        polarity_text=merged["polarity"].map(polarity),
        # the status rule: enough places to show which side of its target a figure lies
        latest=[status.shown_value(r) for r in merged.to_dict("records")],
        period_text=[period_label(p, short=True) if isinstance(p, str) else "–" for p in merged["period"]],
        target_now=[status.target_text(t, u, p) for t, u, p in zip(merged["target"], merged["unit"],
                                                                   merged["polarity"], strict=True)],
        final_target=[fmt_target(t, u, p) for t, u, p in zip(merged["latest_target"], merged["unit"],
                                                             merged["polarity"], strict=True)],
        status=[status.status_text(r) for r in merged.to_dict("records")],
        baseline=[(fmt_value(v, u) if v == v and v is not None else "") + (f" ({p})" if isinstance(p, str) else "")
                  for v, u, p in zip(merged["baseline_value"], merged["unit"], merged["baseline_period"], strict=True)],
        headline_text=merged["headline"].map({True: "Yes", False: ""}),
    )[["outcome", "name", "latest", "period_text", "target_now", "status", "definition", "unit_text", "polarity_text",
       "final_target", "target_status", "baseline", "baseline_source", "source", "owner", "headline_text", "kpi_id"]]
    # What a reader looks for first (the figure and its status) before the definitions; the id last, for analysts.
    table.columns = ["Outcome", "KPI", "Latest value", "Period", "Target in force", "Status", "Definition", "Unit",
                     "Direction", "Latest target in the trajectory", "Target status", "Baseline", "Baseline source",
                     "Source", "Owner", "On the overview", "Id"]
    st.dataframe(table, hide_index=True, width="stretch", height=min(38 * len(table) + 40, 720),
                 column_config={"KPI": st.column_config.TextColumn(pinned=True),
                                "Definition": st.column_config.TextColumn(width="large"),
                                "Baseline source": st.column_config.TextColumn(width="medium")})
    downloads.download_button("Download the catalogue (CSV)", lambda: ui.to_csv_bytes(table),
                              file_name=f"kpi-catalogue-{f.period}.csv", mime="text/csv", key="dl-catalogue",
                              icon=":material/download:")

with sections.section("trajectories", "Target trajectories", follows={"outcome"},
                      instead={PERIOD: "every target in each trajectory is listed"}):
    st.caption("Each target applies from its month until the next one. RAG uses the target in force for the period.")
    targets = data.kpi_targets(run)
    targets = targets[targets["kpi_id"].isin(merged["kpi_id"])]
    names = data.labels(run)["kpi"]
    units_by_kpi = dict(zip(cat["kpi_id"], cat["unit"], strict=True))
    targets = targets.assign(
        kpi=targets["kpi_id"].map(names),
        target_text=[fmt_value(t, units_by_kpi[k], precise=True) for t, k in zip(targets["target"], targets["kpi_id"],
                                                                               strict=True)],
        from_text=targets["valid_from"].map(period_label),
        to_text=targets["valid_to"].map(lambda p: period_label(p) if isinstance(p, str) else "onwards"),
    )[["kpi", "from_text", "to_text", "target_text", "amber_band", "polarity"]]
    targets.columns = ["KPI", "From", "Until (not including)", "Target", "Amber band", "Polarity"]
    ui.table_with_download(targets, label="Target trajectories", key="targets", file_name="kpi-targets.csv")
