"""In Chromium: a resident turns on push from the settings page (the real page script and service worker;
only the browser's push service, which lives outside this machine, is replaced by a local fake), follows a
report, and receives the push, encrypted for their browser, when staff change its status in the site."""

from __future__ import annotations

import json
import time

import pytest

from tests.conftest import make_user, start_asgi_server
from tests.outreach.fakes import Browser, FakePushService

pytestmark = pytest.mark.browser

# Chromium's PushManager talks to Google's push service, which is not reachable here: the page gets a
# subscription for the local fake push service instead, with keys the test holds (as a browser would).
FAKE_PUSH_MANAGER = """
(() => {
  const sub = %s;
  let active = null;
  const make = () => ({ endpoint: sub.endpoint, toJSON: () => sub, unsubscribe: () => { active = null; return Promise.resolve(true); } });
  PushManager.prototype.subscribe = function (options) {
    window.__pushOptions = { userVisibleOnly: options.userVisibleOnly, keyLength: options.applicationServerKey.length };
    active = make();
    return Promise.resolve(active);
  };
  PushManager.prototype.getSubscription = function () { return Promise.resolve(active); };
})();
"""


@pytest.fixture
def push_site(transactional_db, tmp_path):
    from outreach.push import vapid_generate

    service = FakePushService()
    private, public = vapid_generate()
    server = start_asgi_server(tmp_path, VAPID_PRIVATE_KEY=private, VAPID_PUBLIC_KEY=public,
                               OUTREACH_PUSH_TEST_HOSTS=service.host)
    yield server, service
    server.process.terminate()
    server.process.wait(timeout=20)
    service.close()


def log_in(page, base, username):
    page.goto(base + "/accounts/login/")
    page.fill("#id_login", f"{username}@example.jp")
    page.fill("#id_password", "correct-horse-battery")
    page.locator("main form button[type=submit]").last.click()
    page.wait_for_load_state()


def test_resident_opts_in_follows_a_report_and_gets_the_status_push(browser, push_site):
    from outreach.models import PushSubscription
    from participation.core.predicates import RESIDENT, STAFF
    from reports_map.demo import seed_categories
    from reports_map.models import Category
    from reports_map.services import report_create

    server, push_service = push_site
    base = server.url
    seed_categories()
    make_user("alice", RESIDENT)
    make_user("clerk", RESIDENT, STAFF, is_staff=True)
    report = report_create(author=make_user("bob", RESIDENT), category=Category.objects.get(service_code="streetlight"),
                           latitude=35.6812, longitude=139.56, description="街灯が点きません")
    keys = Browser()
    subscription = {"endpoint": push_service.endpoint("alice-phone"), "expirationTime": None,
                    "keys": {"p256dh": keys.p256dh, "auth": keys.auth_b64}}

    context = browser.new_context(viewport={"width": 360, "height": 780}, locale="ja-JP")
    context.grant_permissions(["notifications"], origin=base)
    context.add_init_script(FAKE_PUSH_MANAGER % json.dumps(subscription))
    page = context.new_page()
    log_in(page, base, "alice")
    page.goto(base + "/outreach/settings/")
    assert PushSubscription.objects.count() == 0  # nothing on a visit: only the button subscribes
    page.locator("[data-push-on]").click()
    page.locator("[data-push-status]").filter(has_text="プッシュ通知を受け取ります").wait_for(timeout=15000)
    assert page.evaluate("window.__pushOptions") == {"userVisibleOnly": True, "keyLength": 65}
    assert page.evaluate("navigator.serviceWorker.getRegistration('/').then(r => !!r && r.scope)") == base + "/"
    assert list(PushSubscription.objects.values_list("user__username", "endpoint")) == [
        ("alice", subscription["endpoint"])]
    page.goto(f"{base}/reports/{report.pk}/")
    page.locator("form[action$='/follow/'] button[type=submit]").first.click()
    page.wait_for_load_state()

    staff_context = browser.new_context(locale="ja-JP")
    staff = staff_context.new_page()
    log_in(staff, base, "clerk")
    staff.goto(f"{base}/reports/{report.pk}/")
    staff.select_option("#id_status", "in_progress")
    staff.locator("form[action$='/update/'] button[type=submit]").click()
    staff.wait_for_load_state()

    deadline = time.time() + 20
    while not push_service.received("alice-phone") and time.time() < deadline:
        time.sleep(0.2)
    (request,) = push_service.received("alice-phone")
    payload = keys.decrypt(request["body"])
    assert payload["url"] == f"/reports/{report.pk}/" and f"#{report.pk}" in payload["body"]
    assert push_service.received("bob") == []
    staff_context.close()
    context.close()
