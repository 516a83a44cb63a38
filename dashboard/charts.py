"""Every chart the dashboard draws, in one place, with one accessible style.

The palette is Okabe and Ito's, safe for the common forms of colour-blindness;
lines also differ by dash so no series depends on colour alone. Every chart
function returns a plotly Figure; pages put the data table beside it.
"""

from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go

from dashboard.formatting import fmt_value
from pipelines.safe_text import chart_text

# Okabe-Ito, in an order that keeps neighbours distinguishable.
PALETTE = ["#0072B2", "#E69F00", "#009E73", "#D55E00", "#CC79A7", "#56B4E9", "#F0E442", "#000000"]
DASHES = ["solid", "dash", "dot", "dashdot", "longdash", "longdashdot"]
TARGET_COLOUR = "#505a5f"
RAG_COLOURS = {"green": "#009E73", "amber": "#E69F00", "red": "#D55E00"}
RAG_SYMBOLS = {"green": "circle", "amber": "diamond", "red": "x"}
RAG_TEXT_SYMBOLS = {"green": "✓", "amber": "!", "red": "✗"}

# d3 formats have no pound sign: money gets a tick prefix and "£" in the hover text.
TICK_FORMATS = {"rate": ".0%", "gbp": ",.2~f", "count": ",.0f", "seconds": ",.0f", "per_10k": ",.0f"}
TICK_PREFIXES = {"gbp": "£"}
HOVER_FORMATS = {"rate": ".1%", "gbp": ",.2f", "count": ",.0f", "seconds": ",.0f", "per_10k": ".1f"}


def as_chart_text(df: pd.DataFrame, *columns: str | None) -> pd.DataFrame:
    """The frame with the text in these columns safe for plotly, which reads a subset of HTML
    (<a href> would be a live link): values from an extract are data, never markup."""
    columns = [c for c in dict.fromkeys(columns) if c is not None and c in df.columns]
    if not columns:
        return df
    return df.assign(**{c: df[c].map(lambda v: chart_text(v) if isinstance(v, str) else v) for c in columns})


def hover_value(unit: str | None, axis: str = "y") -> str:
    """A plotly hover placeholder for a value in its unit: '£%{y:,.2f}', '%{y:.1%}'."""
    return f"{TICK_PREFIXES.get(unit or '', '')}%{{{axis}:{HOVER_FORMATS.get(unit or '', '')}}}"


def _layout(fig: go.Figure, title: str | None, unit: str | None, height: int = 360) -> go.Figure:
    # One update_layout call with the axes in it: plotly validates each call,
    # and separate update_xaxes/update_yaxes calls cost several times more.
    fig.update_layout(
        title=dict(text=title, x=0, font=dict(size=16)) if title else None,
        height=height, margin=dict(l=10, r=10, t=60 if title else 28, b=10),
        font=dict(family="Arial, Helvetica, sans-serif", size=13, color="#0b0c0c"),
        plot_bgcolor="white", paper_bgcolor="white",
        legend=dict(orientation="h", yanchor="top", y=-0.12, x=0),
        hovermode="x unified",
        # level tick labels, few enough to fit a half-width chart on a tablet
        xaxis=dict(showgrid=False, linecolor="#b1b4b6", tickangle=0, nticks=4, automargin=True),
        yaxis=dict(gridcolor="#e5e5e5", zeroline=False, rangemode="tozero",
                   tickformat=TICK_FORMATS.get(unit or "", None), tickprefix=TICK_PREFIXES.get(unit or "", "")),
    )
    return fig


def events_in_range(events: pd.DataFrame | None, start, end) -> pd.DataFrame:
    """The events (dim_events) dated within [start, end], oldest first, numbered from 1."""
    if events is None or events.empty or start is None:
        return pd.DataFrame(columns=["event_date", "label", "number"])
    when = pd.to_datetime(events["event_date"])
    e = events[(when >= pd.Timestamp(start)) & (when <= pd.Timestamp(end))].sort_values("event_date")
    return e.assign(number=range(1, len(e) + 1))


