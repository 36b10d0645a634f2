"""Staff review an analysis in the Wagtail admin: the progress bar follows a running analysis live and the
page reloads when it ends; the opinion map shows; staff rename a theme, write and publish the summary,
download the council report as PDF and read its printable page on a phone; a visitor then reads the summary
on the consultation page (phone width)."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.conf import settings
from django.test import Client
from playwright.sync_api import expect

from ml import services
from ml.models import AnalysisRun

pytestmark = pytest.mark.browser


def context_for(browser, user, url, width=1024):
    client = Client()
    client.force_login(user)
    context = browser.new_context(viewport={"width": width, "height": 900}, locale="ja-JP")
    context.add_cookies(
        [
            {
                "name": settings.SESSION_COOKIE_NAME,
                "value": client.cookies[settings.SESSION_COOKIE_NAME].value,
                "url": url,
            }
        ]
    )
    return context


def finished_run(consultation_id):
    run = services.run_create(consultation_id=consultation_id)
    items = {
        f"p{i}": {
            "text": text,
            "url": f"/proposals/{i}/",
            "kind": "proposal",
            "xy": [x, y],
            "theme": t,
            # six values: a themes-by-district table as wide as an imported file's topic column
            "attributes": {"district": f"Produktion und Konsum {i}"},
        }
        for i, (text, x, y, t) in enumerate(
            [
                ("公園の遊具を新しくしてほしい", -0.8, 0.5, 0),
                ("公園にベンチを増やして", -0.7, 0.6, 0),
                ("公園の木陰がほしい", -0.6, 0.4, 0),
                ("バスの本数を増やして", 0.7, -0.5, 1),
                ("バス停に屋根を", 0.8, -0.6, 1),
                ("終バスを遅くして", 0.6, -0.4, 1),
            ],
            start=1,
        )
    }
    themes = [
        {
            "label": "公園・遊具",
            "keywords": ["公園", "遊具"],
            "size": 3,
            "members": ["p1", "p2", "p3"],
            "representatives": ["p1", "p2", "p3"],
            "coords": [],
            "subthemes": [],
        },
        {
            "label": "バス・本数",
            "keywords": ["バス", "本数"],
            "size": 3,
            "members": ["p4", "p5", "p6"],
            "representatives": ["p4", "p5", "p6"],
            "coords": [],
            "subthemes": [],
        },
    ]
    return services.run_store_results(
        run=run,
        themes=themes,
        items=items,
        noise_ids=[],
        groups=[],
        opinion={},
        model="test",
        timings={"all": 1.0},
        counts={"texts": 6, "themes": 2},
    )


def test_progress_review_publish(browser, live_asgi, open_consultation, staff_user, artifacts_dir):
    url = live_asgi.url
    finished = finished_run(open_consultation.pk)
    running = AnalysisRun.objects.create(
        consultation_id=open_consultation.pk, status="running", progress=30, stage="embed"
    )

    staff = context_for(browser, staff_user, url).new_page()
    staff.goto(f"{url}/admin/analysis/{open_consultation.pk}/")
    bar = staff.locator("#analysis-progress")
    expect(bar).to_have_attribute("value", "30")
    AnalysisRun.objects.filter(pk=running.pk).update(progress=70, stage="cluster")
    expect(staff.locator("#analysis-status")).to_contain_text("70%", timeout=10000)
    expect(staff.locator("#analysis-status")).to_contain_text("テーマに分けています")  # the stage in words
    staff.screenshot(path=str(artifacts_dir / "analysis-progress.png"), full_page=True)
    AnalysisRun.objects.filter(pk=running.pk).update(status="failed", error="テスト用の失敗", progress=70)
    expect(staff.locator("#analysis-progress")).to_have_count(0, timeout=10000)  # reloaded when it ended
    expect(staff.locator("[role=alert]")).to_contain_text("テスト用の失敗")

    # The previous results stay visible: themes, quotes and the opinion map with hover text.
    expect(staff.locator(".ml-theme")).to_have_count(2)
    expect(staff.locator(".ml-map circle")).to_have_count(6)
    expect(staff.locator(".ml-map circle title").first).to_contain_text("公園")
    staff.screenshot(path=str(artifacts_dir / "analysis-review.png"), full_page=True)

    # Rename a theme with the keyboard, write the summary, publish.
    field = staff.locator(".ml-theme").first.locator("input[name=label]")
    field.fill("遊び場の充実")
    field.press("Enter")
    expect(staff.locator(".ml-theme").first).to_contain_text("遊び場の充実")
    staff.locator("textarea[name=text]").fill("公園と遊び場、バスの本数についての意見が多く寄せられました。")
    staff.locator("form[action$='/summary/'] button[type=submit]").click()
    staff.locator("form[action$='/publish/'] button[type=submit]").click()
    expect(staff.locator("#summary-heading + p")).not_to_contain_text("未公開")

    # The council report downloads as a PDF file from the review page.
    with staff.expect_download() as download_info:
        staff.get_by_role("link", name="PDF（A4）でダウンロード").click()
    download = download_info.value
    assert download.suggested_filename.startswith("analysis-") and download.suggested_filename.endswith(".pdf")
    assert Path(download.path()).read_bytes().startswith(b"%PDF-")

    # The printable report on a phone: its opinion map and bars pass axe, and nothing scrolls sideways.
    from tests.e2e.test_accessibility import serious_problems

    report = context_for(browser, staff_user, url, width=360).new_page()
    report.goto(f"{url}/admin/analysis/runs/{finished.pk}/report/")
    expect(report.locator(".report-map circle")).to_have_count(6)
    expect(report.locator(".ml-legend")).to_contain_text("1. ")
    assert serious_problems(report) == []
    assert report.evaluate("document.documentElement.scrollWidth") <= 360
    report.screenshot(path=str(artifacts_dir / "analysis-council-report-phone.png"), full_page=True)
    # On A4 paper (210 mm less the printer's margins, about 718 CSS pixels) the wide table fits the page.
    paper = context_for(browser, staff_user, url, width=718).new_page()
    paper.goto(f"{url}/admin/analysis/runs/{finished.pk}/report/")
    paper.emulate_media(media="print")
    expect(paper.locator(".ml-breakdown thead th")).to_have_count(8)  # theme, texts and the six districts
    assert paper.evaluate("document.documentElement.scrollWidth") <= 718

    visitor = browser.new_context(viewport={"width": 360, "height": 800}, locale="ja-JP").new_page()
    visitor.goto(f"{url}{open_consultation.url}")
    summary = visitor.locator(".ml-public-summary")
    expect(summary).to_contain_text("公園と遊び場、バスの本数についての意見が多く寄せられました。")
    expect(summary).to_contain_text("遊び場の充実")
    visitor.screenshot(path=str(artifacts_dir / "analysis-public-summary-phone.png"), full_page=True)
