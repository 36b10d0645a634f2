"""Demo reports for ``seed_demo``: about 120 reports inside the demo boundary, photos drawn with Pillow."""

from __future__ import annotations

import io
from datetime import timedelta
from importlib import import_module

from django.contrib.auth import get_user_model
from django.utils import timezone
from PIL import Image, ImageDraw

from participation.core.photo_files import photo_files_write
from participation.core.photos import ProcessedPhoto
from reports_map.geo import boundary, inside_city
from reports_map.models import Category, Report, ReportFollower, ReportPhoto, ReportUpdate, Status
from reports_map.services import PHOTO_APP

DEMO_COUNT = 120
DESCRIPTIONS = {
    "road-pothole": ["歩道に大きな穴があり、自転車が危ないです。", "交差点付近の舗装にひび割れが広がっています。",
                     "雨のあと水たまりができる穴があります。"],
    "streetlight": ["夜になっても街灯が点きません。", "街灯が点滅していて暗いです。", "公園入口の街灯が消えています。"],
    "park-equipment": ["ブランコの鎖がさびて切れそうです。", "すべり台の手すりがぐらついています。",
                       "ベンチの板が割れています。"],
    "illegal-dumping": ["空き地に家電が捨てられています。", "ごみ袋が何日も放置されています。", "タイヤが捨てられています。"],
    "graffiti": ["トンネルの壁に落書きがあります。", "バス停の標識に落書きされています。", "公衆トイレの壁に落書きがあります。"],
    "mirror-sign": ["カーブミラーの向きがずれています。", "止まれの標識が木の枝で見えません。", "標識が傾いています。"],
    "other": ["側溝のふたが外れています。", "歩道の植え込みが伸びて通りにくいです。", "案内板の文字が消えかけています。"],
}
STATUS_WEIGHTS = [(Status.OPEN, 40), (Status.ACKNOWLEDGED, 15), (Status.IN_PROGRESS, 20), (Status.FIXED, 30),
                  (Status.CLOSED_NOT_RESPONSIBLE, 5), (Status.CLOSED_NO_ACTION, 5)]
UPDATE_TEXT = {
    Status.ACKNOWLEDGED: "ご報告ありがとうございます。担当課で確認しました。",
    Status.IN_PROGRESS: "現地を確認し、補修の手配をしました。",
    Status.FIXED: "補修が完了しました。ご協力ありがとうございました。",
    Status.CLOSED_NOT_RESPONSIBLE: "この場所は県の管理のため、県に連絡しました。",
    Status.CLOSED_NO_ACTION: "現地を確認しましたが、対応は不要と判断しました。",
}


def seed_categories() -> int:
    """The default categories (and their questions) of the data migration, which is their one source.

    A flushed test database or a city that deleted them gets them back; returns how many were created."""
    from django.apps import apps

    before = Category.objects.count()
    import_module("reports_map.migrations.0002_seed_categories").seed(apps, None)
    return Category.objects.count() - before


def _draw_photo(rng, colour_seed: int) -> tuple[bytes, bytes]:
    width, height = 640, 480
    image = Image.new("RGB", (width, height), (90 + colour_seed % 60, 110, 90))
    draw = ImageDraw.Draw(image)
    draw.rectangle([0, height * 0.55, width, height], fill=(105, 105, 110))  # road
    for _ in range(6):
        x, y = rng.randint(0, width), rng.randint(int(height * 0.55), height)
        r = rng.randint(10, 60)
        draw.ellipse([x - r, y - r // 2, x + r, y + r // 2], fill=(40, 38, 36))
    draw.rectangle([rng.randint(20, 500), 60, rng.randint(520, 620), 200], outline=(230, 230, 230), width=4)
    big, small = io.BytesIO(), io.BytesIO()
    image.save(big, "JPEG", quality=80)
    image.thumbnail((400, 400))
    image.save(small, "JPEG", quality=80)
    return big.getvalue(), small.getvalue()


def _random_point(rng) -> tuple[float, float]:
    _polygons, (min_lon, min_lat, max_lon, max_lat) = boundary()
    while True:
        lat, lon = rng.uniform(min_lat, max_lat), rng.uniform(min_lon, max_lon)
        if inside_city(lat, lon):
            return round(lat, 6), round(lon, 6)


def seed_reports(*, stdout, rng, **_) -> None:
    new_categories = seed_categories()
    if Report.objects.filter(contact__demo=True).exists():
        stdout.write(f"reports: already there ({Report.objects.count()} reports, {new_categories} new categories)")
        return
    User = get_user_model()
    residents = list(User.objects.filter(username__startswith="resident").order_by("pk"))
    staff = User.objects.filter(username="staff").first()
    categories = list(Category.objects.filter(active=True))
    statuses = [s for s, weight in STATUS_WEIGHTS for _ in range(weight)]
    now = timezone.now()
    photos = 0
    for i in range(DEMO_COUNT):
        category = categories[i % len(categories)]
        author = residents[i % len(residents)] if residents else None
        lat, lon = _random_point(rng)
        created = now - timedelta(days=rng.uniform(0.1, 80), minutes=rng.randint(0, 600))
        status = rng.choice(statuses)
        report = Report.objects.create(
            category=category, author=author, description=rng.choice(DESCRIPTIONS.get(category.service_code,
                                                                                      DESCRIPTIONS["other"])),
            address="", latitude=lat, longitude=lon, status=status, show_name=rng.random() < 0.3,
            contact={"demo": True}, created_at=created, updated_at=created,
            assigned_to=staff if status != Status.OPEN and staff else None,
        )
        ReportUpdate.objects.create(report=report, author=author, status_to=Status.OPEN, created_at=created)
        if author:
            ReportFollower.objects.create(report=report, user=author, created_at=created)
        if i % 2 == 0:
            image, thumbnail = _draw_photo(rng, i)
            image_path, thumb_path = photo_files_write(ProcessedPhoto(image, thumbnail, "jpg", 640, 480, None),
                                                       app=PHOTO_APP, public=True)
            ReportPhoto.objects.create(report=report, uploaded_by=author, image=image_path, thumbnail=thumb_path,
                                       width=640, height=480, created_at=created)
            photos += 1
        when = created
        path = {Status.ACKNOWLEDGED: [Status.ACKNOWLEDGED], Status.IN_PROGRESS: [Status.ACKNOWLEDGED, Status.IN_PROGRESS],
                Status.FIXED: [Status.ACKNOWLEDGED, Status.IN_PROGRESS, Status.FIXED]}.get(status, [status])
        previous = Status.OPEN
        for step in path:
            if step == Status.OPEN:
                continue
            when = min(now, when + timedelta(days=rng.uniform(0.2, 6)))
            ReportUpdate.objects.create(report=report, author=staff, text=UPDATE_TEXT.get(step, ""),
                                        status_from=previous, status_to=step, created_at=when)
            previous = step
        Report.objects.filter(pk=report.pk).update(
            updated_at=when, fixed_at=when if status == Status.FIXED else None
        )
    stdout.write(f"reports: {DEMO_COUNT} reports with {photos} photos, {new_categories} new categories")
