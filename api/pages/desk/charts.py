"""Bar charts as inline SVG, drawn on the server: no JavaScript, no library, readable at 360 px.

Each row is its label on one line and its bar below it, so long names never squeeze the bars;
a stacked row splits its bar by series, in colours that are told apart by the legend and by
the table every chart stands beside (the chart is ``role="img"`` with a title; the table is the
text alternative that screen readers and printouts read).
"""

from dataclasses import dataclass

from markupsafe import Markup, escape

WIDTH = 360  # the viewBox is a phone's width; the SVG scales to its box
BAR_AREA = 280  # what the longest bar spans; the rest holds its figure
ROW_HEIGHT = 46
BAR_HEIGHT = 18
LABEL_SIZE = 14
# Dark enough to show on the paper colour, and apart from each other (Okabe-Ito, darkened).
COLOURS = ("#0b5cad", "#b35900", "#1b7a4a", "#8e2f7d", "#5a5a00", "#a32020", "#00617a", "#444")


@dataclass(frozen=True)
class Row:
    label: str
    parts: tuple[tuple[str, int], ...]  # (series, value) in drawing order

    @property
    def total(self) -> int:
        return sum(value for _, value in self.parts)


def colour_of(series: list[str]) -> dict[str, str]:
    """Each series' colour, in the order the legend lists them."""
    return {name: COLOURS[i % len(COLOURS)] for i, name in enumerate(series)}


def _row(y: int, row: Row, scale: float, colours: dict[str, str], figure: str) -> list[str]:
    parts = [
        f'<text x="0" y="{y + LABEL_SIZE}" font-size="{LABEL_SIZE}">{escape(row.label)}</text>'
    ]
    x = 0.0
    for series, value in row.parts:
        width = value * scale
        parts.append(
            f'<rect x="{x:.1f}" y="{y + 20}" width="{width:.1f}" height="{BAR_HEIGHT}" '
            f'fill="{colours.get(series, COLOURS[0])}"/>'
        )
        x += width
    parts.append(
        f'<text x="{x + 6:.1f}" y="{y + 20 + LABEL_SIZE}" font-size="{LABEL_SIZE}">'
        f"{escape(figure)}</text>"
    )
    return parts


def bar_chart(title: str, rows: list[Row], colours: dict[str, str], figures: list[str]) -> Markup:
    """An SVG of one bar per row (stacked by series), ``figures`` written at the bars' ends."""
    largest = max((row.total for row in rows), default=0) or 1
    scale = BAR_AREA / largest
    height = ROW_HEIGHT * max(len(rows), 1)
    body = [
        f'<svg class="chart" role="img" viewBox="0 0 {WIDTH} {height}" '
        f'width="100%" preserveAspectRatio="xMinYMin meet" xmlns="http://www.w3.org/2000/svg">',
        f"<title>{escape(title)}</title>",
    ]
    for index, (row, figure) in enumerate(zip(rows, figures, strict=True)):
        body += _row(index * ROW_HEIGHT, row, scale, colours, figure)
    body.append("</svg>")
    return Markup("".join(body))
