"""Charts of contacts by service and channel for CMT (Channel shift page):
services ranked by one channel's contacts against a year before, and each
service's share of its contacts in that channel month by month. The style is
charts.py's (palette, fonts, axes); every value is also printed on the chart."""

from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go

from dashboard.charts import PALETTE, _layout, wrap_label
from dashboard.formatting import fmt_value


def ranked_services_chart(df: pd.DataFrame, *, now_label: str, before_label: str, title: str | None = None) -> go.Figure:
    """Horizontal bars, most first: each service's contacts in the month (solid)
    and in the same month a year before (hatched), each bar labelled."""
    services = [wrap_label(s, 22) for s in df["label"]]
    fig = go.Figure()
    fig.add_trace(go.Bar(
        y=services, x=df["contacts"], orientation="h", name=now_label, marker_color=PALETTE[0],
        text=[fmt_value(v, "count") for v in df["contacts"]], textposition="outside", cliponaxis=False,
        hovertemplate="%{y}: %{x:,.0f}<extra>" + now_label + "</extra>"))
    fig.add_trace(go.Bar(
        y=services, x=df["contacts_year_before"], orientation="h", name=before_label, marker_color=PALETTE[1],
        marker_pattern=dict(shape="/", fillmode="overlay", fgcolor="white", fgopacity=0.6, size=7, solidity=0.3),
        text=[fmt_value(v, "count") for v in df["contacts_year_before"]], textposition="outside", cliponaxis=False,
        hovertemplate="%{y}: %{x:,.0f}<extra>" + before_label + "</extra>"))
    fig.update_layout(barmode="group", bargap=0.25, hovermode="closest")
    fig = _layout(fig, title, "count", max(300, 46 * len(df) + 110))
    top = pd.concat([df["contacts"], df["contacts_year_before"]]).max()
    fig.update_xaxes(range=[0, (top or 1) * 1.25], nticks=4, tickformat=",.0f", title_text="Contacts")
    fig.update_yaxes(autorange="reversed", automargin=True, tickformat=None)
    fig.update_layout(hovermode="closest")
    return fig


def services_by_channel_chart(df: pd.DataFrame, *, order: list[str], channels: list[str],
                              title: str | None = None) -> go.Figure:
    """Horizontal stacked bars: each service's contacts in the month by channel,
    services in `order` (most contacts in the ranked channel first), the total
    printed at the end of each bar."""
    fig = go.Figure()
    patterns = ["", "/", ".", "x", "-", "\\", "|", "+"]
    rows = [wrap_label(s, 22) for s in order]
    for i, ch in enumerate(channels):
        g = df[df["channel_name"] == ch].set_index("label").reindex(order)
        fig.add_trace(go.Bar(
            y=rows, x=g["contacts"].fillna(0), orientation="h", name=ch, marker_color=PALETTE[i % len(PALETTE)],
            marker_pattern=dict(shape=patterns[i % len(patterns)], fillmode="overlay", fgcolor="white",
                                fgopacity=0.55, size=7, solidity=0.25),
            hovertemplate="%{y}: %{x:,.0f}<extra>" + ch + "</extra>"))
    totals = df.groupby("label")["contacts"].sum().reindex(order).fillna(0)
    fig.add_trace(go.Scatter(y=rows, x=totals, mode="text", text=[fmt_value(v, "count") for v in totals],
                             textposition="middle right", showlegend=False, hoverinfo="skip", cliponaxis=False))
    fig.update_layout(barmode="stack")
    fig = _layout(fig, title, "count", max(300, 34 * len(order) + 130))
    fig.update_xaxes(range=[0, (totals.max() or 1) * 1.18], nticks=4, tickformat=",.0f", title_text="Contacts")
    fig.update_yaxes(autorange="reversed", automargin=True, tickformat=None)
    fig.update_layout(hovermode="closest")
    return fig


def share_heatmap(df: pd.DataFrame, *, order: list[str], title: str | None = None) -> go.Figure:
    """Services (rows, in `order`) by month (columns): the share of the service's
    contacts in the channel, printed in each cell; darker is a larger share."""
    grid = df.pivot_table(index="label", columns="period", values="share", aggfunc="first").reindex(order)
    months = list(grid.columns)
    x = [pd.Timestamp(f"{m}-01") for m in months]
    text = [[("" if pd.isna(v) else f"{v * 100:.0f}") for v in row] for row in grid.to_numpy()]
    fig = go.Figure(go.Heatmap(
        z=grid.to_numpy(), x=x, y=[wrap_label(s, 22) for s in grid.index], text=text, texttemplate="%{text}",
        # the per cent is printed in every cell, so no colour scale is needed to read it (and the
        # width goes to the months)
        textfont=dict(size=10), colorscale="Blues", zmin=0, zmax=1, xgap=1, ygap=1, showscale=False,
        hovertemplate="%{y}, %{x|%b %Y}: %{z:.1%}<extra></extra>"))
    fig = _layout(fig, title, None, max(300, 30 * len(grid) + 120))
    fig.update_xaxes(type="date", tickformat="%b %Y", nticks=min(8, len(x)), showgrid=False)
    fig.update_yaxes(autorange="reversed", automargin=True, gridcolor=None, rangemode=None, showgrid=False)
    fig.update_layout(hovermode="closest")
    return fig
