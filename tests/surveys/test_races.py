"""Races on PostgreSQL: each thread its own connection; the database decides who answers."""

import threading

import pytest
from django.contrib.auth.models import AnonymousUser
from django.db import connection

from participation.core.errors import Conflict
from surveys import services
from surveys.models import Answer, InvitationCode, Response
from tests.conftest import requires_postgres
from tests.surveys.conftest import GOOD, make_survey

pytestmark = [requires_postgres, pytest.mark.django_db(transaction=True)]


def hammer(calls):
    results, barrier = [], threading.Barrier(len(calls))

    def run(call):
        try:
            barrier.wait()
            call()
            results.append("ok")
        except Conflict as exc:
            results.append(exc.code)
        except Exception as exc:  # anything else is a bug
            results.append(type(exc).__name__)
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(call,)) for call in calls]
    [t.start() for t in threads]
    [t.join() for t in threads]
    return results


def test_a_code_answers_once_under_concurrency(demo_pages, staff_user):
    survey = make_survey(audience="invitation", slug="race-codes", english=False)
    code = services.codes_generate(survey=survey, count=1, user=staff_user)[0]
    results = hammer([lambda: services.response_submit(survey=survey, raw_answers=dict(GOOD), user=AnonymousUser(),
                                                       code=code.code)] * 20)
    assert results.count("ok") == 1, results
    assert results.count("code_used") == 19, results
    assert Response.objects.filter(survey=survey).count() == 1
    assert Answer.objects.filter(survey=survey, question="district").count() == 1
    assert InvitationCode.objects.get(pk=code.pk).used_at is not None


def test_a_browser_answers_once_under_concurrency(demo_pages):
    survey = make_survey(audience="browser", slug="race-browser", english=False)
    results = hammer([lambda: services.response_submit(survey=survey, raw_answers=dict(GOOD), user=AnonymousUser(),
                                                       browser_key="same-browser")] * 20)
    assert results.count("ok") == 1, results
    assert results.count("already_answered") == 19, results
    assert Response.objects.filter(survey=survey).count() == 1
    assert Answer.objects.filter(survey=survey, question="district").count() == 1
