"""Benchmark of announcement delivery: prints recipients per second, never asserts.

    python bench/notify.py                      # 2,000 residents, push + in-site, batches of 500
    python bench/notify.py --recipients 50000   # the issue's size (minutes on 2 shared cores)

A throwaway SQLite database (or DATABASE_URL's server with a throwaway database name) is migrated; N
residents each get one push subscription pointing at a local fake push service (an HTTP server in this
process that accepts every message, like a push service answering 201). The announcement is then
dispatched and its batches delivered by the real services (encryption per message, VAPID signing, the
delivery rows), one batch after the other as one worker would. Reported: wall and CPU seconds of the
dispatch and of the delivery, recipients per second per channel, and what a rerun of every batch (a
restarted worker) sends (it must be 0).
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


class _Accept(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"  # keep-alive, as real push services do
    received = 0
    lock = threading.Lock()

    def do_POST(self):
        self.rfile.read(int(self.headers.get("Content-Length") or 0))
        with _Accept.lock:
            _Accept.received += 1
        self.send_response(201)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def log_message(self, *args):
        pass


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--recipients", type=int, default=2000)
    parser.add_argument("--batch", type=int, default=500)
    args = parser.parse_args()

    server = ThreadingHTTPServer(("127.0.0.1", 0), _Accept)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    host = f"127.0.0.1:{server.server_address[1]}"

    tmp = tempfile.mkdtemp(prefix="bench-notify-")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "participation.config.settings")
    os.environ["SQLITE_PATH"] = str(Path(tmp) / "bench.sqlite3")
    os.environ["TASKS_IMMEDIATE"] = "0"
    os.environ["OUTREACH_PUSH_TEST_HOSTS"] = host
    os.environ["OUTREACH_BATCH_SIZE"] = str(args.batch)
    os.environ["LOG_LEVEL"] = "ERROR"
    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command
    from django.db import connection

    if connection.vendor == "postgresql":
        name = connection.settings_dict["NAME"] + "_bench_notify"
        with connection._nodb_cursor() as cursor:
            cursor.execute(f'DROP DATABASE IF EXISTS "{name}"')
            cursor.execute(f'CREATE DATABASE "{name}"')
        connection.close()
        connection.settings_dict["NAME"] = name
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    t0 = time.perf_counter()
    call_command("migrate", verbosity=0)
    print(f"migrated a throwaway database in {time.perf_counter() - t0:.1f} s ({connection.vendor})")

    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from django.contrib.auth import get_user_model
    from django.contrib.auth.hashers import make_password

    from outreach import push, services
    from outreach.models import Announcement, AnnouncementDelivery, PushSubscription

    private, public = push.vapid_generate()
    settings.OUTREACH_VAPID_PRIVATE_KEY, settings.OUTREACH_VAPID_PUBLIC_KEY = private, public

    key = ec.generate_private_key(ec.SECP256R1()).public_key().public_bytes(
        serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint)
    import base64

    p256dh = base64.urlsafe_b64encode(key).rstrip(b"=").decode()
    auth = base64.urlsafe_b64encode(os.urandom(16)).rstrip(b"=").decode()
    user_model = get_user_model()
    t0 = time.perf_counter()
    password = make_password(None)
    users = [user_model(username=f"bench{i}", email=f"bench{i}@example.jp", display_name=f"b{i}", password=password,
                        district="北町") for i in range(args.recipients)]
    user_model.objects.bulk_create(users, batch_size=2000)
    ids = list(user_model.objects.filter(username__startswith="bench").values_list("pk", flat=True))
    PushSubscription.objects.bulk_create(
        [PushSubscription(user_id=uid, endpoint=f"http://{host}/push/{uid}", p256dh=p256dh, auth=auth) for uid in ids],
        batch_size=2000)
    print(f"created {len(ids)} residents with a push subscription in {time.perf_counter() - t0:.1f} s")

    ann = Announcement.objects.create(title_ja="ベンチマーク", body_ja="一斉送信の測定です。", channels=["push", "site"],
                                      status=Announcement.Status.SCHEDULED)
    from django_tasks_db.models import DBTaskResult

    from outreach import tasks

    wall0, cpu0 = time.perf_counter(), time.process_time()
    services.announcement_dispatch(announcement_id=ann.pk)
    queued = list(DBTaskResult.objects.filter(task_path=tasks.deliver_announcement_batch.module_path))
    wall_dispatch, cpu_dispatch = time.perf_counter() - wall0, time.process_time() - cpu0
    print(f"dispatch: {len(queued)} batch tasks queued in {wall_dispatch:.2f} s wall, {cpu_dispatch:.2f} s CPU")

    wall0, cpu0 = time.perf_counter(), time.process_time()
    for result in queued:
        announcement_id, user_ids = result.args_kwargs["args"]
        services.announcement_deliver_batch(announcement_id=announcement_id, user_ids=user_ids)
    wall, cpu = time.perf_counter() - wall0, time.process_time() - cpu0
    ann.refresh_from_db()
    sent = {row["channel"]: row["sent"] for row in __import__("outreach.selectors", fromlist=["x"]).announcement_counts(ann)}
    print(f"delivery: {sent} in {wall:.1f} s wall, {cpu:.1f} s CPU; push service received {_Accept.received}")
    print(f"  recipients per second (push + in-site, one worker): {len(ids) / wall:.0f}")
    print(f"  push messages per CPU second: {sent.get('push', 0) / cpu:.0f}")
    before = _Accept.received
    wall0 = time.perf_counter()
    for result in queued:
        announcement_id, user_ids = result.args_kwargs["args"]
        services.announcement_deliver_batch(announcement_id=announcement_id, user_ids=user_ids)
    print(f"rerun of every batch (restarted worker): {_Accept.received - before} pushes sent again, "
          f"{AnnouncementDelivery.objects.filter(announcement=ann).count()} delivery rows, "
          f"{time.perf_counter() - wall0:.1f} s; status {ann.status}")
    server.shutdown()


if __name__ == "__main__":
    main()
