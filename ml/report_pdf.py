"""The council report as an A4 PDF, drawn with ReportLab (no browser): the same content as
``templates/ml/council_report.html``, from the same ``selectors.council_report`` dict.

Text is set in Adobe's standard Japanese CID font (HeiseiKakuGo-W5), which ReportLab can name without
embedding a font file: PDF readers draw it with their own Japanese font (Acrobat, Chrome, Firefox,
Preview, poppler do), and the file stays small. Runs of Latin text are set in Helvetica, whose letters
every reader has. Resident text is escaped before it reaches ReportLab's paragraph markup, so ``<b>`` or
``&`` in a quote is printed as written.
"""

from __future__ import annotations

import io
from typing import Any
from xml.sax.saxutils import escape

from django.utils.timezone import localtime
from django.utils.translation import get_language, gettext, ngettext
from reportlab.graphics.shapes import Circle, Drawing, Rect
from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.cidfonts import UnicodeCIDFont
from reportlab.platypus import KeepTogether, Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

FONT = "HeiseiKakuGo-W5"
LATIN_FONT = "Helvetica"
# The HTML report's colours (static/ml/council_report.css and its inline SVG bars).
BLUE = colors.HexColor("#2b6cb0")
TONE_COLOURS = {"positive": colors.HexColor("#2f855a"), "negative": colors.HexColor("#c53030")}
NEUTRAL = colors.HexColor("#a0aec0")
GREY = colors.HexColor("#4a5568")
RULE = colors.HexColor("#cbd5e0")
DOT_EDGE = colors.HexColor("#222222")
# The themes' colours on the opinion map: the Okabe-Ito based palette of static/ml/analysis.css (.ml-c0 …
# .ml-c9; a test keeps the two equal), and white for texts in no theme.
PALETTE = [
    colors.HexColor(code)
    for code in (
        "#0072b2",
        "#e69f00",
        "#009e73",
        "#cc79a7",
        "#56b4e9",
        "#d55e00",
        "#f0e442",
        "#000000",
        "#999999",
        "#882255",
    )
]
MAP_SIZE = 90 * mm
QUOTE_CHARS = 220  # as the HTML report's truncatechars
STATEMENT_CHARS = 200
BAR_WIDTH = 28 * mm
BAR_HEIGHT = 2.6 * mm


def _font() -> str:
    if FONT not in pdfmetrics.getRegisteredFontNames():
        pdfmetrics.registerFont(UnicodeCIDFont(FONT))
    return FONT


def _styles() -> dict[str, ParagraphStyle]:
    font = _font()
    # wordWrap="CJK" breaks Japanese lines between any two characters, as the browser does.
    body = ParagraphStyle("body", fontName=font, fontSize=9.5, leading=14, wordWrap="CJK")
    return {
        "title": ParagraphStyle("title", parent=body, fontSize=16, leading=21, spaceAfter=2 * mm),
        "h2": ParagraphStyle("h2", parent=body, fontSize=13, leading=18, spaceBefore=5 * mm, spaceAfter=2 * mm),
        "h3": ParagraphStyle("h3", parent=body, fontSize=11, leading=15, spaceBefore=3 * mm, spaceAfter=1 * mm),
        "body": body,
        "meta": ParagraphStyle("meta", parent=body, fontSize=8, leading=11, textColor=GREY),
        "cell": ParagraphStyle("cell", parent=body, fontSize=9, leading=12),
        "quote": ParagraphStyle(
            "quote",
            parent=body,
            fontSize=9,
            leading=13,
            leftIndent=4 * mm,
            spaceAfter=1.5 * mm,
            textColor=colors.HexColor("#1a202c"),
        ),
        "item": ParagraphStyle("item", parent=body, fontSize=9, leading=13, leftIndent=5 * mm, bulletIndent=1 * mm),
    }


def _cut(text: str, limit: int) -> str:
    """Django's ``truncatechars``: at most ``limit`` characters, the last one an ellipsis."""
    text = " ".join(str(text).split())
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def _latin(char: str) -> bool:
    try:
        char.encode("cp1252")  # what Helvetica's WinAnsiEncoding can show
    except UnicodeEncodeError:
        return False
    return char.isprintable()


def _markup(text: str) -> str:
    """Escaped paragraph markup: runs of Latin text in Helvetica, the rest in the Japanese font. (The CID
    font's Latin glyphs are wide and readers substitute them unevenly: 「W interdienst」.)"""
    runs, current, latin = [], "", None
    for char in str(text):
        is_latin = _latin(char)
        if latin is not None and is_latin != latin:
            runs.append((current, latin))
            current = ""
        current, latin = current + char, is_latin
    if current:
        runs.append((current, latin))
    return "".join(
        f'<font face="{LATIN_FONT}">{escape(run)}</font>' if is_latin else escape(run) for run, is_latin in runs
    )


