"""Query budget of the proposal list API whatever the number of proposals (issue 17), with the whole-answer cache
off (PAGE_CACHE_SECONDS=0 in the test settings): the queries of an answer actually made, its cached reads warm
(participation/core/freshness.py; the first request fills them, as any client's would).

History: 3 anonymous / 4 signed in after branch perf (the consultation page object, the proposals, and signed in
the user; the count was already kept under the consultation's stamp); now 1 / 2: the list needs only the
consultation's canonical id, kept under the site's stamp (publishing, moving or restricting a page bumps it);
a filtered list (category, state) counts its matches in one more query."""

import pytest
from django.test import Client

from proposals.models import Comment, Proposal

pytestmark = pytest.mark.django_db

API_LIST_ANONYMOUS, API_LIST_SIGNED_IN = 1, 2
FILTERED = 1  # a filtered list counts its matches (up to a bound: selectors.paginate_proposals), not cached
QUERIES = ("", "?sort=supported", "?page=2", "?sort=supported&page=2", "?state=published")


def _add(consultation, author, n):
    for i in range(n):
        p = Proposal.objects.create(consultation=consultation, author=author, title=f"提案{i}", body="b")
        Comment.objects.create(proposal=p, author=author, body="c")


@pytest.fixture
def freshness_on(settings):
    settings.FRESHNESS_CACHE = True


@pytest.mark.parametrize("n", [3, 60])
def test_proposal_list_api_budget(open_consultation, resident, django_assert_max_num_queries, freshness_on, n):
    _add(open_consultation, resident, n)
    url = f"/api/v1/consultations/{open_consultation.pk}/proposals"
    anonymous, signed_in = Client(), Client()
    signed_in.force_login(resident)
    for client, budget in ((anonymous, API_LIST_ANONYMOUS), (signed_in, API_LIST_SIGNED_IN)):
        for query in QUERIES:
            client.get(url + query)  # fills the cached reads (the count of this filter)
            with django_assert_max_num_queries(budget + (FILTERED if "state" in query else 0)):
                response = client.get(url + query)
            assert response.status_code == 200
            if "state" not in query:
                assert response.json()["count"] == n


def test_unpublished_consultation_is_gone_from_the_api_at_once(open_consultation, freshness_on):
    url = f"/api/v1/consultations/{open_consultation.pk}/proposals"
    assert Client().get(url).status_code == 200
    open_consultation.unpublish()
    assert Client().get(url).status_code == 404


def test_unknown_or_huge_consultation_ids_are_404(db, freshness_on):
    for consultation_id in (999999, 2**63, 10**30):
        response = Client().get(f"/api/v1/consultations/{consultation_id}/proposals")
        assert response.status_code in (404, 422, 400)
        assert response.json()["code"] in ("not_found", "invalid")
