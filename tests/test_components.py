"""Small building blocks of the pages: downloads safe to open in Excel, tables in words."""

from __future__ import annotations

import io

import pandas as pd

from dashboard import components as ui
from dashboard.formatting import fmt_change, fmt_value, negligible


def test_downloads_neutralise_formulas_and_keep_numbers():
    df = pd.DataFrame({"category": ["=HYPERLINK(\"http://x\")", "+44 20", "-2+3", "@SUM(A1)", "\t=1", "Noise"],
                       "received": [1, 2, 3, 4, 5, -6], "saving_gbp": [-1.5, 2.0, 0.0, 3.25, -0.01, 9.0]})
    text = ui.to_csv_bytes(df).decode("utf-8-sig")
    back = pd.read_csv(io.StringIO(text), keep_default_na=False)
    assert list(back["category"]) == ["'=HYPERLINK(\"http://x\")", "'+44 20", "'-2+3", "'@SUM(A1)", "'\t=1", "Noise"]
    assert list(back["received"]) == [1, 2, 3, 4, 5, -6]
    assert list(back["saving_gbp"]) == [-1.5, 2.0, 0.0, 3.25, -0.01, 9.0]


def test_tables_use_words_for_mart_columns():
    df = pd.DataFrame({"period": ["2025-01"], "on_time_rate": [0.5], "label": ["Waste"], "other": [1],
                       "rows_quarantined": [3], "kpi_id": ["call_answer_rate"], "Already words (£)": [2.0]})
    table, config = ui.for_people(df, {"on_time_rate": "kept"})
    assert list(table.columns) == ["Month", "Share answered on time", "Name", "Other", "Rows quarantined",
                                   "Already words (£)"]  # no snake_case, no KPI code
    assert config["Share answered on time"] == "kept"


def test_money_and_tiny_changes_read_as_people_write_them():
    assert fmt_value(-88229.4, "gbp") == "-£88,229"
    assert fmt_value(-1.5, "gbp") == "-£1.50"
    # one money rule: whole pounds from £1,000, pounds and pence below
    assert fmt_value(1_750_000, "gbp") == "£1,750,000"
    assert fmt_value(1234.56, "gbp") == "£1,235" and fmt_value(999.5, "gbp") == "£999.50"
    assert fmt_value(999.999, "gbp") == "£1,000" and fmt_value(3.234, "gbp") == "£3.23"
    assert fmt_change(-12_345.6, "gbp") == "-£12,346" and fmt_change(0.05, "gbp") == "+£0.05"
    assert negligible(0.0003, "rate") and not negligible(0.0006, "rate")
