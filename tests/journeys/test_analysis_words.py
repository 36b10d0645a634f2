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
