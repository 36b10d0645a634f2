import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from accountability import services
from accountability.models import Result, ResultEvent, ResultProposal
from participation.models import Notification
from tests.accountability.conftest import jpeg_upload

pytestmark = pytest.mark.django_db


def test_status_default_progress_and_override(make_result, statuses, staff_user):
    result = make_result(status="budgeted")
    assert result.progress == 20
    services.result_update(result=result, actor=staff_user, progress_override=35)
    assert result.progress == 35
    services.result_update(result=result, actor=staff_user, progress_override=None, status=statuses["in_progress"])
    assert result.progress == 50


def test_children_roll_up_weighted(make_result, statuses, staff_user):
    parent = make_result("プログラム", status="planning")
    a = make_result("A", status="done", parent=parent, weight=3)
    make_result("B", status="planning", parent=parent, weight=1)
    parent.refresh_from_db()
    assert parent.progress == 75  # (100*3 + 0*1) / 4
    services.result_post_update(result=a, actor=staff_user, progress=60, text="やり直し")
    parent.refresh_from_db()
    assert parent.progress == 45
    grand = make_result("A-1", status="done", parent=a)
    a.refresh_from_db()
    parent.refresh_from_db()
    assert a.progress == 100 and parent.progress == 75
    assert grand.progress == 100


def test_history_records_changes_with_department(make_result, statuses, staff_user):
    result = make_result(status="planning")
    services.result_update(result=result, actor=staff_user, status=statuses["budgeted"],
                           end_date="2027-03-31" and __import__("datetime").date(2027, 3, 31))
    event = result.events.order_by("-pk").first()
    assert event.changes["status"] == ["planning", "budgeted"]
    assert event.changes["progress"] == [0, 20]
    assert event.changes["end_date"] == [None, "2027-03-31"]
    assert event.department == "公園緑地課"
    assert result.events.count() == 2  # created + change
    # A save that changes nothing tracked adds no history.
    services.result_update(result=result, actor=staff_user, description="説明を追記")
    assert result.events.count() == 2


def test_parent_progress_change_is_history_too(make_result, staff_user):
    parent = make_result("親", status="planning")
    child = make_result("子", status="planning", parent=parent)
    services.result_post_update(result=child, actor=staff_user, progress=80)
    kinds = list(parent.events.order_by("pk").values_list("kind", "changes"))
    assert kinds[-1][1]["progress"] == [0, 80]


@pytest.mark.parametrize("fields,field", [
    ({"progress_override": 101}, "progress_override"),
    ({"progress_override": -1}, "progress_override"),
    ({"start_date": __import__("datetime").date(2027, 5, 1), "end_date": __import__("datetime").date(2027, 4, 1)},
     "end_date"),
    ({"title": "   "}, "title"),
])
def test_bad_fields_refused_nothing_stored(make_result, staff_user, fields, field):
    result = make_result()
    before = (Result.objects.count(), ResultEvent.objects.count())
    with pytest.raises(ValidationError) as exc:
        services.result_update(result=result, actor=staff_user, **fields)
    assert field in exc.value.message_dict
    result.refresh_from_db()
    assert result.progress_override is None and result.end_date is None
    assert (Result.objects.count(), ResultEvent.objects.count()) == before


def test_cycle_refused(make_result, staff_user):
    a = make_result("A")
    b = make_result("B", parent=a)
    c = make_result("C", parent=b)
    with pytest.raises(ValidationError) as exc:
        services.result_update(result=a, actor=staff_user, parent=c)
    assert "parent" in exc.value.message_dict
    a.refresh_from_db()
    assert a.parent_id is None
    with pytest.raises(ValidationError):
        services.result_update(result=a, actor=staff_user, parent=a)


def test_category_must_belong_to_consultation(make_result, staff_user, open_consultation, support_consultation):
    other = support_consultation.categories.first()
    with pytest.raises(ValidationError) as exc:
        make_result(category=other)
    assert "category" in exc.value.message_dict
    assert not Result.objects.exists()


def test_hidden_proposal_cannot_be_linked(make_result, staff_user, accepted_proposal):
    from proposals.models import Proposal

    Proposal.objects.filter(pk=accepted_proposal.pk).update(hidden_at=__import__("django.utils.timezone").utils.timezone.now())
    with pytest.raises(ValidationError):
        make_result(proposals=[accepted_proposal.pk])
    assert not Result.objects.exists()
    result = make_result()
    accepted_proposal.refresh_from_db()
    with pytest.raises(ValidationError):
        services.result_link_proposal(result=result, proposal=accepted_proposal, actor=staff_user)
    assert not ResultProposal.objects.exists()


