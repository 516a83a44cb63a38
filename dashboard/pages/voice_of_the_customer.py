"""Voice of the customer: the resident, post-contact, staff and business surveys,
wave by wave, with bases, 95% intervals and whether a change is real."""

import pandas as pd
import streamlit as st

from dashboard import charts, data, filters, sections
from dashboard import components as ui
from dashboard.filters import PERIOD, WARD, WINDOW
from dashboard.formatting import (
    change_text,
    fmt_change,
    fmt_count,
    fmt_pct,
    interval_text,
    is_missing,
    period_label,
)
from pipelines.safe_text import markdown_text

run, f = ui.start_page("Voice of the customer", ward=True)
survey = filters.page_filter("Survey", list(data.SURVEYS), key="survey", format_func=data.SURVEYS.get,
                             noun="survey", instead="it covers every survey")
SURVEY = "survey"
monthly = survey == "transactional"
name = data.SURVEYS[survey]
st.markdown(
    f"What residents, businesses and staff told us, up to **{period_label(f.period)}**. Each result is the "
    "weighted share giving a positive answer. **Respondents** is the unweighted base; the **effective base** "
    "allows for the weighting (a weighted sample of 1,100 carries the information of a smaller simple one); "
    "the **95% interval** is the range the true figure most likely lies in. A change on the previous wave is "
    "called a *significant rise* or *fall* only when it is bigger than sampling noise (5% test); otherwise it "
    "is *no significant change*, with no arrow. Results from fewer than 10 answers are not shown.")
records_ward = survey in ("resident", "business")
breakdown = f"ward_code={f.ward}" if f.ward and records_ward else ""
where = data.label(run, "ward_code", f.ward) if breakdown else "everyone"
# What a section shows instead of the filter it does not follow.
NO_WARD = f"the {name.lower()} does not record a ward, so everyone is shown"
EVERYONE = {WARD: "everyone who answered is counted"}
WINDOW_WAVES = {WINDOW: "every wave of the survey is shown"}
FOLLOWS_WINDOW = {WINDOW} if monthly else set()


def ward_or_everyone() -> None:
    """In a section that follows the ward: say so when this survey cannot."""
    if not records_ward:
        sections.not_followed(WARD, NO_WARD)


def result_text(row) -> str:
    """A result for people; a suppressed one says why, never 0."""
    if row["suppression"] == "primary":
        return "fewer than 10"
    if row["suppressed"]:
        return "not shown (protects a smaller group)"
    return fmt_pct(row["value"])


def results_table(df: pd.DataFrame, bench: pd.DataFrame | None = None) -> pd.DataFrame:
    """The figures as people read them: result, interval, both bases and the change in words."""
    out = pd.DataFrame({
        "Question": df["question"],
        "Wave": [period_label(p) if monthly else p for p in df["period"]],
        "Result": [result_text(r) for _, r in df.iterrows()],
        "95% interval": [interval_text(lo, hi) for lo, hi in zip(df["ci_low"], df["ci_high"], strict=True)],
        "Respondents": [fmt_count(v) if not is_missing(v) else "fewer than 10" if s == "primary" else "–"
                        for v, s in zip(df["base_n"], df["suppression"], strict=True)],
        "Effective base": [fmt_count(v) for v in df["base_n_eff"]],
        "Change on previous wave": [
            "; ".join(x for x in (change_text(r["change_words"], r["change"], r["better_or_worse"]),
                                 ui.weighting_change_text(r)) if x)
            for _, r in df.iterrows()],
    })
    if bench is not None:
        out["Benchmark"] = [benchmark_text(bench, k) for k in df["kpi_id"]]
    return out


def benchmark_text(bench: pd.DataFrame, kpi_id: str) -> str:
    b = bench[bench["applies_to_kpi_id"] == kpi_id]
    if b.empty:
        return "–"
    return "; ".join(f"{r.benchmark_name.split(':')[0]} {benchmark_value(r.value, r.unit)} ({r.period})"
                     for r in b.itertuples())


