"""Survey statistics the Board can trust: pure functions, one implementation.

The SQL models call these same functions (registered in DuckDB by
`register_sql_functions`), so what the tests check against textbook results
is exactly what the marts compute.

- Interval for a proportion: Wilson's score interval (Wilson 1927; Newcombe
  1998, method 3). Unlike the normal ("Wald") interval it never leaves [0, 1]
  and keeps its coverage for proportions near 0 or 1 and for small bases. For
  a weighted survey the base is Kish's effective base n_eff = (sum w)^2 / sum w^2,
  so the interval widens by the design effect of the weights.
- Interval for a difference of two independent proportions: Newcombe's hybrid
  score interval (1998, method 10), built from the two Wilson intervals.
- Test of a difference: the two-proportion z-test with a pooled proportion
  (the Pearson chi-square test without continuity correction), on effective bases.
- Projection: ordinary least squares line with a t-based prediction interval.
"""

from __future__ import annotations

import math

import numpy as np
from scipy import stats

Z95 = 1.959963984540054  # the 97.5th percentile of the standard normal
ALPHA = 0.05


# ------------------------------------------------------------------ bases
def effective_base(weights) -> float:
    """Kish's effective sample size (sum w)^2 / sum w^2: n for equal weights, less otherwise."""
    w = np.asarray(weights, dtype=float)
    s2 = float(np.sum(w * w))
    return float(np.sum(w)) ** 2 / s2 if s2 > 0 else 0.0


def design_effect(weights) -> float:
    """Kish's design effect of weighting, n / n_eff = 1 + CV^2 of the weights."""
    n_eff = effective_base(weights)
    return len(np.asarray(weights)) / n_eff if n_eff > 0 else math.nan


def weighting_efficiency(weights) -> float:
    """n_eff / n as a fraction (1 = no loss of precision from weighting)."""
    n = len(np.asarray(weights))
    return effective_base(weights) / n if n else math.nan


# ------------------------------------------------------------------ one proportion
def wilson_interval(p: float, n: float, z: float = Z95) -> tuple[float, float]:
    """Wilson score interval for a proportion p observed on a base n (may be effective, not whole)."""
    if n is None or n <= 0 or p is None or math.isnan(p):
        return (math.nan, math.nan)
    z2 = z * z
    centre = (p + z2 / (2 * n)) / (1 + z2 / n)
    half = z * math.sqrt(max(p * (1 - p), 0.0) / n + z2 / (4 * n * n)) / (1 + z2 / n)
    return (max(0.0, centre - half), min(1.0, centre + half))


def wilson_low(p: float, n: float) -> float:
    return wilson_interval(p, n)[0]


def wilson_high(p: float, n: float) -> float:
    return wilson_interval(p, n)[1]


# ------------------------------------------------------------------ two proportions
def difference_interval(p1: float, n1: float, p2: float, n2: float, z: float = Z95) -> tuple[float, float]:
    """Newcombe's hybrid score interval for p1 - p2 (independent samples)."""
    l1, u1 = wilson_interval(p1, n1, z)
    l2, u2 = wilson_interval(p2, n2, z)
    if any(math.isnan(v) for v in (l1, u1, l2, u2)):
        return (math.nan, math.nan)
    d = p1 - p2
    return (d - math.sqrt((p1 - l1) ** 2 + (u2 - p2) ** 2), d + math.sqrt((u1 - p1) ** 2 + (p2 - l2) ** 2))


def difference_low(p1: float, n1: float, p2: float, n2: float) -> float:
    return difference_interval(p1, n1, p2, n2)[0]


def difference_high(p1: float, n1: float, p2: float, n2: float) -> float:
    return difference_interval(p1, n1, p2, n2)[1]


def two_proportion_z(p1: float, n1: float, p2: float, n2: float) -> float:
    """z statistic of the pooled two-proportion test; 0 when both proportions are 0 or both 1."""
    if min(n1, n2) <= 0:
        return math.nan
    pooled = (p1 * n1 + p2 * n2) / (n1 + n2)
    var = pooled * (1 - pooled) * (1 / n1 + 1 / n2)
    if var <= 0:
        return 0.0
    return (p1 - p2) / math.sqrt(var)


def two_sided_p(z: float) -> float:
    """Two-sided p-value of a standard normal statistic."""
    if z is None or math.isnan(z):
        return math.nan
    return float(2 * stats.norm.sf(abs(z)))


def two_proportion_p(p1: float, n1: float, p2: float, n2: float) -> float:
    return two_sided_p(two_proportion_z(p1, n1, p2, n2))


