"""Outcomes of SQL checks as Great Expectations validation results, for Data Docs.

The result dictionaries are built by GX's own `_format_map_output` from the
counts, so element_count, unexpected_count, unexpected_percent, missing_count,
missing_percent, unexpected_percent_total/nonmissing and the index lists have
GX's names, formulas and edge cases (no rows, all missing). The value lists
(partial_unexpected_list, partial_unexpected_counts) come from the SQL, with
GX's rules: the first 20 failing values in row order, and the 20 commonest
(ties: first seen first), listed by count then value. `unexpected_list` (every
failing value) is left out: Data Docs never show it, and it would mean
fetching every failing row's value.
"""

from __future__ import annotations

import datetime as dt
import math
from collections import Counter

import numpy as np
import pandas as pd

PARTIAL = 20  # GX's partial_unexpected_count


def python_value(value, kind: str, as_array_element: bool = False):
    """A value as GX reads it off the DataFrame: a Series element (column checks)
    or a numpy array element (column pairs, which zip `.values`)."""
    if kind == "datetime":
        if as_array_element:
            return np.datetime64("NaT", "us") if value is None else np.datetime64(value, "us")
        return pd.NaT if value is None else pd.Timestamp(value)
    if as_array_element and kind == "float":
        return np.float64(np.nan if value is None else value)
    if as_array_element and kind in ("int", "bool") and value is not None:
        return np.int64(value) if kind == "int" else np.bool_(value)
    if value is None:
        return pd.NA if kind in ("int", "bool") else np.nan  # one object, as pandas hands out
    return value


def map_result(shape: str, success: bool, element_count: int, nonnull_count: int | None,
               unexpected_count: int, rids: list[int], partial_values: list | None,
               value_counts: list[tuple] | None) -> dict:
    """The `result` of a map expectation in GX's COMPLETE format.

    `value_counts`: (value, count, first row position) of every failing value."""
    from great_expectations.core.result_format import ResultFormat
    from great_expectations.expectations.expectation import _format_map_output, parse_result_format

    fmt = parse_result_format({"result_format": ResultFormat.COMPLETE, "exclude_unexpected_values": True})
    out = _format_map_output(result_format=fmt, success=success, element_count=element_count,
                             nonnull_count=None if shape == "null_test" else nonnull_count,
                             unexpected_count=unexpected_count, unexpected_index_list=rids)
    result = out["result"]
    if partial_values is not None:
        result["partial_unexpected_list"] = partial_values[:PARTIAL]
    if value_counts is not None:
        counts = _partial_counts(value_counts)
        if counts is not None:
            result["partial_unexpected_counts"] = counts
    return result


def _hashable(value):
    if isinstance(value, dict):
        return tuple(value.values())
    if isinstance(value, list):
        return tuple(value)
    return value


def _partial_counts(value_counts: list[tuple]) -> list[dict] | None:
    """Counter(values).most_common(20), then sorted by (-count, value), as GX does."""
    first_seen = sorted(value_counts, key=lambda vc: vc[2])
    counter = Counter()
    for value, count, _first in first_seen:
        counter[_hashable(value)] += count
    try:
        return [{"value": value, "count": count}
                for value, count in sorted(counter.most_common(PARTIAL), key=lambda x: (-x[1], x[0]))]
    except TypeError:  # values that cannot be ordered: GX leaves the counts out
        return None


def is_missing(value) -> bool:
    return value is None or (isinstance(value, float) and math.isnan(value)) or value is pd.NaT


def expectation_result(check, check_index: int, kwargs: dict, batch_id: str, success: bool,
                       result: dict | None, error: str | None):
    from great_expectations.core import ExpectationValidationResult
    from great_expectations.expectations.expectation_configuration import ExpectationConfiguration

    config = ExpectationConfiguration(
        type=check.config["type"], kwargs={"batch_id": batch_id, **kwargs},
        meta={"check_index": check_index, "name": check.name, "description": check.description,
              "on_failure": check.on_failure})
    exception_info = ({"raised_exception": True, "exception_message": error, "exception_traceback": None}
                      if error else None)
    return ExpectationValidationResult(success=success, expectation_config=config, result=result or {},
                                       exception_info=exception_info)


def suite_result(results: list, suite_name: str, parameters: dict, batch_label: str):
    """One suite's results in the shape GX's own validation gives them."""
    import great_expectations as gx
    from great_expectations.core import ExpectationSuiteValidationResult

    evaluated = len(results)
    successful = sum(1 for r in results if r.success)
    statistics = {"evaluated_expectations": evaluated, "successful_expectations": successful,
                  "unsuccessful_expectations": evaluated - successful,
                  "success_percent": successful / evaluated * 100 if evaluated else None}
    now = dt.datetime.now(dt.UTC).strftime("%Y%m%dT%H%M%S.%fZ")
    meta = {"great_expectations_version": gx.__version__,
            "batch_spec": {"batch_data": "DuckDB relation", "relation": batch_label},
            "batch_markers": {"ge_load_time": now},
            "active_batch_definition": {"datasource_name": "duckdb", "data_connector_name": "sql_checks",
                                        "data_asset_name": batch_label, "batch_identifiers": {}},
            "validation_time": now}
    return ExpectationSuiteValidationResult(success=successful == evaluated, results=results,
                                            suite_name=suite_name, suite_parameters=dict(parameters),
                                            statistics=statistics, meta=meta)
