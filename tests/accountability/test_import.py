import io

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile

from accountability import importer
from accountability.models import Result, ResultEvent, ResultPlace, ResultProposal

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _english():
    """Messages are checked in English here; test_translations checks the Japanese catalogue."""
    from django.utils import translation

    with translation.override("en"):
        yield

HEADER = "external_id,consultation,title,category,department,status,progress,start_date,end_date,parent,weight,proposals,latitude,longitude,place"


def csv_file(*lines, name="results.csv", encoding="utf-8-sig"):
    return SimpleUploadedFile(name, "\n".join([HEADER, *lines]).encode(encoding), content_type="text/csv")


def run(staff_user, *lines, dry_run=False):
    return importer.results_import(rows=importer.read_sheet(csv_file(*lines)), actor=staff_user, dry_run=dry_run)


def test_create_then_update_by_external_id(staff_user, statuses, open_consultation, accepted_proposal):
    slug = open_consultation.slug
    outcome = run(staff_user,
                  f"P-1,{slug},公園再整備,,parks,in_progress,,2026-04-01,2027-03-31,,1,,,,",
                  f"P-1-a,{slug},遊具更新,play,公園緑地課,done,,,,P-1,2,{accepted_proposal.pk},35.69,139.56,北町公園",
                  f"P-1-b,{slug},日よけ設置,green,parks,予算化,,,,P-1,1,,,,")
    assert outcome.ok and outcome.applied, [r.errors for r in outcome.rows]
    assert [r.action for r in outcome.rows] == ["create", "create", "create"]
    parent = Result.objects.get(external_id="P-1")
    assert parent.progress == round((100 * 2 + 20) / 3)
    child = Result.objects.get(external_id="P-1-a")
    assert child.category.slug == "play" and child.parent_id == parent.pk
    assert list(child.proposal_links.values_list("proposal_id", flat=True)) == [accepted_proposal.pk]
    assert child.places.get().label == "北町公園"
    # Update one row: only the changed fields are reported; the rest are unchanged.
    outcome = run(staff_user,
                  f"P-1,{slug},公園再整備,,parks,in_progress,,2026-04-01,2027-03-31,,1,,,,",
                  f"P-1-a,{slug},遊具更新,play,parks,done,,,,P-1,2,{accepted_proposal.pk},35.69,139.56,北町公園",
                  f"P-1-b,{slug},日よけ設置,green,parks,in_progress,70,,,P-1,1,,,,")
    assert [r.action for r in outcome.rows] == ["unchanged", "unchanged", "update"]
    assert outcome.rows[2].changes["status"] == ("budgeted", "in_progress")
    assert outcome.rows[2].changes["progress_override"] == ("", 70)
    parent.refresh_from_db()
    assert parent.progress == 90
    assert Result.objects.count() == 3
    assert ResultEvent.objects.filter(result__external_id="P-1-b", kind="import").exists()


def test_dry_run_changes_nothing(staff_user, statuses, open_consultation):
    outcome = run(staff_user, f"D-1,{open_consultation.pk},試行,,parks,planning,,,,,,,,,", dry_run=True)
    assert outcome.ok and not outcome.applied
    assert outcome.rows[0].action == "create" and outcome.rows[0].changes["title"] == ("", "試行")
    assert not Result.objects.exists() and not ResultEvent.objects.exists()


@pytest.mark.parametrize("line,message", [
    ("B-2,{slug},題名,,parks,unknown_status,,,,,,,,,", "Unknown status"),
    ("B-2,{slug},題名,nosuchcat,parks,planning,,,,,,,,,", "Unknown category"),
    ("B-2,{slug},題名,,nosuchdept,planning,,,,,,,,,", "Unknown department"),
    ("B-2,{slug},題名,,parks,planning,150,,,,,,,,", "between 0 and 100"),
    ("B-2,{slug},題名,,parks,planning,abc,,,,,,,,", "whole number"),
    ("B-2,{slug},題名,,parks,planning,,2027-05-01,2027-04-01,,,,,,", "end must not be before"),
    ("B-2,{slug},題名,,parks,planning,,2027-13-01,,,,,,,", "is not a date"),
    ("B-2,{slug},題名,,parks,planning,,,,NOPE,,,,,", "Unknown parent"),
    ("B-2,{slug},題名,,parks,planning,,,,,,999999,,,", "no proposal"),
    ("B-2,{slug},題名,,parks,planning,,,,,,,95,139,", "place is not valid"),
    ("B-2,nowhere,題名,,parks,planning,,,,,,,,,", "Unknown consultation"),
    ("B-2,{slug},,,parks,planning,,,,,,,,,", "title"),
])
def test_bad_row_nothing_half_applied(staff_user, statuses, open_consultation, line, message):
    slug = open_consultation.slug
    good = f"G-1,{slug},良い行,,parks,planning,,,,,,,,,"
    outcome = run(staff_user, good, line.format(slug=slug))
    assert not outcome.ok and not outcome.applied
    assert outcome.rows[0].errors == []
    assert outcome.rows[1].line == 3
    assert any(message.lower() in e.lower() for e in outcome.rows[1].errors), outcome.rows[1].errors
    assert not Result.objects.exists() and not ResultEvent.objects.exists()


