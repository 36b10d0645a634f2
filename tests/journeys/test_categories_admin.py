"""Issue 12, sharp edge 10 (last part): report categories, with their extra questions, are edited in the
Wagtail admin (in Japanese, checked by ``reports_map.manage_categories``), not in a third interface
(/django-admin/). Bad input is refused with a Japanese message and nothing is stored."""

from __future__ import annotations

import json

import pytest
from django.test import Client
from django.urls import reverse
from wagtail.test.utils.form_data import inline_formset, nested_form_data

from reports_map.models import Category, CategoryQuestion

pytestmark = pytest.mark.django_db


LIST = "/admin/snippets/reports_map/category/"
ADD = "/admin/snippets/reports_map/category/add/"


def client_for(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def category_form(*, questions, name_ja="街路樹", service_code="street-tree") -> dict:
    return nested_form_data({
        "name_ja": name_ja, "name_en": "Street trees", "description_ja": "倒れそうな木、伸びた枝",
        "description_en": "", "service_code": service_code, "group": "", "order": 50, "active": "on",
        "questions": inline_formset(questions),
    })


def question(**fields) -> dict:
    return {"code": "danger", "datatype": "singlevaluelist", "order": 1, "description_ja": "危険がありますか？",
            "description_en": "Is it dangerous?", "values": "", **fields}


def test_staff_edit_categories_with_questions_in_the_wagtail_admin(staff_user):
    client = client_for(staff_user)
    menu = client.get("/admin/").content.decode()
    assert json.dumps("報告の種類")[1:-1] in menu and LIST in menu  # the sidebar is JSON for its script

    listing = client.get(LIST)
    assert listing.status_code == 200
    assert all(c.name_ja in listing.content.decode() for c in Category.objects.all()[:5])

    values = [{"key": "yes", "name_ja": "はい", "name_en": "Yes"}, {"key": "no", "name_ja": "いいえ"}]
    # choices are typed one a line, key | 日本語 | English (the English name may be left out)
    response = client.post(ADD, category_form(questions=[question(values="yes | はい | Yes\nno | いいえ\n",
                                                                  required="on")]))
    assert response.status_code == 302, response.content.decode()[:3000]
    category = Category.objects.get(service_code="street-tree")
    [asked] = category.questions.all()
    assert (asked.code, asked.required, asked.values) == ("danger", True, values)

    edit = reverse("wagtailsnippets_reports_map_category:edit", args=[category.pk])
    page = client.get(edit).content.decode()
    assert "追加の質問" in page and "危険がありますか？" in page and "選択肢" in page
    assert "yes | はい | Yes\nno | いいえ</textarea>" in page  # shown again as lines, not JSON


def test_bad_questions_are_refused_in_japanese_and_nothing_is_stored(staff_user):
    client = client_for(staff_user)
    before = (Category.objects.count(), CategoryQuestion.objects.count())
    response = client.post(ADD, category_form(questions=[question(values="")]))
    assert response.status_code == 200
    assert "選択肢を1つ以上" in response.content.decode()
    response = client.post(ADD, category_form(questions=[question(values="a | 大きい\na | 小さい")]))
    assert "同じキー" in response.content.decode()
    response = client.post(ADD, category_form(questions=[question(values="small")]))
    assert "日本語の名前が必要" in response.content.decode()
    assert "small</textarea>" in response.content.decode()  # what was typed is kept
    response = client.post(ADD, category_form(questions=[question(datatype="string", values="x | エックス")]))
    assert "選択肢があるのは" in response.content.decode()
    assert (Category.objects.count(), CategoryQuestion.objects.count()) == before


def test_only_the_permission_name_opens_it_and_nothing_is_deleted(staff_user, moderator, resident):
    category = Category.objects.create(service_code="bench", name_ja="ベンチ", name_en="Benches")
    assert client_for(moderator).get(LIST).status_code in (302, 403)
    assert LIST not in client_for(moderator).get("/admin/").content.decode()
    assert client_for(resident).get(LIST).status_code in (302, 403)
    staff = client_for(staff_user)
    delete = reverse("wagtailsnippets_reports_map_category:delete", args=[category.pk])
    assert staff.post(delete).status_code in (302, 403)
    assert Category.objects.filter(pk=category.pk).exists()  # reports point to categories: deactivate instead
    # the third interface is gone for categories
    assert staff.get("/django-admin/reports_map/category/").status_code == 404
