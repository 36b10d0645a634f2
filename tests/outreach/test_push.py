"""Web push: hostile endpoints are refused, payloads reach a (local) push service encrypted, expired
subscriptions are removed, redirects are not followed, and a DNS answer that changes is caught."""

from __future__ import annotations

import socket

import pytest
from django.core.exceptions import ValidationError

from outreach import push, services
from outreach.models import PushSubscription
from tests.outreach.conftest import subscribe_browser


def _public_dns(monkeypatch, address="93.184.216.34"):
    def fake(host, port, *args, **kwargs):
        return [(socket.AF_INET, socket.SOCK_STREAM, 6, "", (address, port))]

    monkeypatch.setattr(push.socket, "getaddrinfo", fake)


@pytest.mark.parametrize("url", [
    "http://fcm.googleapis.com/fcm/send/abc",            # not https
    "ftp://push.example.com/x",
    "https://127.0.0.1/push",                            # loopback
    "https://[::1]/push",
    "https://10.0.0.5/push",                             # private
    "https://192.168.1.1/push",
    "https://172.16.3.4/push",
    "https://169.254.169.254/latest/meta-data/",          # link-local / cloud metadata
    "https://[fe80::1]/push",
    "https://[fd00::1]/push",                            # unique local
    "https://[::ffff:127.0.0.1]/push",                    # IPv4-mapped loopback
    "https://100.64.0.1/push",                           # carrier-grade NAT
    "https://0.0.0.0/push",
    "https://localhost/push",
    "https://metadata.google.internal/computeMetadata/v1/",
    "https://printer.local/push",
    "https://intranet/push",                             # single-label name
    "https://user:pw@push.example.com/x",                # credentials in the URL
    "https://push.example.com/a b",
    "",
    "https://" + "a" * 1000 + ".com/",
])
def test_hostile_endpoints_are_refused(url, monkeypatch):
    _public_dns(monkeypatch)
    with pytest.raises(ValidationError):
        push.validate_endpoint(url)


def test_host_names_that_resolve_inside_are_refused(monkeypatch):
    _public_dns(monkeypatch, "10.1.2.3")
    with pytest.raises(ValidationError) as error:
        push.validate_endpoint("https://push.attacker.example/x")
    assert error.value.code == "endpoint_host"


def test_public_https_endpoint_is_accepted(monkeypatch):
    _public_dns(monkeypatch)
    url = "https://fcm.googleapis.com/fcm/send/abc:def"
    assert push.validate_endpoint(url) == url


def test_subscribe_refuses_hostile_input_and_stores_nothing(resident, monkeypatch, browser_keys):
    _public_dns(monkeypatch)
    good = {"endpoint": "https://updates.push.services.mozilla.com/wpush/v2/abc", "p256dh": browser_keys.p256dh,
            "auth": browser_keys.auth_b64}
    for bad in ({"endpoint": "https://169.254.169.254/"}, {"endpoint": "http://updates.push.services.mozilla.com/x"},
                {"p256dh": "not-a-key"}, {"p256dh": browser_keys.auth_b64}, {"auth": "short"}):
        with pytest.raises(ValidationError):
            services.push_subscribe(user=resident, user_agent="t", **{**good, **bad})
    assert not PushSubscription.objects.exists()
    services.push_subscribe(user=resident, user_agent="Firefox", **good)
    assert PushSubscription.objects.filter(user=resident).count() == 1


def test_push_is_encrypted_end_to_end_and_signed(resident, push_service, browser_keys):
    sub = subscribe_browser(resident, push_service, browser_keys)
    assert services.push_to_user(user_id=resident.pk, title="件名", body="本文 <b>", url="/reports/1/") == 1
    (request,) = push_service.received(resident.username)
    assert request["headers"]["content-encoding"] == "aes128gcm"
    assert request["headers"]["authorization"].startswith("vapid t=")
    assert browser_keys.decrypt(request["body"]) == {"title": "件名", "body": "本文 <b>", "url": "/reports/1/", "tag": ""}
    sub.refresh_from_db()
    assert sub.last_success_at is not None


@pytest.mark.parametrize("status", [404, 410])
def test_expired_subscriptions_are_removed(resident, push_service, browser_keys, status):
    sub = subscribe_browser(resident, push_service, browser_keys)
    push_service.responses[f"/push/{resident.username}"] = (status, {})
    assert services.push_to_user(user_id=resident.pk, title="t", body="b") == 0
    assert not PushSubscription.objects.filter(pk=sub.pk).exists()


def test_other_failures_count_up_then_remove(resident, push_service, browser_keys):
    sub = subscribe_browser(resident, push_service, browser_keys)
    push_service.responses[f"/push/{resident.username}"] = (500, {})
    for _ in range(services.PUSH_FAILURES_BEFORE_REMOVAL - 1):
        services.push_to_user(user_id=resident.pk, title="t", body="b")
    assert PushSubscription.objects.get(pk=sub.pk).failures == services.PUSH_FAILURES_BEFORE_REMOVAL - 1
    services.push_to_user(user_id=resident.pk, title="t", body="b")
    assert not PushSubscription.objects.filter(pk=sub.pk).exists()


def test_redirects_are_not_followed(resident, push_service, browser_keys):
    subscribe_browser(resident, push_service, browser_keys)
    target = push_service.endpoint("inside")
    push_service.responses[f"/push/{resident.username}"] = (307, {"Location": target})
    assert services.push_to_user(user_id=resident.pk, title="t", body="b") == 0
    assert push_service.received("inside") == []


def test_connection_to_an_inside_address_is_refused_at_send_time(resident, push_service, browser_keys, monkeypatch,
                                                                 settings):
    """The name resolved to a public address when the browser subscribed, then to 127.0.0.1 (rebinding):
    the socket's peer is checked, nothing is sent."""
    settings.OUTREACH_PUSH_TEST_HOSTS = []
    real_getaddrinfo = socket.getaddrinfo
    monkeypatch.setattr(push.socket, "getaddrinfo", lambda *a, **k: [
        (socket.AF_INET, socket.SOCK_STREAM, 6, "", ("93.184.216.34", 443))])
    endpoint = "https://push.rebind.example/push/x"
    push.validate_endpoint(endpoint)
    monkeypatch.setattr(push.socket, "getaddrinfo", real_getaddrinfo)
    session = push.PushSession()
    import urllib3.util.connection as connection

    monkeypatch.setattr(connection, "create_connection",
                        lambda address, *a, **k: socket.create_connection(("127.0.0.1", push_service.port)))
    with pytest.raises(Exception) as error:
        session.post(endpoint, data=b"x")
    assert "non-public" in repr(error.value)
    assert push_service.requests == []


def test_vapid_keys_command_prints_a_usable_pair(capsys):
    from django.core.management import call_command
    from py_vapid import Vapid

    call_command("outreach_vapid_keys")
    lines = dict(line.split("=", 1) for line in capsys.readouterr().out.splitlines() if "=" in line and not line.startswith("#"))
    vapid = Vapid.from_string(lines["VAPID_PRIVATE_KEY"])
    assert vapid.public_key is not None and len(lines["VAPID_PUBLIC_KEY"]) == 87
