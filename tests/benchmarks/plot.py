"""A hand-drawn line chart, as SVG or PNG (matplotlib is not a dependency).

``line_chart`` draws a few series of (x, y) points as polylines on linear x
and logarithmic y axes, with ticks, a legend and a title: in plain SVG that
browsers and GitHub render as it is, or, for a path ending in ``.png``, as a
PNG drawn with Pillow (which Wagtail already needs).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from html import escape
from pathlib import Path
from typing import Any

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


@dataclass(frozen=True)
class Label:
    x: float
    y: float  # the baseline, as in SVG
    text: str
    anchor: str = "start"  # start, middle or end
    size: int = 12
    bold: bool = False
    rotate: bool = False  # read upwards (a y-axis label)


class SvgCanvas:
    def __init__(self, width: int, height: int, title: str) -> None:
        self.out = [
            f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
            f'viewBox="0 0 {width} {height}" font-family="sans-serif" font-size="12">',
            f"<title>{escape(title)}</title>",
        ]

    def line(
        self, points: Sequence[tuple[float, float]], color: str, width: int = 1, dash: str = ""
    ) -> None:
        coords = " ".join(f"{x:.1f},{y:.1f}" for x, y in points)
        dashed = f' stroke-dasharray="{dash}"' if dash else ""
        self.out.append(
            f'<polyline points="{coords}" fill="none" stroke="{color}" stroke-width="{width}"{dashed}/>'
        )

    def rect(
        self, x: float, y: float, w: float, h: float, *, fill: str = "", stroke: str = ""
    ) -> None:
        self.out.append(
            f'<rect x="{x}" y="{y}" width="{w}" height="{h}" fill="{fill or "none"}"'
            + (f' stroke="{stroke}"' if stroke else "")
            + "/>"
        )

    def circle(self, x: float, y: float, r: float, fill: str) -> None:
        self.out.append(f'<circle cx="{x:.1f}" cy="{y:.1f}" r="{r}" fill="{fill}"/>')

    def text(self, label: Label) -> None:
        style = (f' font-size="{label.size}"' if label.size != 12 else "") + (
            ' font-weight="bold"' if label.bold else ""
        )
        where = (
            f'transform="translate({label.x:.1f} {label.y:.1f}) rotate(-90)"'
            if label.rotate
            else f'x="{label.x:.1f}" y="{label.y:.1f}"'
        )
        anchored = f' text-anchor="{label.anchor}"' if label.anchor != "start" else ""
        self.out.append(f"<text {where}{anchored}{style}>{escape(label.text)}</text>")

    def save(self, path: Path) -> None:
        path.write_text("\n".join([*self.out, "</svg>"]) + "\n", encoding="utf-8")


# DejaVu, else Liberation (scripts/install-system-deps.sh installs it), else Pillow's own.
FONTS = {
    False: ("DejaVuSans.ttf", "LiberationSans-Regular.ttf"),
    True: ("DejaVuSans-Bold.ttf", "LiberationSans-Bold.ttf"),
}


class PngCanvas:
    """The same drawing on a Pillow image (SVG baselines: ``y`` is the foot of the text)."""

    def __init__(self, width: int, height: int, title: str) -> None:
        from PIL import Image, ImageDraw

        self.image = Image.new("RGB", (width, height), "#ffffff")
        self.draw = ImageDraw.Draw(self.image)
        self.fonts: dict[tuple[int, bool], Any] = {}

    def font(self, size: int, bold: bool) -> Any:
        from PIL import ImageFont

        if (size, bold) not in self.fonts:
            for file in FONTS[bold]:
                try:
                    self.fonts[size, bold] = ImageFont.truetype(file, size)
                    break
                except OSError:
                    continue
            else:
                self.fonts[size, bold] = ImageFont.load_default(size)
        return self.fonts[size, bold]

    def line(
        self, points: Sequence[tuple[float, float]], color: str, width: int = 1, dash: str = ""
    ) -> None:
        if not dash:
            self.draw.line(list(points), fill=color, width=width)
            return
        on, off = (float(n) for n in dash.split()[:2])
        for (x1, y1), (x2, y2) in zip(points, points[1:], strict=False):
            length = math.hypot(x2 - x1, y2 - y1)
            at = 0.0
            while at < length:
                end = min(at + on, length)
                self.draw.line(
                    [
                        (x1 + (x2 - x1) * at / length, y1 + (y2 - y1) * at / length),
                        (x1 + (x2 - x1) * end / length, y1 + (y2 - y1) * end / length),
                    ],
                    fill=color,
                    width=width,
                )
                at = end + off

    def rect(
        self, x: float, y: float, w: float, h: float, *, fill: str = "", stroke: str = ""
    ) -> None:
        self.draw.rectangle([x, y, x + w, y + h], fill=fill or None, outline=stroke or None)

    def circle(self, x: float, y: float, r: float, fill: str) -> None:
        self.draw.ellipse([x - r, y - r, x + r, y + r], fill=fill)

    def text(self, label: Label) -> None:
        from PIL import Image, ImageDraw

        font = self.font(label.size, label.bold)
        if not label.rotate:
            horizontal = {"start": "l", "middle": "m", "end": "r"}[label.anchor]
            self.draw.text(
                (label.x, label.y), label.text, fill="#0b0c0c", font=font, anchor=horizontal + "s"
            )
            return
        left, top, right, bottom = self.draw.textbbox((0, 0), label.text, font=font)
        image = Image.new("RGBA", (right - left + 2, bottom - top + 2), (255, 255, 255, 0))
        ImageDraw.Draw(image).text((-left, -top), label.text, fill="#0b0c0c", font=font)
        image = image.rotate(90, expand=True)
        self.image.paste(
            image, (int(label.x - image.width), int(label.y - image.height / 2)), image
        )

    def save(self, path: Path) -> None:
        self.image.save(path, optimize=True)


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
    """Draw ``series`` to ``path`` (SVG, or PNG if it ends in ``.png``) and return it."""
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

    canvas: SvgCanvas | PngCanvas = (PngCanvas if path.suffix == ".png" else SvgCanvas)(
        width, height, title
    )
    canvas.rect(0, 0, width, height, fill="#ffffff")
    canvas.text(Label(left, 22, title, size=15, bold=True))
    step = _nice_step(x_max)
    tick = 0.0
    while tick <= x_max:
        x = sx(tick)
        canvas.line([(x, top), (x, top + plot_h)], "#e5e5e5")
        canvas.text(
            Label(x, top + plot_h + 16, f"{tick:,.0f}" if step >= 1 else f"{tick:g}", "middle")
        )
        tick += step
    decade = y_lo
    while decade <= y_hi * 1.0001:
        for mult in (1, 2, 5):
            value = decade * mult
            if value > y_hi * 1.0001:
                break
            y = sy(value)
            canvas.line([(left, y), (left + plot_w, y)], "#cccccc" if mult == 1 else "#f0f0f0")
            canvas.text(Label(left - 6, y + 4, f"{value:g}", "end"))
        decade *= 10
    canvas.rect(left, top, plot_w, plot_h, stroke="#0b0c0c")
    canvas.text(Label(left + plot_w / 2, height - 18, x_label, "middle"))
    canvas.text(Label(18, top + plot_h / 2, y_label, "middle", rotate=True))
    for index, s in enumerate(series):
        shown = sorted((x, y) for x, y in s.points if y > 0 and math.isfinite(y))
        if shown:
            canvas.line([(sx(x), sy(y)) for x, y in shown], s.color, 2, s.dash)
            for x, y in shown:
                canvas.circle(sx(x), sy(y), 3, s.color)
        ly = top + 10 + index * 20
        lx = left + plot_w + 14
        canvas.line([(lx, ly), (lx + 24, ly)], s.color, 2, s.dash)
        canvas.text(Label(lx + 30, ly + 4, s.name))
    path.parent.mkdir(parents=True, exist_ok=True)
    canvas.save(path)
    return path
