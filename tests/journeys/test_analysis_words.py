"""Issue 12, sharp edge 8 (the message part): the Japanese admin never shows the analysis library's English
reason for skipping opinion groups ("too few participants or statements ..."); it explains in Japanese."""

from pathlib import Path

from django.conf import settings
from django.utils import translation
from django.utils.translation import gettext

TEMPLATE = Path(settings.BASE_DIR) / "templates" / "cms" / "analysis" / "detail.html"


def test_skipped_opinion_groups_are_explained_in_the_page_language():
    source = TEMPLATE.read_text(encoding="utf-8")
    assert "{{ review.opinion_skipped }}" not in source  # the library's English text
    message = "Opinion groups need votes from at least 4 residents on at least 2 statements."
    assert message in source
    with translation.override("ja"):
        assert "4人以上" in gettext(message)


def test_published_summary_is_linked_near_the_top(open_consultation, monkeypatch):
    from types import SimpleNamespace

    from django.test import Client

    import ml.selectors

    text = "公園の日陰を求める声が多く寄せられました。"
    summary = {"summary": SimpleNamespace(text=text, published_at=None, run_id=None), "themes": []}
    monkeypatch.setattr(ml.selectors, "published_summary", lambda consultation_id: summary)
    html = Client().get(open_consultation.url).content.decode()
    link = html.index('href="#analysis-summary-title"')
    assert link < html.index('class="proposals-section"') < html.index('id="analysis-summary-title"')
    assert "市がまとめた「市民の声」を読む" in html
