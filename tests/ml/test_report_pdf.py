"""The council report as PDF (``ml.report_pdf``): what the HTML report shows, read back from the file."""

from __future__ import annotations

import io

import pypdf
import pytest
from django.utils import translation

from ml.report_pdf import QUOTE_CHARS, council_report_pdf


def _theme(number: int, title: str, size: int, quotes: list[str], *, tone: bool = True) -> dict:
    sentiment = {"positive": 20, "negative": 50, "neutral": 30}
    return {
        "number": number,
        "colour": (number - 1) % 10,
        "title": title,
        "label": title,
        "keywords": ["コミュニティバス", "最終便"],
        "size": size,
        "percent": size,
        "bar": float(size),
        "sentiment": sentiment,
        "tone_neutral_x": 70,
        "has_sentiment": tone,
        "quotes": [{"text": text} for text in quotes],
        "subthemes": [],
    }


def _report(**overrides) -> dict:
    report = {
        "title": "コミュニティバスの見直し",
        "run": None,
        "counts": {"texts": 120},
        "themes": [
            _theme(1, "最終便を遅くしてほしい", 60, ["最終便の時刻をもう少し遅くしてほしいです。"]),
            _theme(2, "Skate park for teenagers", 40, ["We need a <b>safe</b> place & lights after 6 pm."]),
        ],
        "noise_count": 2,
        "points": [
            {"cx": 20.0, "cy": 30.0, "colour": 0, "label": "最終便", "text": "最終便を遅く"},
            {"cx": 70.5, "cy": 60.0, "colour": 1, "label": "Skate park", "text": "A skate park"},
            {"cx": 50.0, "cy": 96.0, "colour": "noise", "label": "", "text": "その他"},
        ],
        "sentiment": {"positive": 25, "negative": 40, "neutral": 35},
        "has_sentiment": True,
        "groups": [
            {"number": 1, "size": 30, "agree": [{"text": "運賃を無料にすべきだ"}], "disagree": []},
            {"number": 2, "size": 12, "agree": [], "disagree": [{"text": "運賃を無料にすべきだ"}]},
        ],
        "consensus": [{"text": "バス停に屋根がほしい"}],
        "divisive": [{"text": "増便は不要だ"}],
    }
    return {**report, **overrides}


def _text(pdf: bytes) -> tuple[str, pypdf.PdfReader]:
    reader = pypdf.PdfReader(io.BytesIO(pdf))
    # Line breaks fall anywhere in Japanese; compare without them.
    return "".join("".join(page.extract_text().split()) for page in reader.pages), reader


def _squeezed(text: str) -> str:
    return "".join(text.split())


@pytest.mark.parametrize(
    ("language", "headings"),
    [
        (
            "ja",
            [
                "意見の傾向",
                "テーマ",
                "意見マップ",
                "テーマなし",
                "意見グループ",
                "共通点（すべてのグループが賛成）",
                "意見が分かれた項目",
            ],
        ),
        (
            "en",
            [
                "Tone of the opinions",
                "Themes",
                "Opinion map",
                "No theme",
                "Opinion groups",
                "Common ground",
                "Divisive statements",
            ],
        ),
    ],
)
def test_the_pdf_holds_the_report_in_the_reader_s_language(language, headings):
    with translation.override(language):
        pdf = council_report_pdf(_report())
    assert pdf.startswith(b"%PDF-")
    text, reader = _text(pdf)
    assert reader.metadata.title == "コミュニティバスの見直し"
    for expected in [
        "コミュニティバスの見直し",
        "最終便を遅くしてほしい",
        "Skate park for teenagers",
        "コミュニティバス・最終便",
        "最終便の時刻をもう少し遅くしてほしいです。",
        "運賃を無料にすべきだ",
        "バス停に屋根がほしい",
        "増便は不要だ",
        *headings,
    ]:
        assert _squeezed(expected) in text, expected
    # Resident text is printed as written, never read as markup.
    assert _squeezed("We need a <b>safe</b> place & lights after 6 pm.") in text


def test_a_long_report_runs_over_pages_and_cuts_long_quotes():
    long_quote = "バスの本数を増やしてほしいです。" * 40
    themes = [
        _theme(n, f"テーマ{n}の見出し", 10, [long_quote, "短い引用です。", "Another quote."]) for n in range(1, 21)
    ]
    with translation.override("ja"):
        text, reader = _text(council_report_pdf(_report(themes=themes)))
    assert len(reader.pages) > 1
    assert "テーマ20の見出し" in text
    cut = long_quote[: QUOTE_CHARS - 1] + "…"
    assert cut in text and long_quote not in text


def test_a_report_without_tone_groups_or_themes_still_prints():
    report = _report(
        themes=[],
        points=[],
        has_sentiment=False,
        sentiment={},
        groups=[],
        consensus=[],
        divisive=[],
        noise_count=0,
        title="",
        counts={},
    )
    with translation.override("en"):
        text, reader = _text(council_report_pdf(report))
    assert len(reader.pages) == 1
    assert "Analysisoftheopinions" in text and "0opinionsanalysed" in text
    assert "Toneoftheopinions" not in text and "Opiniongroups" not in text and "Opinionmap" not in text


def test_the_date_is_the_city_s_date():
    import datetime as dt
    from types import SimpleNamespace

    finished = dt.datetime(2026, 3, 31, 20, 0, tzinfo=dt.UTC)  # 1 April, 05:00 in Japan
    with translation.override("ja"):
        text, _ = _text(council_report_pdf(_report(run=SimpleNamespace(finished_at=finished))))
    assert "2026-04-01" in text


def test_characters_outside_both_fonts_do_not_break_the_file():
    quotes = ["公園 😀 good", "한국어 العربية", "𠮷野家の前", "tab\there", "zero\u200bwidth"]
    with translation.override("ja"):
        text, _ = _text(council_report_pdf(_report(themes=[_theme(1, "いろいろな文字", 5, quotes)])))
    assert "𠮷野家の前" in text


def test_the_map_colours_are_the_review_page_s():
    """The PDF's palette is the one static/ml/analysis.css gives the review's map (.ml-c0 … .ml-c9)."""
    import re

    from django.conf import settings

    from ml.report_pdf import PALETTE
    from ml.selectors import PALETTE_SIZE

    css = (settings.BASE_DIR / "static" / "ml" / "analysis.css").read_text(encoding="utf-8")
    in_css = dict(re.findall(r"\.ml-c(\d+) \{ fill: (#[0-9a-f]{6});", css))
    assert len(PALETTE) == PALETTE_SIZE == len(in_css)
    assert [colour.hexval()[2:] for colour in PALETTE] == [in_css[str(i)][1:] for i in range(PALETTE_SIZE)]
