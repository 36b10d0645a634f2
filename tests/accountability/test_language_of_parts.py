"""A result the city titled only in Japanese shows its Japanese title on the English page, marked as Japanese."""

import pytest
from django.test import Client

pytestmark = pytest.mark.django_db


def test_a_result_without_an_english_title_is_marked_japanese_on_the_english_page(make_result):
    result = make_result("北町公園の遊具更新")
    path = f"/results/{result.pk}/"
    assert Client().get(path).status_code == 200
    english = Client().get("/en" + path).content.decode()
    assert '<h1 id="result-title" lang="ja">北町公園の遊具更新</h1>' in english
    japanese = Client().get(path).content.decode()
    assert '<h1 id="result-title">北町公園の遊具更新</h1>' in japanese
    result.title_en = "New play equipment in Kitamachi Park"
    result.save()
    assert '<h1 id="result-title">New play equipment in Kitamachi Park</h1>' in Client().get("/en" + path).content.decode()
