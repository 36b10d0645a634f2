"""Demo results for ``seed_demo``: accepted proposals turned into results at different stages, a park
programme with weighted children, a timeline with photos, an overdue bus-stop result and a city-wide
road-repair programme that a pothole report points to. Idempotent (keyed by external ids)."""

from __future__ import annotations

import io
from datetime import date, timedelta

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from PIL import Image, ImageDraw

from accountability import defaults, services
from accountability.models import Department, Result, ResultEvent, ResultStatus


def _photo(rng, name: str, colour: tuple[int, int, int]) -> SimpleUploadedFile:
    image = Image.new("RGB", (640, 420), colour)
    draw = ImageDraw.Draw(image)
    draw.rectangle([0, 300, 640, 420], fill=(120, 110, 95))
    for _ in range(5):
        x = rng.randint(40, 600)
        draw.rectangle([x - 20, 180, x + 20, 300], fill=(70, 90, 60))
        draw.ellipse([x - 60, 110, x + 60, 210], fill=(60, 130, 70))
    data = io.BytesIO()
    image.save(data, "JPEG", quality=80)
    return SimpleUploadedFile(name, data.getvalue(), content_type="image/jpeg")


def _backdate(result: Result, days_ago: list[int]) -> None:
    """Spread the timeline entries (oldest first) over the given days ago, so the history reads like one."""
    now = timezone.now()
    events = list(result.events.order_by("created_at", "pk"))
    for event, days in zip(events, days_ago, strict=False):
        ResultEvent.objects.filter(pk=event.pk).update(created_at=now - timedelta(days=days))