def add_events(fig: go.Figure, events: pd.DataFrame, start, end) -> pd.DataFrame:
    """Mark analysts' events (dim_events) on a time axis, like BI annotation layers:
    a dotted line and a small numbered tag above the plot (hover for the words).
    Labels written along the lines would overlap each other and the data; the
    page lists the numbered events under the chart (events_in_range)."""
    shown = events_in_range(events, start, end)
    for e in shown.itertuples():
        when = pd.Timestamp(e.event_date)
        fig.add_vline(x=when, line=dict(color="#6f777b", width=1, dash="dot"))
        # tags alternate either side of their line, so two events a month apart stay legible
        fig.add_annotation(x=when, y=1.0, yref="paper", yanchor="bottom", text=f"<b>{e.number}</b>",
                           xanchor="right" if e.number % 2 else "left",
                           hovertext=f"{when:%d %b %Y}: {chart_text(e.label)}", showarrow=False,
                           font=dict(size=11, color="#0b0c0c"), bgcolor="#f3f2f1", bordercolor="#6f777b",
                           borderwidth=1, borderpad=2)
    return shown


def events_text(shown: pd.DataFrame) -> str:
    """The numbered events of a chart in words, for a caption under it."""
    return " · ".join(f"**{e.number}** {pd.Timestamp(e.event_date):%b %Y}: {e.label}" for e in shown.itertuples())


def trend_chart(df: pd.DataFrame, *, x: str, y: str, unit: str, title: str | None = None,
                series: str | None = None, target: str | None = None, events: pd.DataFrame | None = None,
                ci: tuple[str, str] | None = None, height: int = 360) -> go.Figure:
    """A line over time; optional target step line, interval band and events."""
    fig = go.Figure()
    df = as_chart_text(df, x, series)
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
                                 hovertemplate=f"{hover_value(unit)}<extra>{name or ''}</extra>"))
    if target is not None and target in df and df[target].notna().any():
        t = df.dropna(subset=[target]).drop_duplicates(subset=[x])
        fig.add_trace(go.Scatter(x=t[x], y=t[target], mode="lines", name="Target", line_shape="hv",
                                 line=dict(color=TARGET_COLOUR, width=2, dash="dash"),
                                 hovertemplate=f"Target {hover_value(unit)}<extra></extra>"))
    if events is not None and len(df):
        add_events(fig, events, df[x].min(), df[x].max())
    return _layout(fig, title, unit, height)


def stacked_bars(df: pd.DataFrame, *, x: str, y: str, colour: str, unit: str, title: str | None = None,
                 percent: bool = False, height: int = 380, order: list | None = None,
                 colours: dict | None = None) -> go.Figure:
    """Stacked columns (counts or, with percent, shares of each column); `colours`
    fixes a series' colour (e.g. a status keeps its colour whichever are present)."""
    fig = go.Figure()
    data = as_chart_text(df, x, colour)
    order = None if order is None else [chart_text(o) for o in order]
    colours = None if colours is None else {chart_text(k): v for k, v in colours.items()}
    if percent:
        data[y] = data[y] / data.groupby(x)[y].transform("sum")
        unit = "rate"
    names = order or list(dict.fromkeys(data[colour]))
    patterns = ["", "/", ".", "x", "-", "\\", "|", "+"]
    for i, name in enumerate(names):
        g = data[data[colour] == name]
        colour_of = (colours or {}).get(name, PALETTE[i % len(PALETTE)])
        fig.add_trace(go.Bar(x=g[x], y=g[y], name=str(name), marker_color=colour_of,
                             # a light texture as well as the colour, not a busy hatch
                             marker_pattern=dict(shape=patterns[i % len(patterns)], fillmode="overlay",
                                                 fgcolor="white", fgopacity=0.55, size=7, solidity=0.25),
                             hovertemplate=f"{name}: {hover_value(unit)}<extra></extra>"))
    fig.update_layout(barmode="stack")
    return _layout(fig, title, unit, height)


def wrap_label(text, width: int = 18) -> str:
    """A long category name on two lines (plotly cuts long axis labels in a narrow chart)."""
    text = str(text)
    if len(text) <= width or " " not in text:
        return text
    middle = len(text) // 2
    spaces = [i for i, ch in enumerate(text) if ch == " "]
    cut = min(spaces, key=lambda i: abs(i - middle))
    return text[:cut] + "<br>" + text[cut + 1:]


