import pytest
from django.core.exceptions import ValidationError
from django.utils import translation

from accountability import validation

pytestmark = pytest.mark.django_db


def test_messages_in_japanese_and_english():
    with translation.override("ja"), pytest.raises(ValidationError) as exc:
        validation.check_progress(150)
    assert "進捗率は0〜100の範囲" in str(exc.value)
    with translation.override("en"), pytest.raises(ValidationError) as exc:
        validation.check_progress(150)
    assert "between 0 and 100" in str(exc.value)


def test_catalogue_complete():
    from pathlib import Path

    import polib

    po = polib.pofile(str(Path(validation.__file__).parent / "locale/ja/LC_MESSAGES/django.po"))
    assert po.percent_translated() == 100
    assert not [e.msgid for e in po if "fuzzy" in e.flags]


def test_result_page_in_japanese(client, make_result):
    result = make_result()
    html = client.get(result.get_absolute_url(), HTTP_ACCEPT_LANGUAGE="ja").content.decode()
    assert "経過" in html and "進捗" in html
