"""Bar charts as server-rendered SVG: no scripts, a title and description for screen readers,
and every bar labelled with its value, so the chart reads without colour too."""
from __future__ import annotations

from collections.abc import Callable, Sequence
from xml.sax.saxutils import escape

BAR = "#0072B2"
NEGATIVE = "#D55E00"


def bar_chart(rows: Sequence[tuple[str, float]], *, title: str, description: str,
              label: Callable[[float], str] = lambda v: f"{v:g}", width: int = 640, bar_height: int = 22,
              label_width: int = 150) -> str:
    """Horizontal bars, one per (label, value), longest value at full width."""
    gap, pad = 8, 6
    height = max(len(rows), 1) * (bar_height + gap) + 2 * pad
    top = max((abs(value) for _, value in rows), default=0) or 1
    room = width - label_width - 90
    out = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="chart" viewBox="0 0 {width} {height}" '
        f'role="img" aria-labelledby="{_id(title)}-t {_id(title)}-d">',
        f'<title id="{_id(title)}-t">{escape(title)}</title>',
        f'<desc id="{_id(title)}-d">{escape(description)}</desc>',
    ]
    for n, (name, value) in enumerate(rows):
        y = pad + n * (bar_height + gap)
        length = round(abs(value) / top * room, 1)
        colour = NEGATIVE if value < 0 else BAR
        out.append(
            f'<g class="bar"><text x="{label_width - 6}" y="{y + bar_height * 0.7}" text-anchor="end" '
            f'font-size="12" fill="#1d2520">{escape(name)}</text>'
            f'<rect x="{label_width}" y="{y}" width="{length}" height="{bar_height}" fill="{colour}"/>'
            f'<text x="{label_width + length + 6}" y="{y + bar_height * 0.7}" font-size="12" '
            f'fill="#1d2520">{escape(label(value))}</text></g>'
        )
    if not rows:
        out.append(f'<text x="{pad}" y="{pad + 14}" font-size="12" fill="#1d2520">–</text>')
    out.append("</svg>")
    return "\n".join(out)


def _id(title: str) -> str:
    return "chart-" + "".join(c if c.isalnum() else "-" for c in title.lower())[:40]
