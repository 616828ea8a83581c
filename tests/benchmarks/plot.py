"""A hand-written SVG line chart (matplotlib is not a dependency).

``line_chart`` draws a few series of (x, y) points as polylines on linear x
and logarithmic y axes, with ticks, a legend and a title, in plain SVG that
browsers and GitHub render as it is.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from html import escape
from pathlib import Path

PALETTE = ("#1d70b8", "#d4351c", "#00703c", "#6f72af", "#f47738", "#505a5f")


@dataclass(frozen=True)
class Series:
    name: str
    points: Sequence[tuple[float, float]]
    color: str = PALETTE[0]
    dash: str = ""  # SVG stroke-dasharray, e.g. "6 4"


def _nice_step(span: float, ticks: int = 6) -> float:
    raw = span / max(ticks, 1)
    power = 10 ** math.floor(math.log10(raw)) if raw > 0 else 1
    for factor in (1, 2, 2.5, 5, 10):
        if raw <= factor * power:
            return factor * power
    return 10 * power


def line_chart(
    path: Path,
    series: Sequence[Series],
    *,
    title: str,
    x_label: str,
    y_label: str,
    width: int = 1060,
    height: int = 440,
) -> Path:
    """Write ``series`` as an SVG chart to ``path`` and return it."""
    points = [p for s in series for p in s.points if p[1] > 0 and math.isfinite(p[1])]
    left, right, top, bottom = 70, 420, 40, 60
    plot_w, plot_h = width - left - right, height - top - bottom
    x_max = max((x for x, _ in points), default=1) * 1.05
    y_lo = 10 ** math.floor(math.log10(min((y for _, y in points), default=1)))
    y_hi = 10 ** math.ceil(math.log10(max((y for _, y in points), default=10)))
    if y_hi <= y_lo:
        y_hi = y_lo * 10

    def sx(x: float) -> float:
        return left + plot_w * x / x_max

    def sy(y: float) -> float:
        span = math.log10(y_hi) - math.log10(y_lo)
        return top + plot_h * (1 - (math.log10(y) - math.log10(y_lo)) / span)

    out = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
        f'viewBox="0 0 {width} {height}" font-family="sans-serif" font-size="12">',
        f"<title>{escape(title)}</title>",
        f'<rect width="{width}" height="{height}" fill="#ffffff"/>',
        f'<text x="{left}" y="22" font-size="15" font-weight="bold">{escape(title)}</text>',
    ]
    step = _nice_step(x_max)
    tick = 0.0
    while tick <= x_max:
        x = sx(tick)
        out.append(
            f'<line x1="{x:.1f}" y1="{top}" x2="{x:.1f}" y2="{top + plot_h}" stroke="#e5e5e5"/>'
        )
        out.append(
            f'<text x="{x:.1f}" y="{top + plot_h + 16}" text-anchor="middle">{tick:,.0f}</text>'
        )
        tick += step
    decade = y_lo
    while decade <= y_hi * 1.0001:
        for mult in (1, 2, 5):
            value = decade * mult
            if value > y_hi * 1.0001:
                break
            y = sy(value)
            out.append(
                f'<line x1="{left}" y1="{y:.1f}" x2="{left + plot_w}" y2="{y:.1f}" '
                f'stroke="{"#cccccc" if mult == 1 else "#f0f0f0"}"/>'
            )
            out.append(f'<text x="{left - 6}" y="{y + 4:.1f}" text-anchor="end">{value:g}</text>')
        decade *= 10
    out.append(
        f'<rect x="{left}" y="{top}" width="{plot_w}" height="{plot_h}" fill="none" stroke="#0b0c0c"/>'
    )
    out.append(
        f'<text x="{left + plot_w / 2}" y="{height - 18}" text-anchor="middle">{escape(x_label)}</text>'
    )
    out.append(
        f'<text transform="translate(18 {top + plot_h / 2}) rotate(-90)" '
        f'text-anchor="middle">{escape(y_label)}</text>'
    )
    for index, s in enumerate(series):
        shown = sorted((x, y) for x, y in s.points if y > 0 and math.isfinite(y))
        if shown:
            coords = " ".join(f"{sx(x):.1f},{sy(y):.1f}" for x, y in shown)
            dash = f' stroke-dasharray="{s.dash}"' if s.dash else ""
            out.append(
                f'<polyline points="{coords}" fill="none" stroke="{s.color}" stroke-width="2"{dash}/>'
            )
            out.extend(
                f'<circle cx="{sx(x):.1f}" cy="{sy(y):.1f}" r="3" fill="{s.color}"/>'
                for x, y in shown
            )
        ly = top + 10 + index * 20
        lx = left + plot_w + 14
        dash = f' stroke-dasharray="{s.dash}"' if s.dash else ""
        out.append(
            f'<line x1="{lx}" y1="{ly}" x2="{lx + 24}" y2="{ly}" stroke="{s.color}" '
            f'stroke-width="2"{dash}/>'
        )
        out.append(f'<text x="{lx + 30}" y="{ly + 4}">{escape(s.name)}</text>')
    out.append("</svg>")
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("\n".join(out) + "\n", encoding="utf-8")
    return path
