import pytest
from django.core.exceptions import ValidationError
from django.utils import translation

from reports_map.geo import distance_m, inside_city, parse_bbox, validate_location
from tests.reports_map.conftest import CENTER


def test_centre_is_inside_and_far_away_is_outside():
    assert inside_city(*CENTER)
    assert not inside_city(35.0, 135.0)


@pytest.mark.parametrize("lat,lon,code", [
    ("91", "139.56", "location_range"),
    ("-91", "139.56", "location_range"),
    ("35.68", "181", "location_range"),
    ("35.68", "NaN", "location_not_finite"),
    ("nan", "139.56", "location_not_finite"),
    ("1e309", "139.56", "location_not_finite"),
    ("35.68", "-inf", "location_not_finite"),
    ("abc", "139.56", "location_not_number"),
    ("", "139.56", "location_missing"),
    ("139.5600", "35.6812", "location_swapped"),
    ("35.0", "135.0", "location_outside"),
    ("0", "0", "location_outside"),
])
def test_bad_locations_get_a_clear_error(lat, lon, code):
    with pytest.raises(ValidationError) as info:
        validate_location(lat, lon)
    assert info.value.code == code
    assert info.value.messages[0]


def test_swapped_message_is_translated():
    with translation.override("en"), pytest.raises(ValidationError) as info:
        validate_location(139.56, 35.6812)
    assert "swapped" in info.value.messages[0]


def test_valid_location_is_returned_as_floats():
    assert validate_location("35.6812", "139.56") == (35.6812, 139.56)


def test_distance():
    assert distance_m(35.0, 139.0, 35.0, 139.0) == 0
    assert 100 < distance_m(35.0, 139.0, 35.001, 139.0) < 120


def test_parse_bbox():
    assert parse_bbox("139.5,35.6,139.6,35.7") == (139.5, 35.6, 139.6, 35.7)
    assert parse_bbox("x") is None
    assert parse_bbox("139.6,35.6,139.5,35.7") is None
    assert parse_bbox("nan,1,2,3") is None