def change_words(difference: float, p_value: float, alpha: float = ALPHA) -> str:
    """What a Board member is told about a change between two waves."""
    if difference is None or p_value is None or math.isnan(difference) or math.isnan(p_value):
        return "not tested"
    if p_value < alpha and difference > 0:
        return "significant rise"
    if p_value < alpha and difference < 0:
        return "significant fall"
    return "no significant change"


def gap_words(gap: float, p_value: float, alpha: float = ALPHA) -> str:
    """What is said of a group's figure against the borough's."""
    if gap is None or p_value is None or math.isnan(gap) or math.isnan(p_value):
        return "not tested"
    if p_value < alpha and gap > 0:
        return "significantly above"
    if p_value < alpha and gap < 0:
        return "significantly below"
    return "no significant difference"


# ------------------------------------------------------------------ projection
def t_quantile(q: float, df: float) -> float:
    """Quantile of Student's t with df degrees of freedom."""
    if df is None or df <= 0:
        return math.nan
    return float(stats.t.ppf(q, df))


def linear_projection(x, y, x0: float, level: float = 0.95) -> dict:
    """OLS line through (x, y), its value at x0 and the prediction interval there.

    The same formula as the projection mart's SQL (fct_kpi_projection): the
    interval is yhat +/- t(df = n-2) * s * sqrt(1 + 1/n + (x0 - mean x)^2 / Sxx).
    """
    x, y = np.asarray(x, dtype=float), np.asarray(y, dtype=float)
    n = len(x)
    xbar, ybar = x.mean(), y.mean()
    sxx = float(np.sum((x - xbar) ** 2))
    slope = float(np.sum((x - xbar) * (y - ybar)) / sxx)
    intercept = ybar - slope * xbar
    resid = y - (intercept + slope * x)
    s = math.sqrt(float(np.sum(resid ** 2)) / (n - 2))
    yhat = intercept + slope * x0
    half = t_quantile(1 - (1 - level) / 2, n - 2) * s * math.sqrt(1 + 1 / n + (x0 - xbar) ** 2 / sxx)
    return {"slope": slope, "intercept": intercept, "value": yhat, "low": yhat - half, "high": yhat + half}


def projection_words(value: float, low: float, high: float, target: float, polarity: str) -> str:
    """'on course' when the projection meets the target; 'at risk' when it misses but the
    prediction interval still reaches the target; 'off course' when the whole interval misses."""
    if any(v is None or math.isnan(v) for v in (value, low, high, target)) or polarity not in ("higher", "lower"):
        return "no projection"
    meets = value >= target if polarity == "higher" else value <= target
    reachable = high >= target if polarity == "higher" else low <= target
    return "on course" if meets else "at risk" if reachable else "off course"


# ------------------------------------------------------------------ SQL
SQL_FUNCTIONS = {
    # name: (function, number of DOUBLE arguments, return type)
    "stat_wilson_low": (wilson_low, 2, "DOUBLE"),
    "stat_wilson_high": (wilson_high, 2, "DOUBLE"),
    "stat_diff_low": (difference_low, 4, "DOUBLE"),
    "stat_diff_high": (difference_high, 4, "DOUBLE"),
    "stat_two_prop_p": (two_proportion_p, 4, "DOUBLE"),
    "stat_change_words": (change_words, 2, "VARCHAR"),
    "stat_gap_words": (gap_words, 2, "VARCHAR"),
    "stat_t_quantile": (t_quantile, 2, "DOUBLE"),
}


def register_sql_functions(con) -> None:
    """Make the functions above callable from the SQL models (NULL in, NULL out)."""
    import duckdb

    for name, (fn, arity, returns) in SQL_FUNCTIONS.items():
        try:
            con.remove_function(name)
        except (duckdb.InvalidInputException, duckdb.CatalogException):
            pass  # not registered on this connection yet
        con.create_function(name, _null_for_nan(fn, arity), ["DOUBLE"] * arity, returns, side_effects=False,
                            null_handling="special")


def _null_for_nan(fn, arity: int):
    """SQL wants NULL, not NaN, for 'cannot be computed'; DuckDB reads the arity from the signature."""
    def clean(out):
        return None if isinstance(out, float) and math.isnan(out) else out

    if arity == 2:
        def wrapper(a: float, b: float):
            return None if a is None or b is None else clean(fn(a, b))
    elif arity == 4:
        def wrapper(a: float, b: float, c: float, d: float):
            return None if None in (a, b, c, d) else clean(fn(a, b, c, d))
    else:
        raise ValueError(f"no SQL wrapper for {arity} arguments")
    wrapper.__name__ = fn.__name__
    return wrapper
