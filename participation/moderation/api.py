"""API: POST /api/v1/flags — flag a proposal, comment, report, report photo or user."""

from __future__ import annotations

from datetime import datetime

from django.http import HttpRequest
from ninja import Router, Schema, Status
from ninja.security import django_auth
from pydantic import Field

from participation.core.ratelimit import rate_limit_hit
from participation.moderation.services import flag_create

router = Router(tags=["moderation"])


class FlagIn(Schema):
    kind: str = Field(max_length=32)
    id: int
    reason: str = Field(max_length=20)
    details: str = Field(default="", max_length=5000)


class FlagOut(Schema):
    id: int
    kind: str
    object_id: int
    reason: str
    status: str
    created_at: datetime
    created: bool


@router.post("/flags", auth=django_auth, response={200: FlagOut, 201: FlagOut})
def flag_post(request: HttpRequest, payload: FlagIn):
    """Flag an item; 201 for a new flag, 200 with the existing one on a repeat (never a second flag)."""
    rate_limit_hit("flag", request=request, user=request.auth)
    flag, created = flag_create(
        user=request.auth, kind=payload.kind, object_id=payload.id, reason=payload.reason, details=payload.details
    )
    body = {"id": flag.pk, "kind": flag.kind, "object_id": flag.object_id, "reason": flag.reason,
            "status": flag.status, "created_at": flag.created_at, "created": created}
    return Status(201 if created else 200, body)
