"""Small charts drawn as inline SVG, for documents read offline (the board pack).

No JavaScript and no network: each chart is a few hundred bytes of markup
with a text alternative. Same palette and conventions as dashboard/charts.py:
the actual line is solid blue with markers, the target a dashed grey step line.
"""

from __future__ import annotations

from dashboard.charts import PALETTE, TARGET_COLOUR
from dashboard.formatting import fmt_value, is_missing
from pipelines.safe_text import html_text as escape


def _scale(values: list[float], lo: float, hi: float, size: float, pad: float) -> list[float]:
    span = (hi - lo) or 1.0
    return [pad + (size - 2 * pad) * (v - lo) / span for v in values]


def sparkline(values: list, *, width: int = 120, height: int = 28, label: str = "") -> str:
    """A line of the last periods' values, its last point marked."""
    pts = [float(v) for v in values if not is_missing(v)]
    if len(pts) < 2:
        return ""
    xs = _scale(list(range(len(pts))), 0, len(pts) - 1, width, 3)
    ys = [height - y for y in _scale(pts, min(pts), max(pts), height, 3)]
    path = " ".join(f"{x:.1f},{y:.1f}" for x, y in zip(xs, ys, strict=True))
    return (f'<svg class="spark" width="{width}" height="{height}" viewBox="0 0 {width} {height}" role="img" '
            f'aria-label="{escape(label)}"><title>{escape(label)}</title>'
            f'<polyline points="{path}" fill="none" stroke="{PALETTE[0]}" stroke-width="1.8"/>'
            f'<circle cx="{xs[-1]:.1f}" cy="{ys[-1]:.1f}" r="2.5" fill="{PALETTE[0]}"/></svg>')


def trend(periods: list[str], values: list, targets: list, *, unit: str, title: str,
          width: int = 460, height: int = 170) -> str:
    """A trend line against the target in force (a dashed step line), with
    the first and last periods and the value range written on the axes."""
    points = [(i, float(v)) for i, v in enumerate(values) if not is_missing(v)]
    if not points:
        return ""
    tpoints = [(i, float(t)) for i, t in enumerate(targets) if not is_missing(t)]
    all_y = [v for _, v in points] + [t for _, t in tpoints]
    lo, hi = min(all_y), max(all_y)
    if unit == "rate":
        lo, hi = max(0.0, lo - 0.05), min(1.0, hi + 0.05)
    else:
        pad = (hi - lo) * 0.1 or abs(hi) * 0.1 or 1.0
        lo, hi = max(0.0, lo - pad) if lo >= 0 else lo - pad, hi + pad
    left, bottom, top, right = 58, 22, 10, 10
    n = max(len(periods) - 1, 1)

    def x(i: float) -> float:
        return left + (width - left - right) * i / n

    def y(v: float) -> float:
        return top + (height - top - bottom) * (1 - (v - lo) / ((hi - lo) or 1.0))

    parts = [f'<svg class="trend" width="{width}" height="{height}" viewBox="0 0 {width} {height}" role="img" '
             f'aria-label="{escape(title)}"><title>{escape(title)}</title>',
             f'<line x1="{left}" y1="{height - bottom}" x2="{width - right}" y2="{height - bottom}" stroke="#b1b4b6"/>']
    for v in (lo, (lo + hi) / 2, hi):
        parts.append(f'<line x1="{left}" y1="{y(v):.1f}" x2="{width - right}" y2="{y(v):.1f}" stroke="#eeeeee"/>'
                     f'<text x="{left - 6}" y="{y(v) + 4:.1f}" text-anchor="end" class="axis">'
                     f'{escape(fmt_value(v, unit))}</text>')
    if tpoints:
        d = f"M{x(tpoints[0][0]):.1f},{y(tpoints[0][1]):.1f}"
        for (_i0, t0), (i1, t1) in zip(tpoints, tpoints[1:], strict=False):
            d += f" H{x(i1):.1f}" + (f" V{y(t1):.1f}" if t1 != t0 else "")
        d += f" H{x(tpoints[-1][0]):.1f}"
        parts.append(f'<path d="{d}" fill="none" stroke="{TARGET_COLOUR}" stroke-width="1.6" stroke-dasharray="5,4"/>')
    path = " ".join(f"{x(i):.1f},{y(v):.1f}" for i, v in points)
    parts.append(f'<polyline points="{path}" fill="none" stroke="{PALETTE[0]}" stroke-width="2.2"/>')
    for i, v in points:
        parts.append(f'<circle cx="{x(i):.1f}" cy="{y(v):.1f}" r="2.2" fill="{PALETTE[0]}"/>')
    parts.append(f'<text x="{left}" y="{height - 6}" class="axis">{escape(periods[0])}</text>'
                 f'<text x="{width - right}" y="{height - 6}" text-anchor="end" class="axis">'
                 f'{escape(periods[-1])}</text></svg>')
    return "".join(parts)