def bar_chart(df: pd.DataFrame, *, x: str, y: str, unit: str, title: str | None = None,
              horizontal: bool = True, target: float | None = None, height: int = 380,
              colour_by_rag: str | None = None, ci: tuple[str, str] | None = None) -> go.Figure:
    """Bars for a breakdown (e.g. by service); RAG colour plus a text label; optional 95% interval."""
    df = as_chart_text(df, x)
    colours = PALETTE[0]
    if colour_by_rag is not None:
        colours = [RAG_COLOURS.get(r, "#b1b4b6") for r in df[colour_by_rag]]
    text = [fmt_value(v, unit) for v in df[y]]
    if colour_by_rag is not None:  # the status as a symbol too: never by colour alone
        text = [f"{t} {RAG_TEXT_SYMBOLS.get(r, '')}".strip() for t, r in zip(text, df[colour_by_rag], strict=True)]
    error = None
    if ci is not None:
        error = dict(type="data", symmetric=False, array=(df[ci[1]] - df[y]).tolist(),
                     arrayminus=(df[y] - df[ci[0]]).tolist(), thickness=1.5, color="#0b0c0c")
    categories = [wrap_label(c) for c in df[x]] if horizontal else df[x]
    bar = go.Bar(x=df[y] if horizontal else categories, y=categories if horizontal else df[y],
                 orientation="h" if horizontal else "v", marker_color=colours, text=text,
                 # labels beside the bars, level and dark: readable on any bar colour or length;
                 # with intervals, at the foot of the bar so the whisker does not cross them
                 textposition="inside" if ci is not None else "outside", insidetextanchor="start", textangle=0,
                 cliponaxis=False,
                 textfont=dict(color="white" if ci is not None and colour_by_rag is None else "#0b0c0c"), hovertemplate="%{y}: %{text}<extra></extra>" if horizontal else None,
                 **({"error_x": error} if horizontal and error else {"error_y": error} if error else {}))
    fig = go.Figure(bar)
    if target is not None:
        if horizontal:
            fig.add_vline(x=target, line=dict(color=TARGET_COLOUR, dash="dash"),
                          annotation_text=f"Target {fmt_value(target, unit)}")
        else:
            fig.add_hline(y=target, line=dict(color=TARGET_COLOUR, dash="dash"),
                          annotation_text=f"Target {fmt_value(target, unit)}")
    fig = _layout(fig, title, unit, height)
    values = pd.to_numeric(df[y], errors="coerce")
    if ci is not None:
        values = pd.concat([values, pd.to_numeric(df[ci[1]], errors="coerce")])
    span = None
    if values.notna().any():  # room for the labels beyond the longest bars, either side of zero
        lo, hi = min(float(values.min()), 0.0), max(float(values.max()), 0.0)
        pad = (hi - lo) * (0.32 if horizontal else 0.15) or 1.0
        span = [lo - pad if lo < 0 else 0, hi + pad]
    if horizontal:
        fig.update_xaxes(tickformat=TICK_FORMATS.get(unit, None), tickprefix=TICK_PREFIXES.get(unit, ""),
                         range=span, nticks=4, tickangle=0)
        fig.update_yaxes(tickformat=None, tickprefix="", autorange="reversed", automargin=True)
        fig.update_layout(margin=dict(r=30))
    elif span:
        fig.update_yaxes(range=span)
    return fig


