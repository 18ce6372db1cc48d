"""Charts as server-rendered SVG: no scripts, a title and description for screen readers, and
every bar labelled with its value, so a chart reads without colour too.

`bar_chart`: horizontal bars, one per row. `stack_columns` + `stacked_column_chart`: columns of
stacked segments over a value axis (e.g. revenue per week and product), each series filled with
its own pattern and named in a legend after the SVG.
"""
from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from xml.sax.saxutils import escape, quoteattr

BAR = "#0072B2"
NEGATIVE = "#D55E00"
TEXT = "#1d2520"


def bar_chart(rows: Sequence[tuple[str, float]], *, title: str, description: str,
              label: Callable[[float], str] = lambda v: f"{v:g}", width: int = 640, bar_height: int = 22,
              label_width: int = 150) -> str:
    """Horizontal bars, one per (label, value), longest value at full width."""
    gap, pad = 8, 6
    height = max(len(rows), 1) * (bar_height + gap) + 2 * pad
    top = max((abs(value) for _, value in rows), default=0) or 1
    room = width - label_width - 90
    out = _open(title, description, width=width, height=height, css_class="chart")
    for n, (name, value) in enumerate(rows):
        y = pad + n * (bar_height + gap)
        length = round(abs(value) / top * room, 1)
        colour = NEGATIVE if value < 0 else BAR
        out.append(
            f'<g class="bar"><text x="{label_width - 6}" y="{y + bar_height * 0.7}" text-anchor="end" '
            f'font-size="12" fill="{TEXT}">{escape(name)}</text>'
            f'<rect x="{label_width}" y="{y}" width="{length}" height="{bar_height}" fill="{colour}"/>'
            f'<text x="{label_width + length + 6}" y="{y + bar_height * 0.7}" font-size="12" '
            f'fill="{TEXT}">{escape(label(value))}</text></g>'
        )
    if not rows:
        out.append(f'<text x="{pad}" y="{pad + 14}" font-size="12" fill="{TEXT}">–</text>')
    out.append("</svg>")
    return "\n".join(out)


def _open(title: str, description: str, *, width: int, height: int, css_class: str, size: str = "") -> list[str]:
    """The SVG's opening tag, title and description (its accessible name)."""
    key = _id(title)
    return [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="{css_class}" viewBox="0 0 {width} {height}"{size} '
        f'role="img" aria-labelledby="{key}-t {key}-d">',
        f'<title id="{key}-t">{escape(title)}</title>',
        f'<desc id="{key}-d">{escape(description)}</desc>',
    ]


def _id(title: str) -> str:
    return "chart-" + "".join(c if c.isalnum() else "-" for c in title.lower())[:40]


# --- Stacked columns: one pattern per series, readable without colour ------------------------

# The fill of each series, in order: at most six series (group the rest into the last one).
PATTERNS = {
    "solid": '<rect width="8" height="8" fill="#2f6b2f"/>',
    "diagonal": '<rect width="8" height="8" fill="#ffffff"/><rect width="3" height="8" fill="#7a4b00"/>',
    "dots": '<rect width="8" height="8" fill="#ffffff"/><circle cx="4" cy="4" r="2" fill="#1f4e79"/>',
    "cross": '<rect width="8" height="8" fill="#ffffff"/><path d="M0 0L8 8M8 0L0 8" stroke="#8b1a1a" stroke-width="1.5"/>',
    "horizontal": '<rect width="8" height="8" fill="#ffffff"/><rect y="3" width="8" height="2.5" fill="#5b3f8c"/>',
    "vertical": '<rect width="8" height="8" fill="#e8e8e8"/><rect x="3" width="2" height="8" fill="#555555"/>',
}
ROTATED = {"diagonal"}
INK = "#1a1a1a"
WIDTH, HEIGHT = 720, 320
LEFT, RIGHT, TOP, BOTTOM = 64, 12, 24, 48
MOST_AXIS_LABELS = 14


@dataclass(frozen=True)
class Segment:
    x: float
    y: float
    width: float
    height: float
    pattern: str
    title: str  # the series' name
    value: int


@dataclass(frozen=True)
class Bar:
    label: str
    x: float  # centre
    top: float
    total: int
    segments: list[Segment]
    show_label: bool  # under the axis (at most MOST_AXIS_LABELS are)


@dataclass(frozen=True)
class Columns:
    """The laid-out chart: positions in the SVG's coordinates, values as given."""

    width: int
    height: int
    left: int
    plot_bottom: float
    plot_right: float
    bars: list[Bar]
    ticks: list[tuple[float, int]]  # (y, value) of the value axis' grid lines
    legend: list[tuple[str, str]]  # (pattern, series name)


