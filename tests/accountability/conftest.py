from __future__ import annotations

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from accountability import services
from accountability.defaults import ensure_defaults
from accountability.models import Department, ResultStatus


def jpeg_upload(name="photo.jpg") -> SimpleUploadedFile:
    buf = io.BytesIO()
    exif = Image.Exif()
    exif[0x8825] = {1: "N", 2: (35.0, 40.0, 52.0), 3: "E", 4: (139.0, 33.0, 36.0)}
    Image.new("RGB", (320, 240), (120, 140, 90)).save(buf, "JPEG", exif=exif.tobytes())
    return SimpleUploadedFile(name, buf.getvalue(), content_type="image/jpeg")


@pytest.fixture
def statuses(db):
    ensure_defaults(ResultStatus, Department)  # a transactional test's flush removes the migration's rows
    return {s.key: s for s in ResultStatus.objects.all()}


@pytest.fixture
def departments(statuses):
    return {d.slug: d for d in Department.objects.all()}


@pytest.fixture
def make_result(statuses, departments, staff_user, open_consultation):
    def make(title="公園の遊具更新", *, status="planning", consultation=open_consultation, **fields):
        fields.setdefault("department", departments["parks"])
        return services.result_create(actor=staff_user, consultation=consultation, status=statuses[status],
                                      title=title, **fields)

    return make


@pytest.fixture
def accepted_proposal(open_consultation, resident, staff_user):
    from proposals.services import proposal_answer
    from tests.proposals.factories import make_proposal

    proposal = make_proposal(open_consultation, resident, title="北町公園に日よけを", body="夏は暑くて遊べません。")
    return proposal_answer(proposal=proposal, user=staff_user, state="accepted", answer="実施に向けて検討します。")