def seed_results(*, stdout, rng, **_) -> None:
    from participation.core import consultations
    from participation.models import User
    from proposals.models import Proposal

    defaults.ensure_defaults(ResultStatus, Department)
    if Result.objects.filter(external_id__startswith="demo-").exists():
        stdout.write(f"results: already there ({Result.objects.count()} results)")
        return
    staff = User.objects.filter(username="staff").first()
    pages = {p.slug: p for p in consultations.canonical_pages()}
    if staff is None or not pages:
        stdout.write("results: demo staff or consultations missing, nothing seeded")
        return
    status = {s.key: s for s in ResultStatus.objects.all()}
    dept = {d.slug: d for d in Department.objects.all()}
    today = date.today()

    # 1. Accepted childcare proposals become results at different stages.
    childcare = pages.get("childcare-plan")
    stages = [("done", 100), ("in_progress", 60), ("budgeted", None), ("planning", None)]
    if childcare is not None:
        accepted = list(Proposal.objects.visible().filter(consultation=childcare, state="accepted").order_by("pk")[:4])
        for n, proposal in enumerate(accepted):
            key, progress = stages[n]
            result = services.result_create_from_proposal(proposal=proposal, actor=staff, status=status["planning"],
                                                          department=dept["children"])
            services.result_update(result=result, actor=staff, external_id=f"demo-childcare-{n + 1}",
                                   start_date=today - timedelta(days=80), end_date=today + timedelta(days=200 - n * 40))
            if key != "planning":
                services.result_post_update(result=result, actor=staff, status=status["budgeted"],
                                            text="令和7年度予算に計上しました。")
            if key in ("in_progress", "done"):
                services.result_post_update(result=result, actor=staff, status=status["in_progress"], progress=progress,
                                            text="事業者が決まり、工事・準備が始まりました。")
            if key == "done":
                services.result_post_update(result=result, actor=staff, status=status["done"],
                                            text="すべての作業が完了し、利用を開始しました。ご提案ありがとうございました。",
                                            photo=_photo(rng, "done.jpg", (210, 200, 170)))
            _backdate(result, [75, 50, 25, 5])

    # 2. A park programme with weighted children, a timeline with photos, places on the map.
    parks = pages.get("parks-future")
    if parks is not None:
        cats = {c.slug: c for c in parks.categories.all()}
        program = services.result_create(
            actor=staff, consultation=parks, status=status["in_progress"], title="公園再整備プログラム（第1期）",
            title_en="Park redevelopment programme, phase 1", external_id="demo-parks-program",
            description="市民の皆さまの提案をもとに、遊具・防災・緑陰の3つの事業を進めています。",
            description_en="Three projects based on residents' proposals: play equipment, disaster readiness, shade.",
            department=dept["parks"], start_date=today - timedelta(days=120), end_date=today + timedelta(days=240),
            budget_planned=48_000_000, budget_spent=21_500_000,
        )
        children = [
            ("demo-parks-play", "北町公園の遊具更新", "New play equipment in Kitamachi Park", "play", "done", None, 2,
             (35.6912, 139.5601, "北町公園")),
            ("demo-parks-safety", "中央公園への防災倉庫の設置", "A disaster-supply store in Central Park", "safety",
             "in_progress", 60, 1, (35.6832, 139.5655, "中央公園")),
            ("demo-parks-green", "南町公園に緑陰ベンチを設置", "Shaded benches in Minamimachi Park", "green",
             "budgeted", None, 1, (35.6741, 139.5589, "南町公園")),
        ]
        for external_id, title, title_en, cat, key, progress, weight, (lat, lon, label) in children:
            child = services.result_create(
                actor=staff, consultation=parks, status=status["planning"], title=title, title_en=title_en,
                external_id=external_id, category=cats.get(cat), department=dept["parks"], parent=program,
                weight=weight, places=[(label, lat, lon)], start_date=today - timedelta(days=100),
                end_date=today + timedelta(days=150),
                proposals=list(Proposal.objects.visible().filter(consultation=parks, category__slug=cat)
                               .exclude(state="withdrawn").order_by("pk").values_list("pk", flat=True)[:2]),
            )
            services.result_post_update(result=child, actor=staff, status=status[key], progress=progress,
                                        text="現地調査を終え、工事の準備を進めています。",
                                        photo=_photo(rng, f"{external_id}.jpg", (150, 190, 150)))
            _backdate(child, [90, 30])
        _backdate(program, [110, 90, 60, 30])

    # 3. An overdue result in the bus consultation (for the council dashboard).
    bus = pages.get("community-bus")
    if bus is not None:
        result = services.result_create(
            actor=staff, consultation=bus, status=status["in_progress"], title="バス停へのベンチと屋根の設置",
            title_en="Benches and shelters at bus stops", external_id="demo-bus-shelters",
            description="利用者の多い12か所のバス停に、ベンチと屋根を設置します。", department=dept["transport"],
            start_date=today - timedelta(days=200), end_date=today - timedelta(days=14),
            places=[("市役所前", 35.6836, 139.5597), ("駅北口", 35.6890, 139.5702)],
        )
        services.result_post_update(result=result, actor=staff, progress=40,
                                    text="12か所のうち5か所が完了しました。資材の納入遅れのため、完了は来月の見込みです。")
        _backdate(result, [190, 20])

    # 4. City-wide road repairs that a pothole report is resolved by.
    roads = services.result_create(
        actor=staff, consultation=None, status=status["in_progress"], title="市道舗装補修プログラム",
        title_en="Road resurfacing programme", external_id="demo-road-repair", department=dept["roads"],
        description="通報や点検で見つかった舗装の傷みを、年次計画に沿って補修します。",
        description_en="Damage found through reports and inspections is repaired on a yearly plan.",
        start_date=today - timedelta(days=60), end_date=today + timedelta(days=300), budget_planned=120_000_000,
        places=[("市道1号線", 35.6801, 139.5633)],
    )
    _backdate(roads, [60])
    from reports_map.models import Report

    report = Report.objects.visible().filter(category__service_code__startswith="road", private=False).order_by("pk").first()
    if report is not None:
        services.result_link_report(result=roads, report=report, actor=staff,
                                    note="この箇所は市道舗装補修プログラムで補修します。")
    stdout.write(f"results: {Result.objects.count()} results with {ResultEvent.objects.count()} timeline entries")
