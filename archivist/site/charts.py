"""Small charts drawn at build time as inline SVG: no chart library is loaded."""

from __future__ import annotations

from markupsafe import Markup, escape

WIDTH = 640
BAR_HEIGHT = 22


def column_chart(data: list[tuple[str, int]], label: str) -> Markup:
    """Vertical bars, one per label (years), with the count on each bar."""
    if len(data) < 2:
        return Markup("")
    height, top, bottom = 160, 18, 22
    peak = max(count for _, count in data) or 1
    slot = WIDTH / len(data)
    bar = max(2.0, slot * 0.7)
    parts = []
    for n, (name, count) in enumerate(data):
        h = (height - top - bottom) * count / peak
        x = n * slot + (slot - bar) / 2
        y = height - bottom - h
        parts.append(
            f"<g><title>{escape(name)}：{count} 篇</title>"
            f'<rect x="{x:.1f}" y="{y:.1f}" width="{bar:.1f}" height="{h:.1f}" rx="2"/>'
            + (f'<text class="v" x="{x + bar / 2:.1f}" y="{y - 4:.1f}">{count}</text>' if count else "")
            + (
                f'<text class="k" x="{x + bar / 2:.1f}" y="{height - 6}">{escape(name)}</text>'
                if len(data) <= 16 or n % 2 == 0
                else ""
            )
            + "</g>"
        )
    return Markup(
        f'<figure class="chart"><svg viewBox="0 0 {WIDTH} {height}" role="img" aria-label="{escape(label)}">'
        + "".join(parts)
        + f"</svg><figcaption>{escape(label)}</figcaption></figure>"
    )


def bar_chart(data: list[tuple[str, int]], label: str) -> Markup:
    """Horizontal bars, one per label (places), longest first as given."""
    if not data:
        return Markup("")
    peak = max(count for _, count in data) or 1
    label_width, height = 150, BAR_HEIGHT * len(data) + 4
    room = WIDTH - label_width - 40
    parts = []
    for n, (name, count) in enumerate(data):
        y = n * BAR_HEIGHT + 2
        w = max(1.0, room * count / peak)
        parts.append(
            f"<g><title>{escape(name)}：{count} 篇</title>"
            f'<text class="l" x="{label_width - 8}" y="{y + 15}">{escape(name)}</text>'
            f'<rect x="{label_width}" y="{y + 3}" width="{w:.1f}" height="{BAR_HEIGHT - 6}" rx="2"/>'
            f'<text class="n" x="{label_width + w + 6:.1f}" y="{y + 15}">{count}</text></g>'
        )
    return Markup(
        f'<figure class="chart"><svg viewBox="0 0 {WIDTH} {height}" role="img" aria-label="{escape(label)}">'
        + "".join(parts)
        + f"</svg><figcaption>{escape(label)}</figcaption></figure>"
    )
