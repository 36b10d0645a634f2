import pytest

from reports_map import selectors, services
from reports_map.models import Report, Status
from tests.reports_map.conftest import CENTER


def test_geojson_points_at_street_level(resident, make_report):
    report = make_report(resident)
    data = selectors.report_geojson(bbox=(139.55, 35.67, 139.57, 35.69), zoom=17)
    assert data["aggregated"] is False
    feature = data["features"][0]
    assert feature["geometry"]["coordinates"] == [CENTER[1], CENTER[0]]
    assert feature["properties"]["id"] == report.pk and feature["properties"]["colour"] == "red"
    assert selectors.report_geojson(bbox=(139.40, 35.50, 139.41, 35.51), zoom=17)["features"] == []


def test_geojson_grid_at_low_zoom(resident, category, db, monkeypatch):
    monkeypatch.setattr(selectors, "POINTS_WITHOUT_GRID", 10)
    Report.objects.bulk_create([
        Report(category=category, author=resident, description="x", latitude=35.68 + i * 0.0001,
               longitude=139.56 + i * 0.0001, status=Status.OPEN if i % 2 else Status.FIXED)
        for i in range(50)
    ])
    data = selectors.report_geojson(bbox=(139.5, 35.6, 139.7, 35.8), zoom=11)
    assert data["aggregated"] is True
    assert sum(f["properties"]["count"] for f in data["features"]) == 50
    assert len(data["features"]) < 50
    assert all(f["properties"]["cluster"] for f in data["features"])
    monkeypatch.setattr(selectors, "POINTS_WITHOUT_GRID", 100)
    assert selectors.report_geojson(bbox=(139.5, 35.6, 139.7, 35.8), zoom=11)["aggregated"] is False


def test_geojson_filters(resident, make_report, other_category, staff_user):
    a = make_report(resident)
    b = make_report(resident, cat=other_category)
    services.report_update_post(report=b, actor=staff_user, status=Status.FIXED)
    ids = lambda **kw: {f["properties"]["id"] for f in selectors.report_geojson(zoom=18, **kw)["features"]}  # noqa: E731
    assert ids(category="streetlight") == {b.pk}
    assert ids(status="fixed") == {b.pk}
    assert ids(status="unresolved") == {a.pk}


def test_too_many_points_are_aggregated_even_at_high_zoom(resident, category, db, monkeypatch):
    monkeypatch.setattr(selectors, "MAX_POINTS", 5)
    Report.objects.bulk_create([
        Report(category=category, author=resident, description="x", latitude=35.68, longitude=139.56)
        for _ in range(10)
    ])
    assert selectors.report_geojson(zoom=18)["aggregated"] is True


def test_nearby_uses_distance_category_and_open_status(resident, make_report, other_category, staff_user, category):
    near = make_report(resident, lat=CENTER[0] + 0.001, lon=CENTER[1])  # ~111 m
    make_report(resident, lat=CENTER[0] + 0.003, lon=CENTER[1])  # ~333 m
    make_report(resident, cat=other_category)
    fixed = make_report(resident)
    services.report_update_post(report=fixed, actor=staff_user, status=Status.FIXED)
    found = selectors.reports_nearby(category=category, latitude=CENTER[0], longitude=CENTER[1])
    assert [r.pk for r in found] == [near.pk]
    assert 100 < found[0].distance_m < 125


def test_text_similarity():
    assert selectors.text_similarity("歩道に穴があります", "歩道に穴があります") == 1.0
    assert selectors.text_similarity("歩道に穴", "街灯が消えた") == 0.0
    assert selectors.text_similarity("", "x") == 0.0


def test_visible_to_rules(resident, other_resident, staff_user, make_report):
    report = make_report(resident)
    services.report_set_private(report=report, private=True, actor=staff_user)
    assert report in selectors.report_visible_to(resident)
    assert report not in selectors.report_visible_to(other_resident)
    assert report in selectors.report_visible_to(staff_user)


def test_dashboard_tables_and_metrics(resident, make_report, staff_user):
    report = make_report(resident)
    services.report_update_post(report=report, actor=staff_user, status=Status.FIXED)
    by_status = {r["status"]: r["count"] for r in selectors.reports_by_status()}
    assert sum(by_status.values()) == 1
    pothole = next(r for r in selectors.median_days_to_fix() if r["fixed"])
    assert pothole["median_days"] == pytest.approx(0.0, abs=0.1)
    assert selectors.reports_total() == 1
    assert sum(r["total"] for r in selectors.reports_by_category()) == 1


def test_cached_grid_forgets_a_report_made_private(resident, staff_user, category, make_report, monkeypatch,
                                                   django_capture_on_commit_callbacks):
    monkeypatch.setattr(selectors, "POINTS_WITHOUT_GRID", 0)
    report = make_report(resident)
    assert sum(f["properties"]["count"] for f in selectors.report_geojson(zoom=10)["features"]) == 1
    with django_capture_on_commit_callbacks(execute=True):
        services.report_set_private(report=report, private=True, actor=staff_user)
    assert selectors.report_geojson(zoom=10)["features"] == []
