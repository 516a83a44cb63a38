"""Voice of the customer: the resident, post-contact, staff and business surveys, wave by wave and by group."""

import streamlit as st

from dashboard import charts, data
from dashboard import components as ui
from dashboard.formatting import period_label

run, f = ui.start_page("Voice of the customer", ward=True)
survey = st.sidebar.selectbox("Survey", list(data.SURVEYS), key="survey", bind="query-params",
                              format_func=data.SURVEYS.get)
questions = data.survey_questions(run, survey)
st.markdown(f"What residents, businesses and staff told us, up to **{period_label(f.period)}**. Each figure is the "
            "weighted share giving a positive answer; lines show the 95% interval and *respondents* the unweighted "
            "base. Figures from fewer than 10 answers are not shown.")
breakdown = f"ward_code={f.ward}" if f.ward else ""
if f.ward and survey not in ("resident", "business"):
    st.caption(f"The {data.SURVEYS[survey].lower()} does not record a ward: everyone is shown.")
    breakdown = ""
where = data.label(run, "ward_code", f.ward) if breakdown else "everyone"

st.subheader(f"{data.SURVEYS[survey]}: every question, wave by wave ({where})")
ui.survey_waves(run, survey, f.period, key="waves", breakdown=breakdown, months=f.months)

st.subheader("One question in depth")
if questions.empty:
    ui.empty_state("This survey has no questions in the reference table.")
    st.stop()
names = data.labels(run)["kpi"]
qid = st.selectbox("Question", list(questions["question_id"]), key="question", bind="query-params",
                   format_func=lambda q: names.get(f"survey.{q}", q))
q = questions[questions["question_id"] == qid].iloc[0]
st.markdown(f"*“{q['wording']}”* · positive answers: {q['positive_answers'].replace('|', ', ')} · "
            f"{'higher' if q['polarity'] == 'higher' else 'lower'} is better")
dims = [d for d in data.SURVEY_DIMENSIONS if d and not data.kpi_breakdown(run, f"survey.{qid}", d, f.period).empty]
left, right = st.columns(2)
with left:
    if not dims:
        ui.empty_state("No results by group for this question yet.")
    else:
        dim = st.selectbox("Compare groups by", dims, key="group", bind="query-params",
                           format_func=data.SURVEY_DIMENSIONS.get)
        ui.kpi_breakdown_chart(run, f"survey.{qid}", dim, f.period, key="groups",
                               title=f"By {data.SURVEY_DIMENSIONS[dim].lower()}, latest wave")
with right:
    dist = data.survey_distribution(run, survey, qid, f.period)
    dist = dist[dist["weighted_share"].notna()]
    if dist.empty:
        ui.empty_state("No answers to show for this question yet.")
    else:
        st.markdown("**How people answered, wave by wave**")
        order = list(dict.fromkeys(dist.sort_values("answer_order")["answer"]))
        ui.chart(charts.stacked_bars(dist, x="wave", y="weighted_share", colour="answer", unit="rate", order=order,
                                     height=360), "distribution")
        ui.table_with_download(dist[["wave", "answer", "weighted_share", "base_n"]], label="Answers by wave",
                               key="distribution", file_name=f"{survey}-{qid}-answers.csv",
                               column_config={"weighted_share": st.column_config.NumberColumn(format="percent")})