def projection_chart(actual: pd.DataFrame, projection: pd.DataFrame, *, unit: str, title: str | None = None,
                     events: pd.DataFrame | None = None, height: int = 380) -> go.Figure:
    """Actual values, the straight-line trend fitted to them, its projection with
    a 95% band, and the target in force each month (fct_kpi_projection)."""
    fig = go.Figure()
    fmt = hover_value(unit)
    ahead = projection[projection["is_projection"]]
    fitted = projection[~projection["is_projection"]]
    if len(ahead):
        band = pd.concat([fitted.tail(1).assign(trend_low=fitted["trend"].iloc[-1:],
                                                trend_high=fitted["trend"].iloc[-1:]), ahead])
        fig.add_trace(go.Scatter(x=list(band["month"]) + list(band["month"])[::-1],
                                 y=list(band["trend_high"]) + list(band["trend_low"])[::-1],
                                 fill="toself", fillcolor="rgba(230,159,0,0.18)", line=dict(width=0),
                                 hoverinfo="skip", name="95% range of the projection"))
    fig.add_trace(go.Scatter(x=actual["period_month"], y=actual["value"], mode="lines+markers", name="Actual",
                             line=dict(color=PALETTE[0], width=2.5), marker=dict(size=5),
                             hovertemplate=f"Actual {fmt}<extra></extra>"))
    if len(fitted):
        fig.add_trace(go.Scatter(x=fitted["month"], y=fitted["trend"], mode="lines", name="Trend (straight line)",
                                 line=dict(color=PALETTE[1], width=2, dash="dot"),
                                 hovertemplate=f"Trend {fmt}<extra></extra>"))
    if len(ahead):
        joined = pd.concat([fitted.tail(1), ahead])
        fig.add_trace(go.Scatter(x=joined["month"], y=joined["trend"], mode="lines+markers",
                                 name="Projection on current trend", marker=dict(symbol="diamond", size=6),
                                 line=dict(color=PALETTE[3], width=2.5, dash="dash"),
                                 hovertemplate=f"Projection {fmt}<extra></extra>"))
    targets = pd.concat([actual[["period_month", "target"]].rename(columns={"period_month": "month"}),
                         ahead[["month", "target"]]]).dropna().drop_duplicates("month").sort_values("month")
    if len(targets):
        fig.add_trace(go.Scatter(x=targets["month"], y=targets["target"], mode="lines", name="Target",
                                 line_shape="hv", line=dict(color=TARGET_COLOUR, width=2, dash="dash"),
                                 hovertemplate=f"Target {fmt}<extra></extra>"))
    if events is not None and len(actual):
        end = ahead["month"].max() if len(ahead) else actual["period_month"].max()
        add_events(fig, events, actual["period_month"].min(), end)
    return _layout(fig, title, unit, height)


def wave_chart(df: pd.DataFrame, *, x: str, y: str, unit: str = "rate", series: str | None = None,
               ci: tuple[str, str] | None = ("ci_low", "ci_high"), target: str | None = None,
               title: str | None = None, height: int = 360) -> go.Figure:
    """Survey results wave by wave: points joined by lines, each with its 95% interval as an error bar."""
    fig = go.Figure()
    df = as_chart_text(df, x, series)
    groups = [(None, df)] if series is None else list(df.groupby(series, sort=False))
    fmt = hover_value(unit)
    symbols = ["circle", "square", "diamond", "triangle-up", "x", "star", "hexagon", "cross"]
    for i, (name, g) in enumerate(groups):
        error = None
        if ci is not None:
            error = dict(type="data", symmetric=False, array=(g[ci[1]] - g[y]).tolist(),
                         arrayminus=(g[y] - g[ci[0]]).tolist(), thickness=1.5, width=4)
        fig.add_trace(go.Scatter(
            x=g[x], y=g[y], error_y=error, mode="lines+markers", name=str(name or "Result"),
            line=dict(color=PALETTE[i % len(PALETTE)], width=2, dash=DASHES[i % len(DASHES)]),
            marker=dict(size=8, symbol=symbols[i % len(symbols)]),
            hovertemplate=f"{name or ''} %{{x}}: {fmt}<extra></extra>"))
    if target is not None and target in df and df[target].notna().any():
        t = df.dropna(subset=[target]).drop_duplicates(subset=[x])
        fig.add_trace(go.Scatter(x=t[x], y=t[target], mode="lines", name="Target", line_shape="hv",
                                 line=dict(color=TARGET_COLOUR, width=2, dash="dash"),
                                 hovertemplate=f"Target {fmt}<extra></extra>"))
    fig = _layout(fig, title, unit, height)
    # Waves in time order, every wave labelled (series asked in different waves
    # would otherwise order and thin the categories as they first appear).
    waves = sorted(df[x].dropna().astype(str).unique())
    fig.update_xaxes(type="category", categoryorder="array", categoryarray=waves, tickmode="array",
                     tickvals=waves, ticktext=waves)
    if unit == "rate":
        fig.update_yaxes(range=[0, 1.02])
    return fig


