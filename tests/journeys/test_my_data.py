"""Issue 12 (smaller edges) on "my data": the download holds everything the resident entered (a proposal's
location, category and photo, a reply's parent, the consultations they follow); the delete-account warning
says exactly what is removed and what stays, and deleting does what it says."""

from __future__ import annotations

import io
import json
import zipfile

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from django.utils import translation
from PIL import Image

pytestmark = pytest.mark.django_db



def client_for(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def png_upload() -> SimpleUploadedFile:
    buffer = io.BytesIO()
    Image.new("RGB", (64, 48), (10, 120, 30)).save(buffer, "PNG")
    return SimpleUploadedFile("park.png", buffer.getvalue(), content_type="image/png")


def test_download_holds_a_proposals_location_category_and_photo(open_consultation, resident, other_resident):
    from outreach.models import ConsultationFollow
    from proposals.services import comment_create, proposal_create

    category = open_consultation.categories.first()
    proposal = proposal_create(
        author=resident, consultation=open_consultation, title="公園の砂場に屋根を", body="夏は砂が熱くなります。",
        category=category.slug, latitude=35.6581, longitude=139.7017, photo=png_upload(),
    )
    first = comment_create(proposal=proposal, author=other_resident, body="賛成です。", stance="for")
    reply = comment_create(proposal=proposal, author=resident, body="ありがとうございます。", parent=first)
    ConsultationFollow.objects.create(user=resident, consultation_id=open_consultation.pk)

    response = client_for(resident).get(reverse("mydata:download"))
    archive = zipfile.ZipFile(io.BytesIO(b"".join(response.streaming_content) if response.streaming else response.content))
    data = json.loads(archive.read("proposals.json"))
    [mine] = data["proposals"]
    assert (mine["latitude"], mine["longitude"]) == (35.6581, 139.7017)
    assert mine["category"] == category.slug and mine["category_name"] == category.name
    assert mine["photo"] in archive.namelist() and archive.read(mine["photo"])[:8] == b"\x89PNG\r\n\x1a\n"
    [my_reply] = data["comments"]
    assert my_reply["id"] == reply.pk and my_reply["parent_id"] == first.pk
    outreach = json.loads(archive.read("outreach.json"))
    assert [f["consultation_id"] for f in outreach["consultation_follows"]] == [open_consultation.pk]


def test_delete_warning_says_what_is_removed_and_what_stays_and_deleting_does_it(
        open_consultation, resident, other_resident, moderator):
    from outreach.models import ConsultationFollow
    from participation.accounts.notifications import notification_send
    from participation.models import Flag, Notification
    from participation.moderation import services as moderation
    from proposals.models import Comment, CommentVote, Follow, Proposal, Support
    from proposals.services import comment_create, comment_vote, proposal_create, support_add
    from proposals.tally import counts_reconcile

    client = client_for(resident)
    html = client.get(reverse("mydata:overview")).content.decode()
    removed = html.split('class="delete-removed"')[1].split("</ul>")[0]
    kept = html.split('class="delete-kept"')[1].split("</ul>")[0]
    for words in ("賛同", "賛同数が減ります", "コメントへの評価", "フォロー", "お知らせ", "メールアドレス", "表示名"):
        assert words in removed, words
    for words in ("提案とコメント", "退会したユーザー", "報告とその写真", "アンケートの回答"):
        assert words in kept, words
    with translation.override("en"):
        english = client.get(reverse("mydata:overview")).content.decode()
    assert "Your supports of proposals: they are withdrawn" in english and "What stays" in english

    theirs = proposal_create(author=other_resident, consultation=open_consultation, title="歩道の段差をなくして",
                             body="車いすで通れません。")
    mine = proposal_create(author=resident, consultation=open_consultation, title="図書館を夜も", body="平日の夜に。")
    support_add(proposal=theirs, user=resident)
    their_comment = comment_create(proposal=theirs, author=other_resident, body="ぜひ。")
    my_comment = comment_create(proposal=theirs, author=resident, body="私もそう思います。")
    comment_vote(comment=their_comment, user=resident, value=1)
    ConsultationFollow.objects.create(user=resident, consultation_id=open_consultation.pk)
    notification_send(recipients=[resident], verb="test", message_factory=lambda: "お知らせ")
    moderation.flag_create(user=resident, kind="comment", object_id=their_comment.pk, reason="spam", details="宣伝です")
    theirs.refresh_from_db()
    assert theirs.support_count == 1

    response = client.post(reverse("mydata:delete"), {"password": "correct-horse-battery", "confirm": "on"})
    assert response.status_code == 302

    resident.refresh_from_db()
    theirs.refresh_from_db()
    their_comment.refresh_from_db()
    assert not resident.is_active and resident.email == "" and resident.district == ""
    assert not resident.has_usable_password() and not resident.groups.exists()
    assert not Support.objects.filter(user=resident).exists() and theirs.support_count == 0
    assert not CommentVote.objects.filter(user=resident).exists() and their_comment.upvotes == 0
    assert not Follow.objects.filter(user=resident).exists()
    assert not ConsultationFollow.objects.filter(user=resident).exists()
    assert not Notification.objects.filter(recipient=resident).exists()
    assert Flag.objects.get(user=resident).details == ""
    # what stays
    assert Proposal.objects.filter(pk=mine.pk).exists() and Comment.objects.filter(pk=my_comment.pk).exists()
    with translation.override("ja"):
        assert Proposal.objects.get(pk=mine.pk).author.public_name == "退会したユーザー"
        page = Client().get(mine.get_absolute_url()).content.decode()
    assert "退会したユーザー" in page
    assert counts_reconcile(fix=False) == []  # every stored counter still equals COUNT(*)
