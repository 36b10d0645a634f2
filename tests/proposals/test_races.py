"""Support races on PostgreSQL: each thread its own connection, the database decides."""

import threading

import pytest
from django.db import connection

from participation.core.errors import Conflict
from proposals import services, tally
from proposals.models import Proposal, Support
from tests.conftest import requires_postgres
from tests.proposals.factories import make_proposal

pytestmark = [requires_postgres, pytest.mark.django_db(transaction=True)]


def hammer(calls):
    results, barrier = [], threading.Barrier(len(calls))

    def run(call):
        try:
            barrier.wait()
            call()
            results.append("ok")
        except Conflict:
            results.append("conflict")
        except Exception as exc:  # PermissionDenied is the limit; anything else is a bug
            results.append(type(exc).__name__)
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(call,)) for call in calls]
    [t.start() for t in threads]
    [t.join() for t in threads]
    return results


def test_fifty_identical_supports_leave_one(open_consultation, resident, other_resident):
    p = make_proposal(open_consultation, resident)
    results = hammer([lambda: services.support_add(proposal=p, user=other_resident)] * 50)
    assert results.count("ok") == 1
    assert results.count("conflict") == 49
    assert Support.objects.filter(proposal=p).count() == 1
    assert Proposal.objects.get(pk=p.pk).support_count == 1


def test_limit_holds_under_parallel_supports(open_consultation, resident, other_resident):
    open_consultation.supports_per_user = 6
    open_consultation.proposals_per_user = 0
    open_consultation.save()
    proposals = [make_proposal(open_consultation, resident, title=f"提案{i}") for i in range(10)]
    services.support_add(proposal=proposals[0], user=other_resident)
    services.support_add(proposal=proposals[1], user=other_resident)
    left = 4
    targets = proposals[2:2 + left + 5][:8]
    results = hammer([lambda p=p: services.support_add(proposal=p, user=other_resident) for p in targets])
    assert results.count("ok") == left
    assert set(results) <= {"ok", "PermissionDenied"}
    assert Support.objects.filter(user=other_resident).count() == 6
    assert tally.counts_reconcile(fix=False) == []


def test_storm_of_add_and_remove_keeps_counters_exact(open_consultation, resident, user_factory):
    p = make_proposal(open_consultation, resident)
    users = [user_factory(f"storm{i}") for i in range(8)]
    calls = []
    for u in users:
        calls += [lambda u=u: services.support_add(proposal=p, user=u),
                  lambda u=u: services.support_remove(proposal=p, user=u),
                  lambda u=u: services.support_add(proposal=p, user=u)]
    results = hammer(calls)
    assert "IntegrityError" not in results and "OperationalError" not in results
    assert Proposal.objects.get(pk=p.pk).support_count == Support.objects.filter(proposal=p).count()
    assert tally.counts_reconcile(fix=False) == []