def test_only_staff_write(make_result, resident, statuses):
    result = make_result()
    with pytest.raises(PermissionDenied):
        services.result_create(actor=resident, consultation=None, status=statuses["planning"], title="x")
    with pytest.raises(PermissionDenied):
        services.result_post_update(result=result, actor=resident, text="x")
    with pytest.raises(PermissionDenied):
        services.result_update(result=result, actor=resident, title="y")


def test_create_from_accepted_proposal_and_notify(accepted_proposal, staff_user, statuses, other_resident, resident,
                                                  django_capture_on_commit_callbacks, mailoutbox):
    from proposals.services import follow_add

    follow_add(proposal=accepted_proposal, user=other_resident)
    result = services.result_create_from_proposal(proposal=accepted_proposal, actor=staff_user)
    assert result.consultation_id == accepted_proposal.consultation_id
    assert list(result.proposal_links.values_list("proposal_id", flat=True)) == [accepted_proposal.pk]
    Notification.objects.all().delete()
    with django_capture_on_commit_callbacks(execute=True):
        services.result_post_update(result=result, actor=staff_user, status=statuses["in_progress"],
                                    text="工事を始めました。", photo=jpeg_upload())
    recipients = set(Notification.objects.filter(verb="accountability.result_updated")
                     .values_list("recipient__username", flat=True))
    assert recipients == {resident.username, other_resident.username}  # author and follower, not the staff member
    assert {m.to[0] for m in mailoutbox} >= {resident.email, other_resident.email}
    event = result.events.order_by("-pk").first()
    assert event.image and event.thumbnail and event.changes["status"] == ["planning", "in_progress"]
    from PIL import Image

    with event.image.open("rb") as fh:
        assert not Image.open(fh).getexif()  # re-encoded without metadata


def test_create_from_not_accepted_refused(open_consultation, resident, staff_user, statuses):
    from tests.proposals.factories import make_proposal

    proposal = make_proposal(open_consultation, resident)
    with pytest.raises(ValidationError):
        services.result_create_from_proposal(proposal=proposal, actor=staff_user)
    assert not Result.objects.exists()


def test_bad_photo_stores_nothing(make_result, staff_user):
    from django.core.files.uploadedfile import SimpleUploadedFile

    result = make_result()
    before = ResultEvent.objects.count()
    with pytest.raises(ValidationError):
        services.result_post_update(result=result, actor=staff_user, text="写真",
                                    photo=SimpleUploadedFile("x.jpg", b"not an image", content_type="image/jpeg"))
    assert ResultEvent.objects.count() == before


def test_progress_of_parent_not_set_directly(make_result, staff_user):
    parent = make_result("親")
    make_result("子", parent=parent)
    with pytest.raises(ValidationError):
        services.result_post_update(result=parent, actor=staff_user, progress=50)


def test_link_report_posts_public_update(make_result, staff_user, resident):
    from reports_map.models import Category
    from reports_map.services import report_create

    report = report_create(author=resident, category=Category.objects.get(service_code="road-pothole"),
                           latitude=35.6812, longitude=139.56, description="穴があります", photos=())
    result = make_result("市道舗装補修プログラム", consultation=None)
    services.result_link_report(result=result, report=report, actor=staff_user, note="補修します。")
    update = report.updates.order_by("-pk").first()
    assert "市道舗装補修プログラム" in update.text and result.get_absolute_url() in update.text
    services.result_link_report(result=result, report=report, actor=staff_user)  # twice: one link, one update
    assert report.updates.filter(text__contains="市道舗装補修プログラム").count() == 1


def test_deleting_child_updates_parent(make_result, staff_user):
    parent = make_result("親")
    done = make_result("完了", status="done", parent=parent)
    make_result("検討", parent=parent)
    parent.refresh_from_db()
    assert parent.progress == 50
    parent_id = done.parent_id
    done.delete()
    services.result_after_delete(parent_id=parent_id, actor=staff_user)
    parent.refresh_from_db()
    assert parent.progress == 0