def _para(text: str, style: ParagraphStyle, **kwargs: Any) -> Paragraph:
    return Paragraph(_markup(text), style, **kwargs)


def _bar(parts: list[tuple[float, colors.Color]]) -> Drawing:
    """A horizontal bar of coloured parts, each a percentage of ``BAR_WIDTH``, on a light track."""
    drawing = Drawing(BAR_WIDTH, BAR_HEIGHT)
    drawing.add(Rect(0, 0, BAR_WIDTH, BAR_HEIGHT, fillColor=colors.HexColor("#edf2f7"), strokeColor=None))
    x = 0.0
    for percent, colour in parts:
        width = BAR_WIDTH * max(0.0, min(float(percent), 100.0)) / 100
        if width > 0:
            drawing.add(Rect(x, 0, width, BAR_HEIGHT, fillColor=colour, strokeColor=None))
        x += width
    return drawing


def _tone_parts(tone: dict[str, int]) -> list[tuple[float, colors.Color]]:
    return [
        (tone["positive"], TONE_COLOURS["positive"]),
        (tone["negative"], TONE_COLOURS["negative"]),
        (tone["neutral"], NEUTRAL),
    ]


def _header(report: dict[str, Any], s: dict[str, ParagraphStyle]) -> list:
    counts = report.get("counts") or {}
    texts = int(counts.get("texts") or 0)
    meta = [
        ngettext("%(counter)s opinion analysed", "%(counter)s opinions analysed", texts) % {"counter": texts},
        ngettext("%(counter)s theme", "%(counter)s themes", len(report["themes"])) % {"counter": len(report["themes"])},
    ]
    finished = getattr(report.get("run"), "finished_at", None)
    if finished:
        meta.append(localtime(finished).strftime("%Y-%m-%d"))  # the city's date, as the HTML report shows it
    flow = [
        _para(report.get("title") or gettext("Analysis of the opinions"), s["title"]),
        _para(" · ".join(meta), s["meta"]),
    ]
    if report.get("has_sentiment"):
        tone = report["sentiment"]
        flow += [
            _para(gettext("Tone of the opinions"), s["h2"]),
            _para(
                gettext(
                    "Positive %(positive)s%%, negative %(negative)s%%, neutral (requests, questions) %(neutral)s%%."
                )
                % tone,
                s["body"],
            ),
            Spacer(1, 1 * mm),
            _bar(_tone_parts(tone)),
        ]
    return flow


def _theme_table(report: dict[str, Any], s: dict[str, ParagraphStyle]) -> list:
    with_tone = report.get("has_sentiment")
    head = ["#", gettext("Theme"), gettext("Opinions"), gettext("Share")] + ([gettext("Tone")] if with_tone else [])
    rows = [[_para(h, s["meta"]) for h in head]]
    for theme in report["themes"]:
        name = [_para(theme["title"], s["cell"])]
        if theme["keywords"]:
            name.append(_para("・".join(theme["keywords"]), s["meta"]))
        row = [
            _para(theme["number"], s["cell"]),
            name,
            _para(theme["size"], s["cell"]),
            [_bar([(theme["bar"], BLUE)]), _para(f"{theme['percent']}%", s["meta"])],
        ]
        if with_tone:
            tone = theme["sentiment"]
            row.append(
                [_bar(_tone_parts(tone)), _para(gettext("+%(positive)s%% / −%(negative)s%%") % tone, s["meta"])]
                if theme["has_sentiment"]
                else ""
            )
        rows.append(row)
    widths = [9 * mm, None, 16 * mm, BAR_WIDTH + 4 * mm] + ([BAR_WIDTH + 4 * mm] if with_tone else [])
    table = Table(rows, colWidths=widths, repeatRows=1)
    table.setStyle(_ruled(padding=3))
    caption = gettext("Themes by number of opinions; the coloured bar shows the tone of each theme.")
    flow = [_para(gettext("Themes"), s["h2"]), _para(caption, s["meta"]), Spacer(1, 1.5 * mm), table]
    if report.get("noise_count"):
        count = report["noise_count"]
        flow.append(
            _para(
                ngettext("%(counter)s opinion belongs to no theme.", "%(counter)s opinions belong to no theme.", count)
                % {"counter": count},
                s["meta"],
            )
        )
    return flow


