"""Staff import a Shift_JIS CSV of outside opinions in the Wagtail admin with the keyboard, see a bad file
refused with a message read out as an alert, choose the columns and see the imported opinions listed."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from ml.models import ExternalOpinion, ExternalSource
from tests.e2e.test_analysis_flow import context_for

pytestmark = pytest.mark.browser


def test_import_a_shift_jis_csv_by_keyboard(browser, live_asgi, open_consultation, staff_user, artifacts_dir, tmp_path):
    url = live_asgi.url
    bad = tmp_path / "bad.csv"
    bad.write_bytes(b"\x81\xff\x80\xfe broken")
    good = tmp_path / "pubcom.csv"
    good.write_bytes(
        "番号,受付日,件名,ご意見\n1,令和8年1月5日,遊具,公園の遊具を直してほしい\n2,2026/1/6,バス,バスの本数を増やして\n,,,\n".encode(
            "cp932"
        )
    )

    page = context_for(browser, staff_user, url, width=390).new_page()
    page.goto(f"{url}/admin/analysis/{open_consultation.pk}/")
    page.get_by_role("link", name="CSV または Excel ファイルから意見を取り込む").click()
    page.get_by_label("ファイル（CSV または Excel の .xlsx）").set_input_files(str(bad))
    page.get_by_label("ファイル（CSV または Excel の .xlsx）").focus()
    page.keyboard.press("Tab")
    page.keyboard.press("Enter")
    expect(page.get_by_role("alert")).to_contain_text("Shift_JIS")
    expect(page.get_by_role("alert")).to_contain_text("何も保存されていません")
    assert not ExternalSource.objects.exists()

    page.get_by_label("この意見のまとまりの名前").fill("パブリックコメント")
    page.get_by_label("ファイル（CSV または Excel の .xlsx）").set_input_files(str(good))
    page.get_by_role("button", name="ファイルを読み込む").click()
    expect(page.locator(".ml-preview")).to_contain_text("公園の遊具を直してほしい")
    expect(page.locator("body")).to_contain_text("Shift_JIS (CP932) として読み込みました。")
    expect(page.get_by_label("意見の本文の列")).to_have_value("ご意見")  # the column with the longest texts
    page.get_by_label("番号（ID）の列（任意）").select_option("番号")
    page.get_by_label("日付の列（任意）").select_option("受付日")
    title = page.get_by_label("件名・タイトルの列（任意）")
    expect(title).to_have_accessible_description(re.compile("手紙の件名や提案のタイトル"))
    title.select_option("件名")
    page.screenshot(path=str(artifacts_dir / "analysis_import_columns.png"), full_page=True)
    page.get_by_role("button", name="意見を取り込む").click()
    expect(page.locator(".ml-sources")).to_contain_text("パブリックコメント")
    expect(page.locator("body")).to_contain_text("2件の意見を「パブリックコメント」として取り込みました。")
    assert sorted(ExternalOpinion.objects.values_list("date", flat=True))[0].isoformat() == "2026-01-05"
    assert ExternalOpinion.objects.get(external_id="1").text == "遊具\n公園の遊具を直してほしい"


@pytest.mark.parametrize("language", ["ja", "en"])
def test_import_steps_read_well_on_a_phone(
    browser, live_asgi, open_consultation, staff_user, artifacts_dir, tmp_path, language
):
    """Both steps of the import at 360 px, in Japanese and English: axe finds no serious or critical problem
    and nothing scrolls sideways (the column selects and the preview table stay inside the screen)."""
    from wagtail.users.models import UserProfile

    from tests.e2e.test_accessibility import serious_problems

    profile = UserProfile.get_for_user(staff_user)  # the admin's language: Wagtail's account preference
    profile.preferred_language = language
    profile.save()
    good = tmp_path / "opinions.csv"
    good.write_text(
        "id,subject,comment\n1,Playground,The swings in North Park are broken and need repair soon\n"
        "2,Buses,Please run the last bus later on weekdays so that shift workers get home\n",
        encoding="utf-8",
    )
    context = context_for(browser, staff_user, live_asgi.url, width=360)
    page = context.new_page()
    page.goto(f"{live_asgi.url}/admin/analysis/{open_consultation.pk}/import/")
    problems, overflow = {}, {}
    file_label = "ファイル（CSV または Excel の .xlsx）" if language == "ja" else "File (CSV or Excel .xlsx)"
    for step in ("upload", "columns"):
        if step == "columns":
            page.get_by_label(file_label).set_input_files(str(good))
            page.get_by_role("button", name="ファイルを読み込む" if language == "ja" else "Read the file").click()
            expect(page.locator(".ml-preview")).to_contain_text("North Park")
        assert page.evaluate("document.documentElement.lang") == language
        if found := serious_problems(page):
            problems[step] = found
        width = page.evaluate("document.documentElement.scrollWidth")
        if width > 360:
            overflow[step] = width
    page.screenshot(path=str(artifacts_dir / f"analysis_import_phone_{language}.png"), full_page=True)
    context.close()
    assert not problems, problems
    assert not overflow, overflow
