"""Results arithmetic: counts, percentages, means, bins, rankings, filters and small-group suppression."""

import pytest
from django.contrib.auth.models import AnonymousUser

from surveys import selectors, services

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]


def add(survey, answers, key):
    services.response_submit(survey=survey, raw_answers=answers, user=AnonymousUser(), browser_key=key)


def by_key(results):
    return {r.question.key: r for r in results.questions}


def test_counts_percentages_means_and_bins(survey, good_answers):
    add(survey, good_answers, "a")
    add(survey, {**good_answers, "district": "nishi", "overall": "2", "years": "90", "priorities": ["health"],
                 "channels": ["line", "web", "bulletin", "board"]}, "b")
    results = selectors.survey_results(survey=survey, structure=survey.structure)
    assert results.total == 2 and results.online == 2
    r = by_key(results)
    district = {b.value: (b.count, b.percent) for b in r["district"].bars}
    assert district["kita"] == (1, 50.0) and district["nishi"] == (1, 50.0) and district["chuo"] == (0, 0.0)
    assert r["overall"].mean == 3.0 and r["overall"].answered == 2
    priorities = {b.value: b.percent for b in r["priorities"].bars}
    assert r["priorities"].answered == 2 and priorities["health"] == 100.0 and priorities["transport"] == 50.0
    assert r["years"].mean == 51.0 and [b.count for b in r["years"].bars] == [1, 0, 0, 0, 1]
    channels = r["channels"].rows
    assert [row["value"] for row in channels][:2] in (["web", "line"], ["line", "web"])
    assert channels[0]["mean"] == 1.5
    services_rows = {row["value"]: row for row in r["services"].rows}
    assert services_rows["parks"]["answered"] == 2 and services_rows["parks"]["bars"][4].count == 2
    assert r["comment"].answered == 2 and r["visited_on"].minimum.isoformat() == "2026-03-01"


def test_filters_and_small_groups(survey, good_answers):
    for i in range(6):
        add(survey, {**good_answers, "district": "kita" if i < 5 else "nishi"}, f"k{i}")
    assert selectors.survey_results(survey=survey, structure=survey.structure, district="kita").total == 5
    small = selectors.survey_results(survey=survey, structure=survey.structure, district="nishi")
    assert small.suppressed and small.questions == []
    options = selectors.attribute_options(survey=survey, structure=survey.structure)
    assert ("kita", "北町") in options["district"]


def test_results_json_and_structure_json(survey, good_answers):
    add(survey, good_answers, "a")
    data = selectors.results_json(selectors.survey_results(survey=survey, structure=survey.structure))
    assert data["responses"] == 1
    structure = selectors.structure_json(survey.structure)
    kinds = {q["type"] for s in structure["sections"] for q in s["questions"]}
    assert len(kinds) == 9
