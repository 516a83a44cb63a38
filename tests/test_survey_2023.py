"""The 2023 resident survey as published, back out of the pipeline's marts.

The Cabinet report of 20 September 2023 (para 3.14) gives the 2023 resident
survey (n = 1,108) as 83% (staff helpful and polite), 76% (knowledgeable),
67% (access easy), 66% (responded on time) and 56% (right person first
time). The demo delivers that wave as the agency does: an Excel file with its
own weights. Run through the pipeline, the published figures must come back
within 1 point, computed with the delivered weights (not re-weighted), and
equal a direct computation from the delivered file.
"""

from __future__ import annotations

import re

import numpy as np
import pandas as pd
import pytest
from python_calamine import CalamineWorkbook

from pipelines.cli import main as cli_main
from pipelines.settings import REFERENCE_DIR
from pipelines.statistics import effective_base, wilson_interval
from tests.helpers import mart, run_pipeline

PUBLISHED_2023 = {  # Cabinet report 20 Sep 2023, para 3.14
    "staff_helpful_polite": 0.83,
    "staff_knowledgeable": 0.76,
    "access_easy": 0.67,
    "responded_on_time": 0.66,
    "right_person_first_time": 0.56,
}

pytestmark = pytest.mark.xdist_group("survey_2023")


@pytest.fixture(scope="module")
def wave_2023(tmp_path_factory):
    """One month of clean demo extracts holding the June 2023 resident wave, through the pipeline."""
    root = tmp_path_factory.mktemp("survey2023")
    raw, marts, state = root / "raw", root / "marts", root / "state"
    assert cli_main(["demo-data", "--raw-dir", str(raw), "--seed", "5", "--scale", "0.01", "--start", "2023-06",
                     "--end", "2023-06", "--no-faults"]) == 0
    assert run_pipeline(raw, marts, state) == 0
    return raw, marts


def delivered_wave(raw) -> pd.DataFrame:
    """The agency's file as delivered, read independently of the pipeline's readers."""
    files = sorted((raw / "survey_responses").glob("resident_2023-06*"))
    assert len(files) == 1
    rows = CalamineWorkbook.from_path(str(files[0])).get_sheet_by_index(0).to_python()
    return pd.DataFrame(rows[1:], columns=rows[0]).replace("", None)


def test_reference_file_quotes_the_published_figures():
    q = pd.read_csv(REFERENCE_DIR / "survey_questions.csv").set_index("question_id")
    for qid, published in PUBLISHED_2023.items():
        quoted = re.search(r"(\d+)% agree", q.loc[qid, "source"])
        assert quoted and int(quoted.group(1)) / 100 == published, qid
        assert q.loc[qid, "first_wave"] == "2023-06"


def test_published_2023_figures_come_back_with_the_delivered_weights(wave_2023):
    raw, marts = wave_2023
    delivered = delivered_wave(raw)
    w = delivered["weight"].astype(float).to_numpy()
    assert (w > 0).all() and not np.allclose(w, 1)  # a genuinely weighted wave

    weighting = mart(marts, "fct_survey_weighting", "survey = 'resident' AND wave = '2023-06'").iloc[0]
    assert weighting["weights"] == "delivered"  # used as delivered, not raked again
    assert weighting["respondents"] == len(delivered) == 1108
    assert weighting["effective_base"] == pytest.approx(effective_base(w))
    assert 0.8 < weighting["weighting_efficiency"] < 1

    kv = mart(marts, "kpi_values", "period = '2023-06' AND breakdown = ''").set_index("kpi_id")
    scale = pd.read_csv(REFERENCE_DIR / "survey_questions.csv").set_index("question_id")["positive_answers"]
    for qid, published in PUBLISHED_2023.items():
        row = kv.loc[f"survey.{qid}"]
        # within 1 point of the Cabinet report
        assert abs(row["value"] - published) <= 0.01, (qid, row["value"])
        # and exactly what the delivered file says, weighted by its own weights
        answered = delivered[qid].notna().to_numpy()
        positive = delivered[qid].isin(scale[qid].split("|")).to_numpy()
        expected = w[answered & positive].sum() / w[answered].sum()
        assert row["value"] == pytest.approx(expected, abs=1e-9)
        assert row["base_n"] == answered.sum()
        lo, hi = wilson_interval(expected, effective_base(w[answered]))
        assert (row["ci_low"], row["ci_high"]) == (pytest.approx(lo), pytest.approx(hi))
        assert not row["suppressed"]


def test_the_2023_wave_is_the_first_of_its_questions_in_the_change_mart(wave_2023):
    _, marts = wave_2023
    ch = mart(marts, "fct_survey_change", "period = '2023-06' AND breakdown = ''").set_index("question_id")
    for qid, published in PUBLISHED_2023.items():
        row = ch.loc[qid]
        assert abs(row["value"] - published) <= 0.01
        assert row["base_n_eff"] < row["base_n"]  # the weights' design effect is carried
        assert row["change_words"] == "first wave: no earlier figure" and pd.isna(row["change"])