def _colour(colour: int | str) -> colors.Color:
    return PALETTE[colour % len(PALETTE)] if isinstance(colour, int) else colors.white


def _swatch(colour: colors.Color) -> Drawing:
    swatch = Drawing(3 * mm, 3 * mm)
    swatch.add(Circle(1.5 * mm, 1.5 * mm, 1.3 * mm, fillColor=colour, strokeColor=DOT_EDGE, strokeWidth=0.4))
    return swatch


def _map(report: dict[str, Any], s: dict[str, ParagraphStyle]) -> list:
    """The review page's opinion map: one dot per opinion (at most ``selectors.MAP_MAX_POINTS``) in its
    theme's colour, beside a legend of theme numbers and titles, so colour is never the only cue."""
    if not report.get("points"):
        return []
    drawing = Drawing(MAP_SIZE, MAP_SIZE)
    drawing.add(Rect(0, 0, MAP_SIZE, MAP_SIZE, fillColor=colors.white, strokeColor=RULE, strokeWidth=0.5))
    scale = MAP_SIZE / 100  # the points are on the review's 0..100 canvas, y pointing down
    for point in report["points"]:
        x, y = float(point["cx"]) * scale, MAP_SIZE - float(point["cy"]) * scale
        dot = Circle(
            x, y, 0.9 * scale, fillColor=_colour(point["colour"]), strokeColor=DOT_EDGE, strokeWidth=0.15 * scale
        )
        drawing.add(dot)
    legend = [
        [_swatch(_colour(theme["colour"])), _para(f"{theme['number']}. {_cut(theme['title'], 40)}", s["meta"])]
        for theme in report["themes"]
    ]
    if report.get("noise_count"):
        legend.append([_swatch(colors.white), _para(gettext("No theme"), s["meta"])])
    key = Table(legend or [[""]], colWidths=[5 * mm, None] if legend else None)
    key.setStyle(
        TableStyle(
            [
                ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
                ("LEFTPADDING", (0, 0), (-1, -1), 1),
                ("TOPPADDING", (0, 0), (-1, -1), 0),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 1),
            ]
        )
    )
    layout = Table([[drawing, key]], colWidths=[MAP_SIZE + 4 * mm, None])
    layout.setStyle(TableStyle([("VALIGN", (0, 0), (-1, -1), "TOP"), ("LEFTPADDING", (0, 0), (-1, -1), 0)]))
    help_text = gettext(
        "Each dot is one opinion; opinions close together say similar things. The colours match the theme numbers."
    )
    heading = [_para(gettext("Opinion map"), s["h2"]), _para(help_text, s["meta"]), Spacer(1, 1.5 * mm)]
    return [KeepTogether([*heading, layout])]


def _ruled(*, padding: float, total_row: bool = False) -> TableStyle:
    """The report's data tables: cells aligned to the top, a thin rule under each row (a heavier one above a
    closing total row)."""
    commands = [
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ("LINEBELOW", (0, 0), (-1, -1), 0.4, RULE),
        ("TOPPADDING", (0, 0), (-1, -1), padding),
        ("BOTTOMPADDING", (0, 0), (-1, -1), padding),
        ("LEFTPADDING", (0, 0), (-1, -1), padding),
    ]
    if total_row:
        commands.append(("LINEABOVE", (0, -1), (-1, -1), 0.8, GREY))
    return TableStyle(commands)


def _theme_sections(report: dict[str, Any], s: dict[str, ParagraphStyle]) -> list:
    flow = []
    for theme in report["themes"]:
        meta = "・".join(theme["keywords"])
        if theme["subthemes"]:
            meta += f" · {gettext('Sub-themes:')} " + " / ".join(theme["subthemes"])
        block = [_para(f"{theme['number']}. {theme['title']}", s["h3"])]
        if meta:
            block.append(_para(meta, s["meta"]))
        quotes = [_para(f"“{_cut(q['text'], QUOTE_CHARS)}”", s["quote"]) for q in theme["quotes"]]
        # A theme's heading never stands alone at the foot of a page.
        flow.append(KeepTogether(block + quotes[:1]))
        flow += quotes[1:]
    return flow


