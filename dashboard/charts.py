"""Every chart the dashboard draws, in one place, with one accessible style.

The palette is Okabe and Ito's, safe for the common forms of colour-blindness;
lines also differ by dash so no series depends on colour alone. Every chart
function returns a plotly Figure; pages put the data table beside it.
"""

from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go

from dashboard.formatting import fmt_value

# Okabe-Ito, in an order that keeps neighbours distinguishable.
PALETTE = ["#0072B2", "#E69F00", "#009E73", "#D55E00", "#CC79A7", "#56B4E9", "#F0E442", "#000000"]
DASHES = ["solid", "dash", "dot", "dashdot", "longdash", "longdashdot"]
TARGET_COLOUR = "#505a5f"
RAG_COLOURS = {"green": "#009E73", "amber": "#E69F00", "red": "#D55E00"}
RAG_SYMBOLS = {"green": "circle", "amber": "diamond", "red": "x"}

TICK_FORMATS = {"rate": ".0%", "gbp": "£,.2f", "count": ",.0f", "seconds": ",.0f", "per_10k": ".1f"}
HOVER_FORMATS = {"rate": ".1%", "gbp": "£,.2f", "count": ",.0f", "seconds": ",.0f", "per_10k": ".1f"}


def _layout(fig: go.Figure, title: str | None, unit: str | None, height: int = 360) -> go.Figure:
    fig.update_layout(
        title=dict(text=title, x=0, font=dict(size=16)) if title else None,
        height=height, margin=dict(l=10, r=10, t=50 if title else 10, b=10),
        font=dict(family="Arial, Helvetica, sans-serif", size=13, color="#0b0c0c"),
        plot_bgcolor="white", paper_bgcolor="white",
        legend=dict(orientation="h", yanchor="bottom", y=-0.3, x=0),
        hovermode="x unified",
    )
    fig.update_xaxes(showgrid=False, linecolor="#b1b4b6")
    fig.update_yaxes(gridcolor="#e5e5e5", zeroline=False, rangemode="tozero",
                     tickformat=TICK_FORMATS.get(unit or "", None))
    return fig


def add_events(fig: go.Figure, events: pd.DataFrame, start, end) -> None:
    """Mark analysts' events (dim_events) on a time axis, like BI annotation layers."""
    if events is None or events.empty:
        return
    for e in events.itertuples():
        when = pd.Timestamp(e.event_date)
        if start is not None and (when < pd.Timestamp(start) or when > pd.Timestamp(end)):
            continue
        fig.add_vline(x=when, line=dict(color="#6f777b", width=1, dash="dot"))
        fig.add_annotation(x=when, y=1, yref="paper", text=e.label, showarrow=False, textangle=-90,
                           xanchor="right", yanchor="top", font=dict(size=10, color="#505a5f"))


def trend_chart(df: pd.DataFrame, *, x: str, y: str, unit: str, title: str | None = None,
                series: str | None = None, target: str | None = None, events: pd.DataFrame | None = None,
                ci: tuple[str, str] | None = None, height: int = 360) -> go.Figure:
    """A line over time; optional target step line, interval band and events."""
    fig = go.Figure()
    groups = [(None, df)] if series is None else list(df.groupby(series, sort=False))
    for i, (name, g) in enumerate(groups):
        colour = PALETTE[i % len(PALETTE)]
        if ci is not None:
            fig.add_trace(go.Scatter(x=list(g[x]) + list(g[x])[::-1], y=list(g[ci[1]]) + list(g[ci[0]])[::-1],
                                     fill="toself", fillcolor="rgba(0,114,178,0.12)", line=dict(width=0),
                                     hoverinfo="skip", showlegend=False, name="95% interval"))
        fig.add_trace(go.Scatter(x=g[x], y=g[y], mode="lines+markers", name=str(name or "Actual"),
                                 line=dict(color=colour, width=2.5, dash=DASHES[i % len(DASHES)]),
                                 marker=dict(size=5),
                                 hovertemplate=f"%{{y:{HOVER_FORMATS.get(unit, '')}}}<extra>{name or ''}</extra>"))
    if target is not None and target in df and df[target].notna().any():
        t = df.dropna(subset=[target]).drop_duplicates(subset=[x])
        fig.add_trace(go.Scatter(x=t[x], y=t[target], mode="lines", name="Target", line_shape="hv",
                                 line=dict(color=TARGET_COLOUR, width=2, dash="dash"),
                                 hovertemplate=f"Target %{{y:{HOVER_FORMATS.get(unit, '')}}}<extra></extra>"))
    if events is not None and len(df):
        add_events(fig, events, df[x].min(), df[x].max())
    return _layout(fig, title, unit, height)


def stacked_bars(df: pd.DataFrame, *, x: str, y: str, colour: str, unit: str, title: str | None = None,
                 percent: bool = False, height: int = 380, order: list | None = None) -> go.Figure:
    """Stacked columns (counts or, with percent, shares of each column)."""
    fig = go.Figure()
    data = df.copy()
    if percent:
        data[y] = data[y] / data.groupby(x)[y].transform("sum")
        unit = "rate"
    names = order or list(dict.fromkeys(data[colour]))
    patterns = ["", "/", ".", "x", "-", "\\", "|", "+"]
    for i, name in enumerate(names):
        g = data[data[colour] == name]
        fig.add_trace(go.Bar(x=g[x], y=g[y], name=str(name), marker_color=PALETTE[i % len(PALETTE)],
                             marker_pattern_shape=patterns[i % len(patterns)],
                             hovertemplate=f"{name}: %{{y:{HOVER_FORMATS.get(unit, '')}}}<extra></extra>"))
    fig.update_layout(barmode="stack")
    return _layout(fig, title, unit, height)


def bar_chart(df: pd.DataFrame, *, x: str, y: str, unit: str, title: str | None = None,
              horizontal: bool = True, target: float | None = None, height: int = 380,
              colour_by_rag: str | None = None) -> go.Figure:
    """Bars for a breakdown (e.g. by service); RAG colour plus a text label."""
    colours = PALETTE[0]
    if colour_by_rag is not None:
        colours = [RAG_COLOURS.get(r, "#b1b4b6") for r in df[colour_by_rag]]
    text = [fmt_value(v, unit) for v in df[y]]
    bar = go.Bar(x=df[y] if horizontal else df[x], y=df[x] if horizontal else df[y],
                 orientation="h" if horizontal else "v", marker_color=colours, text=text,
                 textposition="auto", hovertemplate="%{y}: %{text}<extra></extra>" if horizontal else None)
    fig = go.Figure(bar)
    if target is not None:
        if horizontal:
            fig.add_vline(x=target, line=dict(color=TARGET_COLOUR, dash="dash"),
                          annotation_text=f"Target {fmt_value(target, unit)}")
        else:
            fig.add_hline(y=target, line=dict(color=TARGET_COLOUR, dash="dash"),
                          annotation_text=f"Target {fmt_value(target, unit)}")
    fig = _layout(fig, title, unit, height)
    if horizontal:
        fig.update_xaxes(tickformat=TICK_FORMATS.get(unit, None))
        fig.update_yaxes(tickformat=None, autorange="reversed")
    return fig
