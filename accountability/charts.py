"""A horizontal bar chart as plain SVG geometry (no script, no inline style: the CSP stays strict).
Every chart is shown with its data table; colour never carries meaning alone (bars carry numbers)."""

from __future__ import annotations

ROW_HEIGHT = 28
LABEL_WIDTH = 150
BAR_WIDTH = 300


def bar_chart(rows: list[tuple[str, int]]) -> dict:
    peak = max((n for _label, n in rows), default=0) or 1
    bars = []
    for index, (label, n) in enumerate(rows):
        bars.append({
            "label": label, "n": n, "y": index * ROW_HEIGHT + 4, "text_y": index * ROW_HEIGHT + 20,
            "x": LABEL_WIDTH, "w": round(BAR_WIDTH * n / peak) if n else 0, "h": ROW_HEIGHT - 8,
            "value_x": LABEL_WIDTH + (round(BAR_WIDTH * n / peak) if n else 0) + 6,
        })
    return {"bars": bars, "width": LABEL_WIDTH + BAR_WIDTH + 50, "height": max(1, len(rows)) * ROW_HEIGHT,
            "label_x": LABEL_WIDTH - 6, "max": peak}
