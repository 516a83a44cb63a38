"""The Making Data Count layer of a KPI's trend chart: mean, process limits and the
months that are a special cause, drawn over dashboard/charts.py's trend line on
request (a toggle under the chart).

Lines break where the limits were recalculated (a rebase); special-cause months
are marked by shape as well as colour (a circle for improvement, a diamond for
concern, a square for neither), each named in the legend and the hover text.
"""

from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go

from dashboard import spc
from dashboard.charts import hover_value

MEAN_COLOUR = "#0b0c0c"
LIMIT_COLOUR = "#6f777b"
MARKERS = {
    "special_cause_improvement": ("circle", spc.COLOURS["improvement"], "Special cause: improvement"),
    "special_cause_concern": ("diamond", spc.COLOURS["concern"], "Special cause: concern"),
    "special_cause_neither": ("square", spc.COLOURS["neither"], "Special cause (neither better nor worse)"),
}


def add_spc(fig: go.Figure, points: pd.DataFrame, *, x: str, unit: str) -> go.Figure:
    """Add the mean, the process limits (per segment) and special-cause markers to a trend chart.

    `points` are fct_kpi_spc rows (the chart's reading), with `x` the time column."""
    if points.empty:
        return fig
    fmt = hover_value(unit)
    first = True
    for _, seg in points.sort_values(x).groupby("segment_start", sort=False):
        # the target is a dashed step line: limits are dotted, the mean thin and solid
        for col, name, dash, colour in (("mean", "Mean", "solid", MEAN_COLOUR),
                                        ("upper_limit", "Process limits", "dot", LIMIT_COLOUR),
                                        ("lower_limit", "Process limits", "dot", LIMIT_COLOUR)):
            fig.add_trace(go.Scatter(
                x=seg[x], y=seg[col], mode="lines", name=name, line=dict(color=colour, width=1.4, dash=dash),
                legendgroup=name, showlegend=first and col != "lower_limit",
                hovertemplate=f"{name if col == 'mean' else col.replace('_', ' ').capitalize()} {fmt}<extra></extra>"))
        first = False
    for variation, (symbol, colour, name) in MARKERS.items():
        m = points[points["variation"] == variation]
        if m.empty:
            continue
        why = [spc.variation_words(v, r, s) for v, r, s in zip(m["variation"], m["special_cause_rule"], m["signal"],
                                                                 strict=True)]
        fig.add_trace(go.Scatter(
            x=m[x], y=m["value"], mode="markers", name=name, customdata=why,
            marker=dict(symbol=symbol, size=11, color=colour, line=dict(color="white", width=1.5)),
            hovertemplate=f"{fmt}: %{{customdata}}<extra></extra>"))
    # zoom to the data and its limits (from zero the limits would be a squashed band)
    fig.update_yaxes(rangemode="normal", autorange=True)
    return fig