def signed_bars(df: pd.DataFrame, *, x: str, y: str, unit: str = "gbp", title: str | None = None,
                height: int = 340, positive: str = "Saving", negative: str = "Extra cost") -> go.Figure:
    """Bars above and below zero (a saving and an extra cost), told apart by colour, pattern and legend."""
    fig = go.Figure()
    df = as_chart_text(df, x)
    fmt = hover_value(unit)
    for name, mask, colour, pattern in ((positive, df[y] >= 0, PALETTE[2], ""), (negative, df[y] < 0, PALETTE[3], "/")):
        g = df[mask]
        if len(g):
            fig.add_trace(go.Bar(x=g[x], y=g[y], name=name, marker_color=colour, marker_pattern_shape=pattern,
                                 hovertemplate=f"{name}: {fmt}<extra></extra>"))
    fig.add_hline(y=0, line=dict(color="#0b0c0c", width=1))
    fig = _layout(fig, title, unit, height)
    fig.update_yaxes(rangemode="normal")
    return fig


def unit_cost_chart(df: pd.DataFrame, *, title: str | None = None, height: int = 340) -> go.Figure:
    """Each channel's unit cost (bars, labelled) against its 2017/18 baseline (a marked line)."""
    fig = go.Figure()
    df = as_chart_text(df, "channel_name")
    fig.add_trace(go.Bar(x=df["channel_name"], y=df["unit_cost_gbp"], name="Cost per contact now",
                         marker_color=PALETTE[0], text=[fmt_value(v, "gbp") for v in df["unit_cost_gbp"]],
                         textposition="outside", hovertemplate="%{x}: %{text}<extra>now</extra>"))
    fig.add_trace(go.Scatter(x=df["channel_name"], y=df["baseline_unit_cost_gbp"], mode="markers",
                             name="2017/18 baseline", marker=dict(symbol="line-ew-open", size=40, color=TARGET_COLOUR,
                                                                 line=dict(width=3)),
                             hovertemplate="%{x}: £%{y:,.2f}<extra>2017/18 baseline</extra>"))
    return _layout(fig, title, "gbp", height)


STATUS_ORDER = ["complete", "on_track", "at_risk", "off_track", "not_started"]
STATUS_COLOURS = {"complete": "#0072B2", "on_track": "#009E73", "at_risk": "#E69F00", "off_track": "#D55E00",
                  "not_started": "#b1b4b6"}
STATUS_SYMBOLS = {"complete": "✓", "on_track": "●", "at_risk": "!", "off_track": "✗", "not_started": "–"}


def status_history_chart(history: pd.DataFrame, labels: dict[str, str], *, title: str | None = None) -> go.Figure:
    """Each action's reported status month by month: a grid whose cells carry a symbol as well as a colour."""
    short = history["title"].map(lambda t: t if len(t) <= 42 else t[:41].rstrip() + "…")
    # the action's id and title come from the extract: shortened first, then made plain text
    h = as_chart_text(history.assign(row=history["action_id"] + " " + short), "row")
    rows = list(dict.fromkeys(h.sort_values(["outcome", "action_id"])["row"]))
    fig = go.Figure()
    for status in STATUS_ORDER:
        g = h[h["status"] == status]
        if g.empty:
            continue
        fig.add_trace(go.Scatter(
            x=g["period"], y=g["row"], mode="markers+text", name=f"{STATUS_SYMBOLS[status]} {labels[status]}",
            text=[STATUS_SYMBOLS[status]] * len(g), textfont=dict(color="white", size=10),
            marker=dict(symbol="square", size=16, color=STATUS_COLOURS[status]),
            hovertemplate=f"%{{y}}<br>%{{x}}: {labels[status]}<extra></extra>"))
    fig = _layout(fig, title, None, height=max(300, 22 * len(rows) + 120))
    fig.update_yaxes(categoryorder="array", categoryarray=rows[::-1], rangemode="normal", gridcolor="white")
    # months in time order (each status is its own trace: first-seen order would scramble them)
    months = sorted(h["period"].dropna().astype(str).unique())
    fig.update_xaxes(type="category", tickangle=-45, categoryorder="array", categoryarray=months)
    fig.update_layout(hovermode="closest", legend=dict(y=1.02, yanchor="bottom", orientation="h"),
                      margin=dict(t=60 if title else 40))
    return fig


