"""Query budgets of the busiest pages, whatever the number of proposals and comments (issue 17).

History: consultation page 19 -> 14 anonymous, 27 -> 19 signed in (phases and categories read once, Wagtail
routing in one query per level, the default locale cached, no permission load for the user bar); the merges of
the accountability, surveys and outreach branches brought it back to 18 / 25, the detail page to 9 / 14.

Now (branch perf, issue 17 "cheaper pages"): 6 anonymous / 7 signed in on the list, 4 / 5 on the detail, on
SQLite and PostgreSQL. What is left on the list: Wagtail's site, locale and routing (4), the proposal list (1)
and, signed in, the user (1). What made the difference: reads every page repeats are kept in the cache under
version stamps that writes bump at once and after commit (participation/core/freshness.py; a test per kind of
write in tests/participation/core/test_freshness.py): view restrictions (Wagtail's check and "is this page
public" use the page object), phases and categories, the counts, the consultation's results, its surveys, the
published summary, and per user their roles, follows, supports left and unread notifications; the session is
read from the cache (cached_db). On the detail page both levels of replies come in one query and the number of
top-level comments is kept under the consultation's stamp.

The budgets are for a page whose cached reads are warm (the first visit fills them, as any visitor's would);
the whole-page cache of anonymous pages is off here (PAGE_CACHE_SECONDS=0 in the test settings), so these are
the queries of a page actually rendered."""

import pytest
from django.test import Client

from proposals.models import Comment, Proposal
from tests.proposals.factories import make_comment, make_proposal

pytestmark = pytest.mark.django_db

LIST_ANONYMOUS, LIST_SIGNED_IN = 6, 7  # the target: 12
DETAIL_ANONYMOUS, DETAIL_SIGNED_IN = 4, 5  # the target: 6


def _add(consultation, author, n):
    for i in range(n):
        p = Proposal.objects.create(consultation=consultation, author=author, title=f"提案{i}", body="b")
        Comment.objects.create(proposal=p, author=author, body="c")


@pytest.mark.parametrize("n", [3, 60])
def test_consultation_page_budget(open_consultation, resident, django_assert_max_num_queries, n):
    _add(open_consultation, resident, n)
    anonymous, signed_in = Client(), Client()
    signed_in.force_login(resident)
    for client, budget in ((anonymous, LIST_ANONYMOUS), (signed_in, LIST_SIGNED_IN)):
        client.get(open_consultation.url)  # the session and the language cookie exist, as for any visitor
        for query in ("", "?sort=supported&page=2"):
            with django_assert_max_num_queries(budget):
                assert client.get(open_consultation.url + query).status_code == 200


@pytest.mark.parametrize("n", [1, 30])
def test_proposal_detail_budget(open_consultation, resident, other_resident, django_assert_max_num_queries, n):
    p = make_proposal(open_consultation, resident)
    for _ in range(n):
        make_comment(p, other_resident, parent=make_comment(p, resident))
    anonymous, signed_in = Client(), Client()
    signed_in.force_login(other_resident)
    for client, budget in ((anonymous, DETAIL_ANONYMOUS), (signed_in, DETAIL_SIGNED_IN)):
        client.get(p.get_absolute_url())
        with django_assert_max_num_queries(budget):
            assert client.get(p.get_absolute_url()).status_code == 200