def test_hidden_proposal_in_import_refused(staff_user, statuses, open_consultation, accepted_proposal):
    from django.utils import timezone

    from proposals.models import Proposal

    Proposal.objects.filter(pk=accepted_proposal.pk).update(hidden_at=timezone.now())
    outcome = run(staff_user, f"H-1,{open_consultation.slug},題名,,parks,planning,,,,,,{accepted_proposal.pk},,,",
                  f"H-2,{open_consultation.slug},別の題名,,parks,planning,,,,,,,,,")
    assert not outcome.ok
    assert "hidden" in " ".join(outcome.rows[0].errors)
    assert not Result.objects.exists() and not ResultProposal.objects.exists()


def test_update_error_rolls_back_earlier_rows(staff_user, statuses, make_result):
    """An error found while applying (here a cycle through the database) undoes the rows before it."""
    a = make_result("A")
    a.external_id = "A"
    a.save()
    b = make_result("B", parent=a)
    b.external_id = "B"
    b.save()
    outcome = run(staff_user, "X-1,,新規,,parks,done,,,,,,,,,", "A,,A,,parks,planning,,,,B,,,,,")
    assert not outcome.ok
    assert "cycle" in " ".join(outcome.rows[1].errors)
    assert not Result.objects.filter(external_id="X-1").exists()
    a.refresh_from_db()
    assert a.parent_id is None


def test_cycle_within_file(staff_user, statuses):
    outcome = run(staff_user, "C-1,,一,,parks,planning,,,,C-2,,,,,", "C-2,,二,,parks,planning,,,,C-1,,,,,")
    assert not outcome.ok and not Result.objects.exists()
    assert all("cycle" in " ".join(r.errors) for r in outcome.rows)


def test_duplicate_external_id_in_file(staff_user, statuses):
    outcome = run(staff_user, "E-1,,一,,parks,planning,,,,,,,,,", "E-1,,二,,parks,planning,,,,,,,,,")
    assert not outcome.ok and "row 2" in outcome.rows[1].errors[0]
    assert not Result.objects.exists()


def test_xlsx_and_shift_jis(staff_user, statuses, open_consultation):
    from openpyxl import Workbook

    workbook = Workbook()
    sheet = workbook.active
    sheet.append(["external_id", "title", "status", "end_date", "budget_planned", "consultation"])
    import datetime as dt

    sheet.append(["X-1", "エクセルから", "budgeted", dt.datetime(2027, 3, 31), 1200000, open_consultation.pk])
    data = io.BytesIO()
    workbook.save(data)
    rows = importer.read_sheet(SimpleUploadedFile("r.xlsx", data.getvalue()))
    outcome = importer.results_import(rows=rows, actor=staff_user, dry_run=False)
    assert outcome.ok, [r.errors for r in outcome.rows]
    result = Result.objects.get(external_id="X-1")
    assert str(result.end_date) == "2027-03-31" and result.budget_planned == 1200000

    sjis = "external_id,title,status\nS-1,シフトJISの題名,planning\n".encode("cp932")
    rows = importer.read_sheet(SimpleUploadedFile("r.csv", sjis))
    assert rows[0]["title"] == "シフトJISの題名"


def test_file_level_errors(staff_user, statuses):
    with pytest.raises(ValidationError, match="Unknown columns"):
        importer.read_sheet(SimpleUploadedFile("r.csv", b"external_id,title,status,colour\n"))
    with pytest.raises(ValidationError, match="Missing columns"):
        importer.read_sheet(SimpleUploadedFile("r.csv", b"external_id,title\n"))
    with pytest.raises(ValidationError, match="not a readable"):
        importer.read_sheet(SimpleUploadedFile("r.xlsx", b"PK\x03\x04garbage"))
    with pytest.raises(ValidationError, match="too large"):
        importer.read_sheet(SimpleUploadedFile("r.csv", b"x" * (importer.MAX_BYTES + 1)))


def test_only_columns_in_file_change(staff_user, statuses, make_result):
    result = make_result("元の題名", end_date=__import__("datetime").date(2027, 1, 1))
    result.external_id = "K-1"
    result.save()
    ResultPlace.objects.create(result=result, latitude=35.0, longitude=139.0)
    rows = importer.read_sheet(SimpleUploadedFile("r.csv", "external_id,title,status\nK-1,新しい題名,planning\n".encode()))
    outcome = importer.results_import(rows=rows, actor=staff_user, dry_run=False)
    assert outcome.ok
    result.refresh_from_db()
    assert result.title == "新しい題名" and str(result.end_date) == "2027-01-01" and result.places.count() == 1


def test_resident_cannot_import(resident, statuses):
    with pytest.raises(PermissionDenied):
        importer.results_import(rows=[], actor=resident)
