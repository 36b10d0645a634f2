"""LINE Messaging API: push a text message to a resident who linked LINE (LINE Login through allauth).

The LINE user id is the uid of the resident's allauth ``line`` social account. Each message carries an
``X-Line-Retry-Key`` derived from the delivery, so a retried request is not delivered twice by LINE.
Configure LINE_CHANNEL_ACCESS_TOKEN (Messaging API channel of the city's official account); the
LINE Login channel (LINE_CHANNEL_ID / LINE_CHANNEL_SECRET) must be linked to that official account.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import uuid

import requests

from outreach import conf

PUSH_PATH = "/v2/bot/message/push"
MAX_TEXT = 5000


class LineError(RuntimeError):
    pass


def line_configured() -> bool:
    return bool(conf.line_access_token())


def line_user_ids(user_ids) -> dict[int, str]:
    """{user id: LINE user id} of the given residents who linked LINE and have not blocked the account."""
    from allauth.socialaccount.models import SocialAccount

    from outreach.models import LineBlocked

    return dict(
        SocialAccount.objects.filter(provider="line", user_id__in=list(user_ids))
        .exclude(uid__in=LineBlocked.objects.values("line_user_id")).values_list("user_id", "uid")
    )


def signature_valid(body: bytes, signature: str) -> bool:
    """X-Line-Signature: base64 of HMAC-SHA256 of the raw body with the channel secret."""
    secret = conf.line_channel_secret()
    if not secret or not signature:
        return False
    expected = base64.b64encode(hmac.new(secret.encode(), body, hashlib.sha256).digest()).decode()
    return hmac.compare_digest(expected, signature)


def webhook_handle(events: list) -> dict:
    """Follow / unfollow events of the official account: who can be reached by LINE."""
    from outreach.models import LineBlocked

    counts = {"follow": 0, "unfollow": 0}
    for event in events if isinstance(events, list) else []:
        if not isinstance(event, dict):
            continue
        source = event.get("source") if isinstance(event.get("source"), dict) else {}
        uid = str(source.get("userId") or "")[:64]
        if not uid or source.get("type") != "user":
            continue
        if event.get("type") == "unfollow":
            LineBlocked.objects.get_or_create(line_user_id=uid)
            counts["unfollow"] += 1
        elif event.get("type") == "follow":
            LineBlocked.objects.filter(line_user_id=uid).delete()
            counts["follow"] += 1
    return counts


def retry_key(namespace: str) -> str:
    return str(uuid.uuid5(uuid.NAMESPACE_URL, f"outreach:{namespace}"))


def line_push(*, to: str, text: str, key: str, session: requests.Session | None = None) -> None:
    """Send one text message; raise LineError unless LINE accepted it (409 with our retry key = accepted before)."""
    response = (session or requests).post(
        conf.line_api_base() + PUSH_PATH,
        json={"to": to, "messages": [{"type": "text", "text": text[:MAX_TEXT]}]},
        headers={"Authorization": f"Bearer {conf.line_access_token()}", "X-Line-Retry-Key": retry_key(key)},
        timeout=10,
        allow_redirects=False,
    )
    if response.status_code == 200:
        return
    if response.status_code == 409 and response.headers.get("x-line-accepted-request-id"):
        return
    raise LineError(f"LINE answered {response.status_code}")
