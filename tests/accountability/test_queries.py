"""List pages and the API read a fixed number of queries, however many results there are."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

pytestmark = pytest.mark.django_db


def _queries(client, url) -> int:
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200
    return len(ctx.captured_queries)


@pytest.mark.parametrize("url_name", ["index", "consultation", "api"])
def test_no_n_plus_one(client, make_result, open_consultation, url_name):
    url = {"index": reverse("accountability:index"),
           "consultation": reverse("accountability:consultation", args=[open_consultation.pk]),
           "api": "/api/v1/results"}[url_name]
    parent = make_result("親")
    for i in range(2):
        make_result(f"少数{i}", parent=parent, places=[("場所", 35.68, 139.56)])
    client.get(url)  # warm caches (site root, locales)
    few = _queries(client, url)
    for i in range(12):
        make_result(f"多数{i}", parent=parent if i % 2 else None, places=[("場所", 35.68 + i / 1000, 139.56)])
    client.get(url)  # the writes bumped the cached reads' stamps (participation/core/freshness.py): warm again
    many = _queries(client, url)
    assert many == few, (few, many)
