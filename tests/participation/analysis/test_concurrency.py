"""Two staff members start an analysis of the same consultation at the same moment: exactly one run."""

import threading

import pytest
from django.core.exceptions import ValidationError
from django.db import connection

from ml import services
from ml.models import AnalysisRun
from tests.conftest import requires_postgres


@requires_postgres
@pytest.mark.django_db(transaction=True)
def test_simultaneous_starts_create_one_active_run():
    barrier = threading.Barrier(4)
    outcomes = []

    def start():
        try:
            barrier.wait()
            services.run_create(consultation_id=4242)
            outcomes.append("created")
        except ValidationError:
            outcomes.append("refused")
        finally:
            connection.close()

    threads = [threading.Thread(target=start) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(outcomes) == ["created", "refused", "refused", "refused"]
    assert AnalysisRun.objects.filter(consultation_id=4242, status__in=AnalysisRun.ACTIVE).count() == 1