# ================================================================ voice of the customer and equality (issue 5)
# Charts for pages/voice_of_the_customer.py and pages/equality.py. Significance is
# told by marker shape and a text label as well as colour.
GAP_STYLES = {
    "below": {"name": "▼ Significantly below", "symbol": "triangle-down", "colour": PALETTE[3], "size": 13},
    "above": {"name": "▲ Significantly above", "symbol": "triangle-up", "colour": PALETTE[2], "size": 13},
    "same": {"name": "● No significant difference", "symbol": "circle", "colour": PALETTE[0], "size": 10},
}


def gap_chart(df: pd.DataFrame, *, label: str, value: str = "value", ci: tuple[str, str] = ("ci_low", "ci_high"),
              status: str = "status", reference: float | None = None, reference_label: str = "Everyone",
              unit: str = "rate", title: str | None = None, height: int | None = None,
              x_range: tuple[float, float] | None = None) -> go.Figure:
    """Each group's figure with its 95% interval (horizontal), against everyone's
    figure (a dashed line). `status` is 'below', 'above' or 'same'; groups
    significantly below are drawn as a downward triangle with a '▼' label."""
    fig = go.Figure()
    df = as_chart_text(df, label)
    reference_label = chart_text(reference_label)
    fmt = HOVER_FORMATS.get(unit, "")
    for key, style in GAP_STYLES.items():
        g = df[df[status] == key]
        if g.empty:
            continue
        text = [f"{fmt_value(v, unit)} {style['name'][0]}" if key != "same" else fmt_value(v, unit) for v in g[value]]
        fig.add_trace(go.Scatter(
            x=g[value], y=g[label], mode="markers+text", name=style["name"], text=text, textposition="top center",
            marker=dict(symbol=style["symbol"], size=style["size"], color=style["colour"],
                        line=dict(width=1, color="#0b0c0c")),
            error_x=dict(type="data", symmetric=False, array=(g[ci[1]] - g[value]).tolist(),
                         arrayminus=(g[value] - g[ci[0]]).tolist(), thickness=1.5, width=5, color="#505a5f"),
            hovertemplate=f"%{{y}}: %{{x:{fmt}}}<extra>{style['name']}</extra>"))
    if reference is not None and pd.notna(reference):
        # the reference's label sits above the plot, clear of the groups' own labels
        fig.add_vline(x=reference, line=dict(color=TARGET_COLOUR, dash="dash", width=2))
        fig.add_annotation(x=reference, y=1, yref="paper", yanchor="bottom", showarrow=False, yshift=6,
                           text=f"{reference_label} {fmt_value(reference, unit)}",
                           font=dict(size=12, color=TARGET_COLOUR))
    rows = df[label].nunique()
    fig = _layout(fig, title, unit, height or max(240, 46 * rows + 150))
    fig.update_layout(hovermode="closest", showlegend=True,
                      legend=dict(orientation="h", yanchor="top", y=-0.12 if rows > 3 else -0.25, x=0),
                      margin=dict(t=70 if title else 40, b=60))
    if x_range is not None:
        fig.update_xaxes(range=list(x_range))
    fig.update_xaxes(tickformat=TICK_FORMATS.get(unit), gridcolor="#e5e5e5", rangemode="normal")
    # room above the top group for its value label (categories sit at 0..rows-1)
    fig.update_yaxes(tickformat=None, gridcolor="white", categoryorder="array",
                     categoryarray=list(dict.fromkeys(df[label]))[::-1], rangemode="normal",
                     range=[-0.5, rows - 0.1])
    return fig