def benchmark_value(value, unit: str) -> str:
    if is_missing(value):
        return "figure to be confirmed"
    return fmt_pct(value) if unit == "rate" else f"{value:.1f} (index out of 100)"


# ---------------------------------------------------------------- latest results
latest = data.survey_latest(run, survey, f.period, breakdown)
questions = data.survey_questions(run, survey)
bench = data.benchmarks(run, tuple(f"survey.{q}" for q in questions["question_id"]))
with sections.section("latest", f"{name}: latest results ({where})", follows={PERIOD, WARD, SURVEY},
                      instead={WINDOW: "each question's latest wave by the month chosen is shown"}):
    ward_or_everyone()
    if latest.empty:
        ui.empty_state(f"No {name.lower()} results by {period_label(f.period)} for {where}.")
        st.stop()
    latest_table = results_table(latest, bench if len(bench) else None)  # no column of dashes
    one_wave = latest_table["Wave"].nunique() == 1
    if one_wave:  # say the wave once, and leave the table room on a tablet
        st.caption(f"Wave: {markdown_text(latest_table['Wave'].iloc[0])}")
    ui.static_table(latest_table.drop(columns=["Wave"] if one_wave else []).set_index("Question"))
    ui.table_with_download(latest_table, label="Latest results", key="latest",
                           file_name=f"{survey}-latest-{f.period}.csv")
    st.caption("Benchmarks are other organisations' figures, shown for context; most use a different question "
               "or scale (see *One question in depth*).")

# ---------------------------------------------------------------- wave by wave
waves = data.survey_change(run, survey, f.period, breakdown, f.months)
with sections.section("waves", "Every question, wave by wave", follows={PERIOD, WARD, SURVEY, *FOLLOWS_WINDOW},
                      instead=WINDOW_WAVES):
    ward_or_everyone()
    shown = waves.dropna(subset=["value"])
    if shown.empty:
        ui.empty_state("No results to chart for this choice.")
    else:
        fig = (charts.trend_chart(shown, x="period_month", y="value", unit="rate", series="question") if monthly
               else charts.wave_chart(shown, x="period", y="value", series="question"))
        charts.below_legend(fig, entries=shown["question"].nunique(), sort_categories=not monthly)
        ui.chart(fig, "waves")
        st.caption("Lines show each result's 95% interval." if not monthly else
                   "Monthly results; each month's interval is in the table and in *One question in depth*.")
    table = results_table(waves)
    ui.table_with_download(table, label="Results wave by wave", key="waves",
                           file_name=f"{survey}-survey-{f.period}.csv")

# ---------------------------------------------------------------- weighting
with sections.section("weighting", "How each wave was weighted", follows={PERIOD, SURVEY, *FOLLOWS_WINDOW},
                      instead={**WINDOW_WAVES, WARD: "weighting is worked out for the whole sample"}):
    wt = data.survey_weighting(run, survey, f.period, f.months)
    if wt.empty:
        ui.empty_state("No waves yet.")
    else:
        last = wt.iloc[-1]
        st.markdown(
            f"Latest wave ({period_label(last['wave']) if monthly else last['wave']}): **{fmt_count(last['respondents'])} "
            f"respondents**, effective base **{fmt_count(last['effective_base'])}** "
            f"(weighting efficiency **{fmt_pct(last['weighting_efficiency'])}**). {last['note']}.")
        wtable = pd.DataFrame({
            "Wave": [period_label(w) if monthly else w for w in wt["wave"]],
            "Respondents": [fmt_count(v) for v in wt["respondents"]],
            "Weights": wt["weights"],
            "Effective base": [fmt_count(v) for v in wt["effective_base"]],
            "Weighting efficiency": [fmt_pct(v) for v in wt["weighting_efficiency"]],
            "Design effect": [f"{v:.2f}" for v in wt["design_effect"]],
            "Largest weight": [f"{v:.2f}" for v in wt["max_weight"]],
            "How": wt["note"],
            # weighted another way than the wave before: its changes are flagged in the tables above
            "Method changed": ["–" if prev is None else ("yes: compare with care" if w != prev else "no")
                               for w, prev in zip(wt["weights"], [None, *wt["weights"].iloc[:-1]], strict=True)],
        })
        if not monthly:  # a handful of waves: readable in full; the monthly survey's 25 months go in the expander
            ui.static_table(wtable.set_index("Wave"))
        ui.table_with_download(wtable, label="Weighting, wave by wave", key="weighting",
                               file_name=f"{survey}-weighting-{f.period}.csv")
        how = ("A wave delivered without weights is weighted by the pipeline to the borough's Census 2021 profile "
               "(age, gender, ethnicity, ward) by rim weighting, weights trimmed at 3." if survey == "resident" else
               "This survey is not weighted to a population: every respondent counts once.")
        st.caption(f"Weighting efficiency = effective base / respondents (100% = no loss of precision). {how}")

