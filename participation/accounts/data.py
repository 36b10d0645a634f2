"""Residents' control of their data: download everything as a ZIP, delete (anonymise) the account.

Each app contributes through ``registry.account_data`` (AccountDataSpec): ``export(user)`` returns
(dict, [(zip path, bytes)]) and ``anonymise(user)`` detaches the user from their content while
keeping counts consistent. The kernel adds the account itself, notifications and flags.
"""

from __future__ import annotations

import io
import json
import posixpath
import zipfile
from typing import Any

from allauth.account.models import EmailAddress
from allauth.socialaccount.models import SocialAccount
from django.core.exceptions import PermissionDenied
from django.core.serializers.json import DjangoJSONEncoder
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext

from participation.core.events import publish
from participation.core.registry import registry
from participation.models import Flag, ModerationAction, ModerationActionKind, Notification, User

DELETED_DISPLAY_NAME = "deleted user"


def account_export_data(*, user: User) -> dict[str, Any]:
    """The kernel's own part of the download."""
    return {
        "account": {
            "id": user.pk, "username": user.username, "email": user.email, "display_name": user.display_name,
            "preferred_language": user.preferred_language, "district": user.district,
            "email_notifications": user.email_notifications, "date_joined": user.date_joined,
            "last_login": user.last_login,
        },
        "email_addresses": list(EmailAddress.objects.filter(user=user).values("email", "verified", "primary")),
        "notifications": list(
            Notification.objects.filter(recipient=user).values("verb", "message", "url", "created_at", "read_at")
        ),
        "flags": list(
            Flag.objects.filter(user=user).values("kind", "object_id", "reason", "details", "status", "created_at")
        ),
    }


def _safe_zip_path(prefix: str, path: str) -> str | None:
    cleaned = posixpath.normpath("/" + str(path).replace("\\", "/")).lstrip("/")
    if not cleaned or cleaned.startswith("..") or cleaned in {"account.json", "README.txt"}:
        return None
    return cleaned if cleaned.startswith(f"{prefix}/") else f"{prefix}/{cleaned}"


def _dumps(data: Any) -> bytes:
    return json.dumps(data, cls=DjangoJSONEncoder, ensure_ascii=False, indent=2).encode()


def account_export_zip(*, user: User) -> bytes:
    """A ZIP of JSON files (one per app) and the user's own files (photos)."""
    if not user.is_authenticated or not user.is_active:
        raise PermissionDenied
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("account.json", _dumps(account_export_data(user=user)))
        contents = ["account.json"]
        for key, spec in registry.account_data.items():
            data, files = spec.export(user)
            archive.writestr(f"{key}.json", _dumps(data))
            contents.append(f"{key}.json")
            for path, content in files or []:
                zip_path = _safe_zip_path(key, path)
                if zip_path is not None:
                    archive.writestr(zip_path, content)
                    contents.append(zip_path)
        archive.writestr("README.txt", gettext(
            "Your data from the participation platform, exported on %(date)s.\n"
            "account.json holds your account; each other JSON file holds what you wrote in one part of the site; "
            "folders hold your photos.\n"
        ) % {"date": timezone.now().isoformat(timespec="seconds")})
    return buffer.getvalue()


def account_delete(*, user: User) -> None:
    """Delete an account: every app anonymises the user's content ("deleted user", counts kept),
    then the account is scrubbed and deactivated, all in one transaction."""
    if not user.is_authenticated or not user.is_active:
        raise PermissionDenied
    with transaction.atomic():
        user = User.objects.select_for_update().get(pk=user.pk)
        for spec in registry.account_data.values():
            spec.anonymise(user)
        Flag.objects.filter(user=user).update(details="")
        Notification.objects.filter(recipient=user).delete()
        EmailAddress.objects.filter(user=user).delete()
        SocialAccount.objects.filter(user=user).delete()
        user.username = f"deleted-{user.pk}"
        user.email = ""
        user.first_name = user.last_name = ""
        user.display_name = DELETED_DISPLAY_NAME
        user.district = ""
        user.email_notifications = False
        user.is_active = False
        user.is_staff = user.is_superuser = False
        user.set_unusable_password()
        user.save()
        user.groups.clear()
        user.user_permissions.clear()
        ModerationAction.objects.create(
            actor=None, action=ModerationActionKind.ACCOUNT_DELETE, target_kind="user", target_id=user.pk,
            target_text=user.username,
        )
        publish("participation.account_deleted", user_id=user.pk)