def question_waves_chart(df: pd.DataFrame, *, x: str = "period", monthly: bool = False,
                         benchmarks: pd.DataFrame | None = None, height: int = 340) -> go.Figure:
    """One survey question wave by wave with its 95% interval (error bars, or a band for a
    monthly survey), and any benchmark in the same unit as a labelled dotted line."""
    if monthly:
        fig = trend_chart(df, x="period_month", y="value", unit="rate", ci=("ci_low", "ci_high"), height=height)
    else:
        fig = wave_chart(df, x=x, y="value", unit="rate", height=height)
    if benchmarks is not None:
        for b in benchmarks[benchmarks["unit"] == "rate"].dropna(subset=["value"]).itertuples():
            fig.add_hline(y=b.value, line=dict(color=PALETTE[4], dash="dot", width=2),
                          annotation_text=f"Benchmark: {chart_text(b.benchmark_name.split(':')[0])} "
                                          f"{fmt_value(b.value, 'rate')}",
                          annotation_position="bottom left")
    fig.update_layout(showlegend=False)
    return fig


def access_chart(df: pd.DataFrame, *, x: str, series: str = "group_name", unit: str = "rate",
                 monthly: bool = False, title: str | None = None, height: int = 340) -> go.Figure:
    """A group's share over time with its 95% interval, beside the share among
    everyone it is compared with (grey dashed). Suppressed points are gaps."""
    fig = go.Figure()
    df = as_chart_text(df, x, series, "comparison")
    fmt = HOVER_FORMATS.get(unit, "")
    symbols = ["circle", "square", "diamond", "triangle-up"]
    for i, (name, g) in enumerate(df.groupby(series, sort=False)):
        colour = PALETTE[i % len(PALETTE)]
        fig.add_trace(go.Scatter(
            x=g[x], y=g["value"], mode="lines+markers", name=str(name),
            line=dict(color=colour, width=2.5, dash=DASHES[i % len(DASHES)]),
            marker=dict(size=6 if monthly else 9, symbol=symbols[i % len(symbols)]),
            error_y=None if monthly else dict(type="data", symmetric=False, array=(g["ci_high"] - g["value"]).tolist(),
                                              arrayminus=(g["value"] - g["ci_low"]).tolist(), thickness=1.5, width=4),
            hovertemplate=f"{name} %{{x}}: %{{y:{fmt}}}<extra></extra>"))
        if monthly:
            fig.add_trace(go.Scatter(x=list(g[x]) + list(g[x])[::-1], y=list(g["ci_high"]) + list(g["ci_low"])[::-1],
                                     fill="toself", fillcolor="rgba(0,114,178,0.12)", line=dict(width=0),
                                     hoverinfo="skip", showlegend=False, name="95% interval"))
    comp = df.dropna(subset=["comparison_value"]).drop_duplicates(subset=[x])
    if len(comp):
        fig.add_trace(go.Scatter(x=comp[x], y=comp["comparison_value"], mode="lines+markers",
                                 name=f"Compared with: {comp['comparison'].iloc[0]}",
                                 line=dict(color=TARGET_COLOUR, width=2, dash="dash"), marker=dict(size=4),
                                 hovertemplate=f"%{{x}}: %{{y:{fmt}}}<extra>{comp['comparison'].iloc[0]}</extra>"))
    fig = _layout(fig, title, unit, height)
    below_legend(fig, entries=df[series].nunique() + 1, per_row=1)
    if not monthly:
        fig.update_xaxes(type="category")
    return fig


def below_legend(fig: go.Figure, *, entries: int, sort_categories: bool = False, per_row: int = 2) -> go.Figure:
    """Room for a long legend under the chart (one row per `per_row` entries), so it never covers
    the axis; optionally wave labels (YYYY-MM) in time order on a category axis."""
    rows = -(-entries // per_row)
    fig.update_layout(height=(fig.layout.height or 360) + 22 * rows,
                      legend=dict(orientation="h", yanchor="top", y=-0.08 - 0.02 * rows, x=0),
                      margin=dict(b=30 + 22 * rows))
    if sort_categories:
        fig.update_xaxes(categoryorder="category ascending")
    return fig