# ---------------------------------------------------------------- one question
st.subheader("One question in depth")
names = data.labels(run)["kpi"]
qid = st.selectbox("Question", list(questions["question_id"]), key="question", bind="query-params",
                   format_func=lambda q: names.get(f"survey.{q}", q))
kpi_id = f"survey.{qid}"
q = questions[questions["question_id"] == qid].iloc[0]
st.markdown(f"*“{q['wording']}”* · positive answers: {q['positive_answers'].replace('|', ', ')} · "
            f"{'higher' if q['polarity'] == 'higher' else 'lower'} is better")
one = waves[waves["kpi_id"] == kpi_id]
qbench = bench[bench["applies_to_kpi_id"] == kpi_id]
left, right = st.columns(2)
with left, sections.section("question-waves", f"Wave by wave ({where})", heading="label",
                            follows={PERIOD, WARD, SURVEY, *FOLLOWS_WINDOW}, instead=WINDOW_WAVES):
    ward_or_everyone()
    pts = one.dropna(subset=["value"])
    if pts.empty:
        ui.empty_state("No published result for this question yet.")
    else:
        ui.chart(charts.question_waves_chart(pts, monthly=monthly, benchmarks=qbench), "question")
        last = pts.iloc[-1]
        when = period_label(last["period"]) if monthly else last["period"]
        st.markdown(f"{markdown_text(when)}: **{fmt_pct(last['value'])}** "
                    f"(95% interval {interval_text(last['ci_low'], last['ci_high'])}; "
                    f"{fmt_count(last['base_n'])} respondents, effective base {fmt_count(last['base_n_eff'])}) · "
                    f"{change_text(last['change_words'], last['change'], last['better_or_worse'])}"
                    + (f" · {ui.weighting_change_text(last)}" if ui.weighting_change_text(last) else ""))
    for b in qbench.itertuples():
        st.caption(f"**Benchmark** · {b.benchmark_name}: {benchmark_value(b.value, b.unit)} ({b.period}; "
                   f"{b.subject}). Source: {b.source}. {b.comparability}. Status: {b.status}.")
    ui.table_with_download(results_table(one), label="This question wave by wave", key="question",
                           file_name=f"{survey}-{qid}-{f.period}.csv")
GROUPS = {WARD: "groups are compared across everyone who answered",
          WINDOW: "groups are compared for one financial year" if monthly else "groups are compared for one wave"}
