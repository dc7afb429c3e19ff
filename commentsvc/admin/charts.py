"""Small server-rendered SVG charts: no script, no external request, CSP-friendly.

Only presentation attributes are used (never ``style``), so the strict admin CSP holds.
"""

from __future__ import annotations

from collections.abc import Sequence

from markupsafe import Markup, escape

WIDTH, HEIGHT = 720, 220
LEFT, RIGHT, TOP, BOTTOM = 44, 12, 12, 40
PALETTE = {
    "published": "#2e7d32",
    "pending": "#f9a825",
    "spam": "#c62828",
    "rejected": "#6a1b9a",
    "deleted": "#9e9e9e",
}
EXTRA = ["#1565c0", "#ef6c00", "#00838f", "#ad1457", "#558b2f", "#4e342e"]


def _color(name: str, index: int) -> str:
    return PALETTE.get(name, EXTRA[index % len(EXTRA)])


def _nice_max(value: float) -> float:
    if value <= 0:
        return 1
    for step in (1, 2, 5, 10, 20, 25, 50, 100, 200, 250, 500, 1000, 2000, 5000, 10_000):
        if value <= step:
            return step
    return float(int(value * 1.1) + 1)


def _frame(
    title: str, y_max: float, y_label: str, body: list[str], labels: Sequence[str]
) -> Markup:
    plot_w, plot_h = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM
    parts = [
        f'<svg class="chart" viewBox="0 0 {WIDTH} {HEIGHT}" role="img" '
        f'aria-label="{escape(title)}" xmlns="http://www.w3.org/2000/svg">',
        f"<title>{escape(title)}</title>",
    ]
    for i in range(5):
        value = y_max * i / 4
        y = TOP + plot_h - plot_h * i / 4
        text = f"{value:.0%}" if y_label == "%" else f"{value:g}"
        parts.append(
            f'<line x1="{LEFT}" x2="{WIDTH - RIGHT}" y1="{y:.1f}" y2="{y:.1f}" stroke="#ddd"/>'
            f'<text x="{LEFT - 4}" y="{y + 4:.1f}" font-size="10" text-anchor="end">{text}</text>'
        )
    every = max(1, len(labels) // 10)
    for i, label in enumerate(labels):
        if i % every:
            continue
        x = LEFT + plot_w * (i + 0.5) / max(len(labels), 1)
        parts.append(
            f'<text x="{x:.1f}" y="{HEIGHT - BOTTOM + 14}" font-size="10" '
            f'text-anchor="middle">{escape(label)}</text>'
        )
    parts += body
    parts.append("</svg>")
    return Markup("".join(parts))


def _legend(names: Sequence[str], texts: dict[str, str] | None = None) -> list[str]:
    out = []
    for i, name in enumerate(names):
        x = LEFT + i * 120
        out.append(
            f'<rect x="{x}" y="{HEIGHT - 16}" width="10" height="10" fill="{_color(name, i)}"/>'
            f'<text x="{x + 14}" y="{HEIGHT - 7}" font-size="11">'
            f"{escape((texts or {}).get(name, name))}</text>"
        )
    return out


def stacked_bars(
    title: str, labels: Sequence[str], series: dict[str, Sequence[int]], texts=None
) -> Markup:
    """One bar per label, stacked by series (comments per day by status)."""
    totals = [sum(values[i] for values in series.values()) for i in range(len(labels))]
    y_max = _nice_max(max(totals, default=0))
    plot_w, plot_h = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM
    slot = plot_w / max(len(labels), 1)
    body = []
    for i, label in enumerate(labels):
        base = TOP + plot_h
        for j, (name, values) in enumerate(series.items()):
            h = plot_h * values[i] / y_max
            if values[i]:
                body.append(
                    f'<rect x="{LEFT + slot * i + 1:.1f}" y="{base - h:.1f}" '
                    f'width="{max(slot - 2, 1):.1f}" height="{h:.1f}" fill="{_color(name, j)}">'
                    f"<title>{escape(label)} · {escape((texts or {}).get(name, name))}: "
                    f"{values[i]}</title></rect>"
                )
            base -= h
    return _frame(title, y_max, "", body + _legend(list(series), texts), labels)


def lines(
    title: str,
    labels: Sequence[str],
    series: dict[str, Sequence[float | None]],
    *,
    percent: bool = False,
    texts=None,
) -> Markup:
    """One line per series; gaps where a value is None."""
    values = [v for s in series.values() for v in s if v is not None]
    y_max = 1.0 if percent else _nice_max(max(values, default=0))
    plot_w, plot_h = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM
    body = []
    for j, (name, points) in enumerate(series.items()):
        segment: list[str] = []
        for i, value in enumerate([*points, None]):
            if value is None:
                if len(segment) > 1:
                    body.append(
                        f'<polyline fill="none" stroke="{_color(name, j)}" stroke-width="2" '
                        f'points="{" ".join(segment)}"/>'
                    )
                segment = []
                continue
            x = LEFT + plot_w * (i + 0.5) / max(len(labels), 1)
            y = TOP + plot_h - plot_h * value / y_max
            segment.append(f"{x:.1f},{y:.1f}")
            body.append(
                f'<circle cx="{x:.1f}" cy="{y:.1f}" r="2.5" fill="{_color(name, j)}">'
                f"<title>{escape(labels[i])}: {value:.2%}</title></circle>"
                if percent
                else f'<circle cx="{x:.1f}" cy="{y:.1f}" r="2.5" fill="{_color(name, j)}">'
                f"<title>{escape(labels[i])}: {value:g}</title></circle>"
            )
    return _frame(title, y_max, "%" if percent else "", body + _legend(list(series), texts), labels)
