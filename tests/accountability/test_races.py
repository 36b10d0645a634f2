"""Roll-up races on PostgreSQL: children updated at the same moment, each thread its own connection."""

import threading

import pytest
from django.db import connection

from accountability import services
from accountability.models import Result
from tests.conftest import requires_postgres

pytestmark = [requires_postgres, pytest.mark.django_db(transaction=True)]


def test_parallel_child_updates_roll_up_exactly(make_result, statuses, staff_user):
    parent = make_result("親プログラム")
    children = [make_result(f"子{i}", parent=parent, weight=i + 1) for i in range(8)]
    barrier, errors = threading.Barrier(len(children)), []

    def finish(child):
        try:
            barrier.wait()
            services.result_post_update(result=child, actor=staff_user, status=statuses["done"], text="完了")
        except Exception as exc:  # pragma: no cover - any error is a failure
            errors.append(repr(exc))
        finally:
            connection.close()

    threads = [threading.Thread(target=finish, args=(c,)) for c in children]
    [t.start() for t in threads]
    [t.join() for t in threads]
    assert errors == []
    parent.refresh_from_db()
    assert parent.progress == 100  # no update was lost between the children's transactions
    assert services.rolled_up_progress(parent) == 100
    last = parent.events.order_by("-created_at", "-pk").first()
    assert last.changes["progress"][1] == 100
    assert parent.recorded_state["progress"] == 100
    assert Result.objects.filter(parent=parent, progress=100).count() == 8