with right, sections.section("groups", None, heading="none", follows={PERIOD, SURVEY}, instead=GROUPS):
    if monthly:
        fy = pd.Timestamp(f"{f.period}-01")
        start = fy.year if fy.month >= 4 else fy.year - 1
        gap_type, gap_period = "financial_year", f"{start}/{str(start + 1)[-2:]}"
        when = f"financial year {gap_period} pooled"
    else:
        gap_type = "wave"
        gap_period = one.dropna(subset=["value"])["period"].iloc[-1] if one["value"].notna().any() else None
        when = f"wave {gap_period}"
    dims = data.survey_gap_dimensions(run, kpi_id, gap_type, gap_period) if gap_period else []
    gaps = None
    if not dims:
        ui.empty_state("No results by group for this question.")
    else:
        dim = st.selectbox("Compare groups by", dims, key="group", bind="query-params",
                           format_func=data.SURVEY_DIMENSIONS.get)
        gaps = data.survey_gaps(run, kpi_id, dim, gap_type, gap_period)
        st.markdown(f"**By {data.SURVEY_DIMENSIONS[dim].lower()}, {when}, against all respondents**")
        ok = gaps[gaps["value"].notna()]
        status = ok["gap_words"].map({"significantly below": "below", "significantly above": "above"}).fillna("same")
        if len(ok):
            ui.chart(charts.gap_chart(ok.assign(status=status), label="label", reference=ok["all_value"].iloc[0],
                                      reference_label="All respondents"), "groups")
        hidden = gaps[gaps["value"].isna()]
        if len(hidden):
            st.caption("Not shown: " + ", ".join(
                f"{markdown_text(r.label)} ({'fewer than 10' if r.suppression == 'primary' else 'protects a smaller group'})"
                for r in hidden.itertuples()) + ".")
if gaps is not None:  # the groups' table across the page: seven columns need the width
    with sections.section("groups-table", None, heading="none", follows={PERIOD, SURVEY}, instead=GROUPS):
        gtable = pd.DataFrame({
            "Group": gaps["label"],
            "Result": [fmt_pct(v) if not is_missing(v) else "fewer than 10" if s == "primary"
                       else "not shown (protects a smaller group)"
                       for v, s in zip(gaps["value"], gaps["suppression"], strict=True)],
            "95% interval": [interval_text(lo, hi) for lo, hi in zip(gaps["ci_low"], gaps["ci_high"], strict=True)],
            "Respondents": [fmt_count(v) if not is_missing(v) else "–" for v in gaps["base_n"]],
            "Effective base": [fmt_count(v) for v in gaps["base_n_eff"]],
            "Gap to all respondents": [fmt_change(g, "rate") for g in gaps["gap"]],
            "Significance": [("▼ " if w == "significantly below" else "▲ " if w == "significantly above" else "")
                             + w for w in gaps["gap_words"]],
        })
        ui.static_table(gtable.set_index("Group"))
        ui.table_with_download(gtable, label=f"By {data.SURVEY_DIMENSIONS[dim].lower()}", key="groups",
                               file_name=f"{survey}-{qid}-by-{dim}-{gap_period}.csv")

dist = data.survey_distribution(run, survey, qid, f.period)
dist = dist[dist["weighted_share"].notna()]
if monthly and len(dist):
    dist = dist[dist["wave"].isin(dist["wave"].drop_duplicates().tail(13))]
if len(dist):
    with sections.section("distribution", "How people answered, wave by wave (everyone)", heading="label",
                          follows={PERIOD, SURVEY},
                          instead={WARD: "everyone who answered is counted",
                                   WINDOW: "the last 13 months are shown" if monthly else "every wave is shown"}):
        order = list(dict.fromkeys(dist.sort_values("answer_order")["answer"]))
        fig = charts.stacked_bars(dist, x="wave", y="weighted_share", colour="answer", unit="rate", order=order,
                                  height=360)
        fig.update_xaxes(type="category")  # waves are labels, not dates
        ui.chart(fig, "distribution")
        ui.table_with_download(dist[["wave", "answer", "weighted_share", "base_n"]], label="Answers by wave",
                               key="distribution", file_name=f"{survey}-{qid}-answers.csv",
                               column_config={"weighted_share": st.column_config.NumberColumn(format="percent")})

with sections.section("benchmarks", None, heading="none", follows=set(),
                      instead={PERIOD: "every benchmark held is listed", WINDOW: "every benchmark held is listed",
                               WARD: "benchmarks are for whole areas", SURVEY: "benchmarks for every survey are listed"}
                      ), st.expander("All external benchmarks held, with source and date"):
    allb = data.benchmarks(run)
    st.dataframe(allb[["benchmark_name", "subject", "value", "unit", "period", "published", "source",
                       "comparability", "status"]], hide_index=True, width="stretch")