def _nice_step(top: int) -> int:
    """A round step for four or five grid lines up to `top` (at least 100: a euro in cents)."""
    raw = max(top / 4, 100)
    magnitude = 10 ** (len(str(int(raw))) - 1)
    for factor in (1, 2, 2.5, 5, 10):
        if raw <= factor * magnitude:
            return int(factor * magnitude)
    return int(10 * magnitude)


def stack_columns(columns: Sequence[tuple[str, Sequence[int]]], series: Sequence[str]) -> Columns:
    """Lay out one column per (label, values): `values[i]` is series i's part, stacked from the
    axis up in the series' order; parts of zero or less are left out."""
    if len(series) > len(PATTERNS):
        raise ValueError(f"at most {len(PATTERNS)} series")
    patterns = list(PATTERNS)
    highest = max((sum(v for v in values if v > 0) for _, values in columns), default=0)
    step = _nice_step(highest)
    top_value = max(step * -(-highest // step), step)
    plot_height = HEIGHT - TOP - BOTTOM
    slot = (WIDTH - LEFT - RIGHT) / max(len(columns), 1)
    bar_width = slot * 0.7
    every = max(1, -(-len(columns) // MOST_AXIS_LABELS))
    bars = []
    for i, (label, values) in enumerate(columns):
        x = LEFT + slot * i + (slot - bar_width) / 2
        y = TOP + plot_height
        segments = []
        for n, value in enumerate(values):
            if value <= 0:
                continue
            height = plot_height * value / top_value
            y -= height
            segments.append(Segment(round(x, 1), round(y, 1), round(bar_width, 1), round(height, 1),
                                    patterns[n], series[n], value))
        bars.append(Bar(label, round(x + bar_width / 2, 1), round(y, 1), sum(s.value for s in segments),
                        segments, i % every == 0))
    ticks = [(round(TOP + plot_height - plot_height * v / top_value, 1), v) for v in range(0, top_value + 1, step)]
    return Columns(WIDTH, HEIGHT, LEFT, TOP + plot_height, WIDTH - RIGHT, bars, ticks,
                   list(zip(patterns, series, strict=False)))


def stacked_column_chart(chart: Columns, *, title: str, description: str, legend_label: str,
                         label: Callable[[int], str] = str, css_class: str = "chart") -> str:
    """The SVG of `chart` (from stack_columns) and its legend as a list: every column carries its
    total above it, every segment a title with column, series and value."""
    out = _open(title, description, width=chart.width, height=chart.height, css_class=css_class,
                size=' width="100%"')
    out.append("<defs>")
    for name, shape in PATTERNS.items():
        turn = ' patternTransform="rotate(45)"' if name in ROTATED else ""
        out.append(f'<pattern id="pat-{name}" width="8" height="8" patternUnits="userSpaceOnUse"{turn}>{shape}</pattern>')
    out.append("</defs>")
    for y, value in chart.ticks:
        out.append(f'<line x1="{chart.left}" x2="{chart.plot_right}" y1="{y}" y2="{y}" stroke="#cccccc" stroke-width="1"/>')
        out.append(f'<text x="{chart.left - 6}" y="{y + 4}" text-anchor="end" font-size="12" fill="{INK}">{escape(label(value))}</text>')
    for bar in chart.bars:
        out.append("<g>")
        for s in bar.segments:
            out.append(
                f'<rect x="{s.x}" y="{s.y}" width="{s.width}" height="{s.height}" fill="url(#pat-{s.pattern})" '
                f'stroke="{INK}" stroke-width="0.75"><title>{escape(f"{bar.label}: {s.title}, {label(s.value)}")}</title></rect>'
            )
        if bar.total:
            out.append(f'<text x="{bar.x}" y="{bar.top - 4}" text-anchor="middle" font-size="11" fill="{INK}">{escape(label(bar.total))}</text>')
        if bar.show_label:
            out.append(f'<text x="{bar.x}" y="{chart.plot_bottom + 16}" text-anchor="middle" font-size="11" fill="{INK}">{escape(bar.label)}</text>')
        out.append("</g>")
    out.append(f'<line x1="{chart.left}" x2="{chart.plot_right}" y1="{chart.plot_bottom}" y2="{chart.plot_bottom}" stroke="{INK}" stroke-width="1"/>')
    out.append("</svg>")
    out.append(f'<ul class="chart-legend" aria-label={quoteattr(legend_label)}>')
    for pattern, name in chart.legend:
        out.append(f'<li><svg width="22" height="16" aria-hidden="true" xmlns="http://www.w3.org/2000/svg">'
                   f'<rect width="22" height="16" fill="url(#pat-{pattern})" stroke="{INK}"/></svg> {escape(name)}</li>')
    out.append("</ul>")
    return "\n".join(out)
