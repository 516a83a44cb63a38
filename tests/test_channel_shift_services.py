"""CMT's questions on Channel shift (issue 12 item 4), and the page with one channel
chosen (issue 10 item 5's example): figures recomputed from fct_contacts_monthly
and fct_channel_shift_saving, independently of the dashboard's queries."""

from __future__ import annotations

import pandas as pd
from streamlit.testing.v1 import AppTest

from dashboard.formatting import fmt_gbp, period_label
from tests.helpers import mart
from tests.pages import APP, texts


def open_page(**query) -> AppTest:
    at = AppTest.from_file(str(APP), default_timeout=180)
    for k, v in query.items():
        at.query_params[k] = v
    at.switch_page("pages/channel_shift.py")
    at.run()
    assert not at.exception, [e.message for e in at.exception]
    return at


def table_with(at: AppTest, column_start: str) -> pd.DataFrame:
    for d in at.dataframe:
        if any(str(c).startswith(column_start) for c in d.value.columns):
            return d.value
    raise AssertionError(f"no table with a column starting {column_start!r}")


def expected_ranking(marts, period: str, channel: str, directorate: str | None = None) -> pd.DataFrame:
    c = mart(marts, "fct_contacts_monthly")
    c = c[c["service"].notna()]
    if directorate:
        c = c[c["directorate"] == directorate]
    names = mart(marts, "dim_services").set_index("service_code")["service_name"]
    before = (pd.Timestamp(f"{period}-01") - pd.DateOffset(months=12)).strftime("%Y-%m")
    now = c[(c["period"] == period) & (c["channel"] == channel)].groupby("service")["contacts"].sum()
    then = c[(c["period"] == before) & (c["channel"] == channel)].groupby("service")["contacts"].sum()
    every = c[c["period"] == period].groupby("service")["contacts"].sum()
    out = pd.DataFrame({"now": now, "then": then, "every": every}).fillna(0)
    out = out[(out["every"] > 0) | (out["then"] > 0)]
    out.index = out.index.map(names)
    return out.sort_values("now", ascending=False)


def count(text: str) -> float:
    return float(str(text).replace(",", "")) if text not in ("–", "") else 0.0


def test_services_ranked_by_phone_contacts_against_a_year_before(marts_env):
    at = open_page()
    period = at.sidebar.selectbox(key="period").value
    month = period_label(period)
    table = table_with(at, "Phone contacts,")
    want = expected_ranking(marts_env, period, "phone")
    assert list(table["Service"]) == list(want.index)
    assert [count(v) for v in table[f"Phone contacts, {month}"]] == list(want["now"])
    assert list(table["Rank"]) == list(want["now"].rank(ascending=False, method="min").astype(int))
    # every channel's contacts beside the ranking, adding up to the service's contacts
    channels = [c for c in table.columns if c.endswith(f", {month}") and not c.startswith(("Phone contacts", "Share",
                                                                                              "All contacts"))]
    assert len(channels) >= 3
    totals = table[channels].map(count).sum(axis=1)
    assert list(totals) == [count(v) for v in table[f"All contacts, {month}"]]
    assert "Contacts by service and channel, ranked by phone contacts" in [s.value for s in at.subheader]


def test_the_ranking_follows_the_channel_and_directorate(marts_env):
    services = mart(marts_env, "dim_services")
    directorate = services["directorate"].value_counts().index[0]
    at = open_page(channel="Email", directorate=directorate)
    period = at.sidebar.selectbox(key="period").value
    table = table_with(at, "Email contacts,")
    want = expected_ranking(marts_env, period, "email", directorate)
    assert list(table["Service"]) == list(want.index)
    assert set(table["Directorate"]) == {directorate}
    assert [count(v) for v in table[f"Email contacts, {period_label(period)}"]] == list(want["now"])
    assert "Which services take the most email contacts" in [s.value for s in at.subheader]


def test_phone_share_per_service_month_by_month(marts_env):
    at = open_page()
    table = table_with(at, "Service")
    share = next(d.value for d in at.dataframe if "Service" in d.value.columns and len(d.value.columns) > 8
                 and not any(str(c).startswith("Rank") for c in d.value.columns))
    c = mart(marts_env, "fct_contacts_monthly")
    names = mart(marts_env, "dim_services").set_index("service_code")["service_name"]
    for _, row in share.head(3).iterrows():
        code = names[names == row["Service"]].index[0]
        for month in share.columns[1:4]:
            period = pd.Timestamp(f"1 {month}").strftime("%Y-%m")
            m = c[(c["service"] == code) & (c["period"] == period)]
            assert abs(row[month] - m.loc[m["channel"] == "phone", "contacts"].sum() / m["contacts"].sum()) < 1e-9
    assert len(table)


def test_one_channel_chosen_gives_that_channels_saving_and_says_what_is_not_by_channel(marts_env):
    at = open_page(channel="Phone")
    s = mart(marts_env, "fct_channel_shift_saving")
    complete = s.groupby("period")["costs_complete"].all()
    costed = s[s["period"].isin(complete[complete].index) & (s["channel"] == "phone")]
    saving = [m for m in at.metric if m.label.startswith("Phone part of the saving")]
    assert saving and saving[0].value == fmt_gbp(costed["saving_gbp"].sum())
    shown = texts(at)
    assert "Not broken down by channel (Phone chosen): digital take-up is a share of every channel's contacts." \
        in shown
    assert "Phone's share of all contacts" in str([c.proto.spec for c in at.get("plotly_chart")])