def _breakdowns(report: dict[str, Any], s: dict[str, ParagraphStyle]) -> list:
    """The themes-by-channel-and-attribute tables of the HTML report (``selectors.theme_breakdowns``)."""
    tables = report.get("breakdowns") or []
    if not tables:
        return []
    note = gettext(
        "How each theme's texts divide, counting only texts that have the value. ▲ marks a share at least one and a "
        "half times the share among all texts."
    )
    flow = [_para(gettext("Themes by channel and attribute"), s["h2"]), _para(note, s["meta"])]
    for table in tables:
        head = [gettext("Theme"), gettext("Texts"), *(_cut(value, 20) for value in table["values"])]
        rows = [[_para(h, s["meta"]) for h in head]]
        for row in table["rows"]:
            cells = [
                _para(f"{c['percent']}% ({c['count']}){' ▲' if c['over'] else ''}", s["meta"]) for c in row["cells"]
            ]
            rows.append(
                [_para(f"{row['number']}. {_cut(row['title'], 40)}", s["meta"]), _para(row["total"], s["meta"]), *cells]
            )
        total = [_para(f"{c['percent']}% ({c['count']})", s["meta"]) for c in table["overall"]]
        rows.append([_para(gettext("All texts"), s["meta"]), _para(table["total"], s["meta"]), *total])
        width = A4[0] - 30 * mm  # between the margins; the theme column takes what the values leave
        value_width = min(22 * mm, (width - 62 * mm) / max(1, len(table["values"])))
        theme_width = width - 12 * mm - value_width * len(table["values"])
        grid = Table(rows, colWidths=[theme_width, 12 * mm] + [value_width] * len(table["values"]), repeatRows=1)
        grid.setStyle(_ruled(padding=2, total_row=True))
        caption = gettext("Themes by %(name)s") % {"name": table["name"]}
        flow += [KeepTogether([_para(caption, s["h3"]), grid])]
    return flow


def _bullets(statements: list[dict], s: dict[str, ParagraphStyle]) -> list:
    return [_para(_cut(item.get("text", ""), STATEMENT_CHARS), s["item"], bulletText="•") for item in statements]


def _statements(title: str, statements: list[dict], s: dict[str, ParagraphStyle], style: str = "meta") -> list:
    """A heading and its statements, the heading kept with the first one (never alone at a page's foot)."""
    items = _bullets(statements, s)
    return [KeepTogether([_para(title, s[style]), *items[:1]]), *items[1:]] if items else []


def _groups(report: dict[str, Any], s: dict[str, ParagraphStyle]) -> list:
    if not report.get("groups"):
        return []
    flow = [_para(gettext("Opinion groups"), s["h2"])]
    for group in report["groups"]:
        heading = ngettext(
            "Group %(number)s (%(counter)s participant)", "Group %(number)s (%(counter)s participants)", group["size"]
        ) % {"number": group["number"], "counter": group["size"]}
        flow.append(_para(heading, s["h3"]))
        flow += _statements(gettext("Agrees more than others with:"), group["agree"], s)
        flow += _statements(gettext("Disagrees more than others with:"), group["disagree"], s)
    for heading, key in (
        (gettext("Common ground (all groups agree)"), "consensus"),
        (gettext("Divisive statements"), "divisive"),
    ):
        flow += _statements(heading, report.get(key) or [], s, style="h3")
    return flow


def council_report_pdf(report: dict[str, Any], *, author: str = "") -> bytes:
    """The report as PDF bytes, in the active language (A4, page numbers at the foot of each page);
    ``author`` (the city or site name) goes into the file's properties."""
    s = _styles()
    title = report.get("title") or gettext("Analysis of the opinions")
    footer = gettext(
        "Themes, titles and tone were computed automatically and reviewed by staff; quotes are sentences from the "
        "opinions as written."
    )
    flow = [
        *_header(report, s),
        *_theme_table(report, s),
        *_map(report, s),
        *_breakdowns(report, s),
        *_theme_sections(report, s),
        *_groups(report, s),
        Spacer(1, 4 * mm),
        _para(footer, s["meta"]),
    ]

    def number_page(canvas, doc) -> None:
        canvas.saveState()
        canvas.setFont(_font(), 8)
        canvas.setFillColor(GREY)
        canvas.drawRightString(A4[0] - doc.rightMargin, 9 * mm, f"{_cut(title, 60)} — {doc.page}")
        canvas.restoreState()

    buffer = io.BytesIO()
    document = SimpleDocTemplate(
        buffer,
        pagesize=A4,
        leftMargin=15 * mm,
        rightMargin=15 * mm,
        topMargin=15 * mm,
        bottomMargin=16 * mm,
        title=title,
        subject=gettext("Analysis of the opinions"),
        lang=(get_language() or "ja"),
        author=author or title,
        creator="civic participation platform",
    )
    document.build(flow, onFirstPage=number_page, onLaterPages=number_page)
    return buffer.getvalue()
