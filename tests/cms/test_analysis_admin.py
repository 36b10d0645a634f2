"""Wagtail admin review pages, the status endpoint, and the public summary section."""

import pytest
from django.core.files.storage import default_storage
from django.urls import reverse

from ml.models import AnalysisRun, ImportJob, Summary, Theme

pytestmark = pytest.mark.django_db


@pytest.fixture
def analysed(open_consultation, fake_source, tfidf_backend, django_capture_on_commit_callbacks):
    from participation.analysis.runs import analysis_start

    with django_capture_on_commit_callbacks(execute=True):
        run = analysis_start(consultation_id=open_consultation.pk, themes=3)
    run.refresh_from_db()
    assert run.status == "succeeded", run.error
    return run


def test_staff_sees_the_index_and_the_review(client, staff_user, analysed, open_consultation):
    client.force_login(staff_user)
    index = client.get(reverse("ml_analysis:index"))
    assert index.status_code == 200
    assert open_consultation.title in index.content.decode()
    page = client.get(reverse("ml_analysis:detail", args=[open_consultation.pk]))
    html = page.content.decode()
    assert page.status_code == 200
    theme = Theme.objects.filter(run=analysed, parent=None).first()
    assert theme.label in html
    assert "<svg" in html and "<circle" in html and "<title>" in html
    assert "/proposals/" in html  # quotes link to the items
    assert "<script>" not in html.split("</head>")[-1].replace("<script src=", "")


def test_residents_and_visitors_cannot_see_the_review(client, resident, analysed, open_consultation):
    url = reverse("ml_analysis:detail", args=[open_consultation.pk])
    assert client.get(url).status_code in (302, 403)
    client.force_login(resident)
    assert client.get(url).status_code in (302, 403)
    response = client.post(reverse("ml_analysis:run", args=[open_consultation.pk]))
    assert response.status_code in (302, 403)
    assert AnalysisRun.objects.count() == 1


def test_start_from_the_admin_and_refuse_a_concurrent_run(
    client, staff_user, open_consultation, fake_source, tfidf_backend, django_capture_on_commit_callbacks
):
    client.force_login(staff_user)
    url = reverse("ml_analysis:run", args=[open_consultation.pk])
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url, {"themes": "", "subthemes": "on"})
    assert response.status_code == 302
    assert AnalysisRun.objects.get().status == "succeeded"
    AnalysisRun.objects.create(consultation_id=open_consultation.pk, status="running", progress=40, stage="cluster")
    response = client.post(url, {"themes": ""}, follow=True)
    assert "already running" in response.content.decode() or "すでに実行中" in response.content.decode()
    assert AnalysisRun.objects.count() == 2


def test_bad_theme_count_is_an_error_and_starts_nothing(client, staff_user, open_consultation):
    client.force_login(staff_user)
    response = client.post(reverse("ml_analysis:run", args=[open_consultation.pk]), {"themes": "1"}, follow=True)
    assert response.status_code == 200
    assert not AnalysisRun.objects.exists()


def test_progress_bar_and_status_json(client, staff_user, open_consultation):
    client.force_login(staff_user)
    run = AnalysisRun.objects.create(
        consultation_id=open_consultation.pk, status="running", progress=42, stage="cluster"
    )
    page = client.get(reverse("ml_analysis:detail", args=[open_consultation.pk])).content.decode()
    assert 'value="42"' in page and "data-status-url" in page and 'aria-live="polite"' in page
    data = client.get(reverse("ml_analysis:status", args=[run.pk])).json()
    assert data["progress"] == 42 and data["active"] is True and data["stage"] == "cluster"
    # the stage in words, in the reader's language (it showed 「実行中 · 9% · embed」)
    assert data["stage_label"] == "テーマに分けています" and "実行中 · 42% · テーマに分けています" in page
    from wagtail.users.models import UserProfile

    profile = UserProfile.get_for_user(staff_user)
    profile.preferred_language = "en"
    profile.save()
    english = client.get(reverse("ml_analysis:status", args=[run.pk])).json()
    assert english["stage_label"] == "finding themes" and english["stage"] == "cluster"


def test_failed_run_shows_why_and_previous_results(client, staff_user, analysed, open_consultation):
    AnalysisRun.objects.create(consultation_id=open_consultation.pk, status="failed", error="boom: out of memory")
    client.force_login(staff_user)
    html = client.get(reverse("ml_analysis:detail", args=[open_consultation.pk])).content.decode()
    assert "boom: out of memory" in html
    assert Theme.objects.filter(run=analysed).first().label in html


def test_rename_merge_summary_publish_flow(client, staff_user, analysed, open_consultation):
    client.force_login(staff_user)
    first, second = list(Theme.objects.filter(run=analysed, parent=None))[:2]
    client.post(reverse("ml_analysis:rename", args=[first.pk]), {"label": "遊び場の充実"})
    first.refresh_from_db()
    assert first.label == "遊び場の充実"
    client.post(reverse("ml_analysis:merge", args=[open_consultation.pk]), {"target": first.pk, "other": second.pk})
    assert not Theme.objects.filter(pk=second.pk).exists()

    public_url = open_consultation.url
    assert "遊び場の充実" not in client.get(public_url).content.decode()  # nothing public before publishing
    client.post(
        reverse("ml_analysis:summary", args=[open_consultation.pk]),
        {"text": "公園と遊び場への意見が多く寄せられました。"},
    )
    assert "公園と遊び場への意見" not in client.get(public_url).content.decode()
    client.post(reverse("ml_analysis:publish", args=[open_consultation.pk]), {"action": "publish"})
    assert Summary.objects.get().is_published
    client.logout()
    html = client.get(public_url).content.decode()
    assert "公園と遊び場への意見が多く寄せられました。" in html
    assert "遊び場の充実" in html

    client.force_login(staff_user)
    client.post(reverse("ml_analysis:publish", args=[open_consultation.pk]), {"action": "unpublish"})
    client.logout()
    assert "公園と遊び場への意見" not in client.get(public_url).content.decode()


def test_rename_with_empty_label_changes_nothing(client, staff_user, analysed):
    client.force_login(staff_user)
    theme = Theme.objects.filter(run=analysed).first()
    client.post(reverse("ml_analysis:rename", args=[theme.pk]), {"label": ""})
    theme.refresh_from_db()
    assert theme.label == theme.generated_label


def test_merge_same_theme_is_an_error(client, staff_user, analysed, open_consultation):
    client.force_login(staff_user)
    theme = Theme.objects.filter(run=analysed, parent=None).first()
    response = client.post(
        reverse("ml_analysis:merge", args=[open_consultation.pk]), {"target": theme.pk, "other": theme.pk}, follow=True
    )
    assert "two different themes" in response.content.decode() or "異なるテーマ" in response.content.decode()
    assert Theme.objects.filter(pk=theme.pk).exists()


def test_publish_without_summary_is_an_error(client, staff_user, analysed, open_consultation):
    client.force_login(staff_user)
    client.post(reverse("ml_analysis:publish", args=[open_consultation.pk]), {"action": "publish"})
    assert not Summary.objects.exists()


def _summary_html(client, page) -> str:
    html = client.get(page.url).content.decode()
    return html[html.index('class="card ml-public-summary"'):]


def test_english_page_shows_the_japanese_summary_marked_as_japanese_until_staff_write_it_in_english(
    client, staff_user, analysed, open_consultation
):
    from ml.services import summary_publish, summary_save

    summary_publish(
        summary=summary_save(consultation_id=open_consultation.pk, text="公園への意見が多く寄せられました。", run=analysed),
        publish=True,
    )
    english = open_consultation.get_translations().get(locale__language_code="en")
    html = _summary_html(client, english)
    assert '<div class="ml-summary-text" lang="ja"><p>公園への意見が多く寄せられました。</p></div>' in html
    assert "The city wrote this summary in Japanese." in html
    assert 'lang="ja"' in html.split("<h3>", 1)[1]  # the themes' titles are residents' Japanese words

    client.force_login(staff_user)
    client.post(
        reverse("ml_analysis:summary", args=[open_consultation.pk]),
        {"text": "公園への意見が多く寄せられました。", "text_en": "  Many opinions were about the parks.  "},
    )
    assert Summary.objects.get().text_en == "Many opinions were about the parks."
    review = client.get(reverse("ml_analysis:detail", args=[open_consultation.pk])).content.decode()
    assert "Many opinions were about the parks.</textarea>" in review
    assert 'aria-describedby="id_text_en_helptext"' in review
    client.logout()
    html = _summary_html(client, english)
    assert '<div class="ml-summary-text"><p>Many opinions were about the parks.</p></div>' in html
    assert "in Japanese" not in html and "公園への意見が多く" not in html
    japanese = _summary_html(client, open_consultation)
    assert '<div class="ml-summary-text" lang="ja"><p>公園への意見が多く寄せられました。</p></div>' in japanese
    assert "Many opinions" not in japanese and "日本語で書きました" not in japanese


def test_a_too_long_english_summary_is_refused_and_nothing_is_lost(client, staff_user, analysed, open_consultation):
    from ml.services import summary_save

    summary_save(consultation_id=open_consultation.pk, text="まとめ", text_en="Summary", run=analysed)
    client.force_login(staff_user)
    response = client.post(
        reverse("ml_analysis:summary", args=[open_consultation.pk]),
        {"text": "新しいまとめ", "text_en": "x" * 20001},
        follow=True,
    )
    assert "まとめは20,000文字以内で入力してください。" in response.content.decode()
    summary = Summary.objects.get()
    assert (summary.text, summary.text_en) == ("まとめ", "Summary")


# --- Opinions imported from files (issue 16) -----------------------------------------------------------

OUTSIDE = [
    "公園の遊具が古くて危ないので新しくしてほしいです。",
    "公園にベンチを増やしてください。高齢者が休めません。",
    "公園のトイレが汚くて困っています。",
    "公園に木陰がほしいです。夏は暑すぎます。",
    "バスの本数が少なくて通勤に使えません。",
    "バス停に屋根を付けてほしい。雨の日がつらいです。",
    "夜遅くまでバスを走らせてください。",
    "バスの運賃を安くしてほしいです。",
    "図書館の開館時間を延ばしてほしいです。",
    "図書館に自習室を増やしてください。",
    "図書館で電子書籍を借りられると助かります。",
    "図書館の本が少ないと感じます。",
]


def outside_csv(texts=OUTSIDE, *, encoding="utf-8", extra_rows=()):
    lines = ["番号,受付日,年代,意見"]
    lines += [f"A{i + 1},2026/1/{i + 1},30代,{text}" for i, text in enumerate(texts)]
    lines += list(extra_rows)
    return ("\n".join(lines) + "\n").encode(encoding)


def upload(client, consultation, data, filename="comments.csv", name="パブリックコメント"):
    from django.core.files.uploadedfile import SimpleUploadedFile

    return client.post(
        reverse("ml_analysis:import", args=[consultation.pk]),
        {"name": name, "file": SimpleUploadedFile(filename, data)},
    )


def choose(client, response, **columns):
    """Choose the columns; the import job runs (immediate task backend, on commit) and the progress page
    sends staff back to the review, or shows why it failed."""
    from django.test import TestCase

    with TestCase.captureOnCommitCallbacks(execute=True):
        queued = client.post(response["Location"], {"action": "import", **columns})
    if queued.status_code != 302:
        return queued
    return client.get(queued["Location"], follow=True)


def stored_nothing():
    from ml.models import ExternalOpinion, ExternalSource

    return not ExternalSource.objects.exists() and not ExternalOpinion.objects.exists()


def test_import_csv_then_analyse_with_the_same_pipeline_without_proposals(
    client, staff_user, open_consultation, tfidf_backend, django_capture_on_commit_callbacks
):
    from ml.models import ExternalOpinion, ExternalSource
    from proposals.models import Proposal

    client.force_login(staff_user)
    response = upload(client, open_consultation, outside_csv())
    assert response.status_code == 302
    columns_page = client.get(response["Location"]).content.decode()
    for column in ("番号", "受付日", "年代", "意見"):
        assert column in columns_page
    assert OUTSIDE[0] in columns_page  # preview of the first rows
    assert stored_nothing()  # reading the file stores nothing

    done = choose(
        client, response, text_column="意見", id_column="番号", date_column="受付日", attribute_columns=["年代"]
    )
    html = done.content.decode()
    assert "12" in html and "パブリックコメント" in html
    source = ExternalSource.objects.get()
    assert source.rows == 12 and source.encoding == "utf-8"
    first = ExternalOpinion.objects.get(external_id="A1")
    assert first.text == OUTSIDE[0] and first.date.isoformat() == "2026-01-01" and first.attributes == {"年代": "30代"}

    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("ml_analysis:run", args=[open_consultation.pk]), {"themes": "3", "subthemes": "on"})
    run = AnalysisRun.objects.get()
    assert run.status == "succeeded", run.error
    assert run.counts["texts"] == 12
    assert {item["kind"] for item in run.items.values()} == {"external"}
    assert all(item_id.startswith("x") for item_id in run.items)
    assert all(item["sentiment"] in {"positive", "negative", "neutral"} for item in run.items.values())
    assert not Proposal.objects.exists()  # rows never become proposals

    review = client.get(reverse("ml_analysis:detail", args=[open_consultation.pk])).content.decode()
    assert "パブリックコメント" in review and "comments.csv" in review
    theme = Theme.objects.filter(run=run, parent=None).first()
    assert theme.title and theme.title in review  # the readable title heads the theme
    assert theme.quotes and theme.quotes[0]["quote"] in review  # quotes are opinion units


def test_themes_by_channel_and_imported_attribute(
    client, staff_user, open_consultation, proposal_texts, tfidf_backend, django_capture_on_commit_callbacks
):
    """The columns staff chose when importing (here 年代) and the channels (the site's proposals, the file) are
    broken down by theme on the review page, in the printable report and in the PDF."""
    import io

    import pypdf

    client.force_login(staff_user)
    ages = ["70代"] * 4 + ["20代"] * 4 + ["40代"] * 4  # parks / buses / library, as OUTSIDE is ordered
    rows = [f"A{i + 1},{age},{text}" for i, (age, text) in enumerate(zip(ages, OUTSIDE, strict=True))]
    response = upload(client, open_consultation, ("番号,年代,意見\n" + "\n".join(rows) + "\n").encode())
    choose(client, response, text_column="意見", id_column="番号", attribute_columns=["年代"])
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("ml_analysis:run", args=[open_consultation.pk]), {"themes": "3"})
    run = AnalysisRun.objects.get()
    assert run.status == "succeeded", run.error
    imported = [item for item in run.items.values() if item["kind"] == "external"]
    assert len(imported) == 12 and all(item["attributes"]["年代"] in ages for item in imported)

    review = client.get(reverse("ml_analysis:detail", args=[open_consultation.pk])).content.decode()
    assert "受付経路・属性別のテーマ" in review
    assert "年代別のテーマ" in review and "受付経路別のテーマ" in review
    assert "パブリックコメント" in review  # the file's channel, beside the site's proposals
    for age in ("20代", "40代", "70代"):
        assert f'<th scope="col">{age}</th>' in review
    assert "▲" in review and "（全体より多い）" in review  # each age band says one theme's things here
    report = client.get(reverse("ml_analysis:report", args=[run.pk])).content.decode()
    assert "年代別のテーマ" in report and '<th scope="col">70代</th>' in report
    # The report has its own stylesheets, not the site's: they hide the ▲'s words for screen readers too.
    import re
    from pathlib import Path

    from django.contrib.staticfiles import finders

    assert 'class="visually-hidden' in report
    sheets = [
        re.sub(r"\.[0-9a-f]{12}\.css$", ".css", sheet)  # a hashed name where the manifest storage serves them
        for sheet in re.findall(r'<link rel="stylesheet" href="/static/([^"?]+)', report)
    ]
    css = "".join(Path(finders.find(sheet)).read_text(encoding="utf-8") for sheet in sheets)
    assert ".visually-hidden {" in css
    # and that hidden text, absolutely placed, stays inside a table's scroll region instead of widening a phone's page
    assert re.search(r"\.ml-table-wrap \{[^}]*position: relative", css)
    pdf = pypdf.PdfReader(io.BytesIO(client.get(reverse("ml_analysis:report_pdf", args=[run.pk])).content))
    text = "".join("".join(page.extract_text().split()) for page in pdf.pages)
    assert "年代別のテーマ" in text and "70代" in text


def test_shift_jis_csv_is_read(client, staff_user, open_consultation):
    from ml.models import ExternalOpinion, ExternalSource

    client.force_login(staff_user)
    response = upload(client, open_consultation, outside_csv(encoding="cp932"), filename="sjis.csv")
    assert response.status_code == 302
    choose(client, response, text_column="意見", id_column="番号")
    assert ExternalSource.objects.get().encoding == "cp932"
    assert ExternalOpinion.objects.get(external_id="A2").text == OUTSIDE[1]


def test_xlsx_is_read(client, staff_user, open_consultation):
    import io

    from openpyxl import Workbook

    from ml.models import ExternalOpinion

    workbook = Workbook()
    sheet = workbook.active
    sheet.append(["ID", "ご意見"])
    for i, text in enumerate(OUTSIDE[:6]):
        sheet.append([i + 1, text])
    buffer = io.BytesIO()
    workbook.save(buffer)
    client.force_login(staff_user)
    response = upload(client, open_consultation, buffer.getvalue(), filename="opinions.xlsx")
    assert response.status_code == 302
    choose(client, response, text_column="ご意見", id_column="ID")
    assert ExternalOpinion.objects.count() == 6
    assert ExternalOpinion.objects.get(external_id="3").text == OUTSIDE[2]


def test_wrong_encoding_is_a_clear_error_and_stores_nothing(client, staff_user, open_consultation, settings):
    client.force_login(staff_user)
    data = "番号,意見\n1,公園\n".encode() + b"\x81\xff\xfe\x80 broken\n"
    response = upload(client, open_consultation, data)
    assert response.status_code == 400
    assert "Shift_JIS" in response.content.decode()
    assert stored_nothing()
    assert not client.session.get("ml_imports")


def test_wrong_encoding_message_is_japanese_by_default(client, staff_user, open_consultation):
    client.force_login(staff_user)
    response = upload(client, open_consultation, b"\x81\xff\x80", filename="x.csv")
    html = response.content.decode()
    assert response.status_code == 400
    assert "保存されていません" in html or "何も保存" in html


def test_missing_column_is_a_clear_error_and_stores_nothing(client, staff_user, open_consultation):
    client.force_login(staff_user)
    response = upload(client, open_consultation, outside_csv())
    done = client.post(response["Location"], {"action": "import", "text_column": "本文"})
    assert done.status_code == 400
    assert stored_nothing()
    # the same file, a column without any text: the ml importer's own message
    empty = "番号,意見,メモ\n1,公園の遊具を直して,\n2,バスを増やして,\n".encode()
    response = upload(client, open_consultation, empty)
    done = choose(client, response, text_column="メモ")  # checked by the import job: its page says why
    assert "メモ" in done.content.decode()
    assert ImportJob.objects.get().status == "failed"
    assert stored_nothing()


def test_a_title_column_is_read_with_the_text(client, staff_user, open_consultation):
    from ml.models import ExternalOpinion, ExternalSource

    client.force_login(staff_user)
    data = "番号,件名,意見\nA1,公園の遊具,古くて危ないので新しくしてほしい\nA2,バスの本数,\nA3,,図書館を夜も開けて\n".encode()
    response = upload(client, open_consultation, data)
    page = client.get(response["Location"]).content.decode()
    assert "件名・タイトルの列" in page
    assert 'aria-describedby="id_title_column-help"' in page and 'id="id_title_column-help"' in page
    refused = client.post(response["Location"], {"action": "import", "text_column": "意見", "title_column": "意見"})
    assert refused.status_code == 400 and "件名の列を本文" in refused.content.decode()
    assert stored_nothing()
    choose(client, response, text_column="意見", title_column="件名", id_column="番号")
    assert ExternalSource.objects.get().columns["title"] == "件名"
    texts = dict(ExternalOpinion.objects.values_list("external_id", "text"))
    assert texts == {
        "A1": "公園の遊具\n古くて危ないので新しくしてほしい",
        "A2": "バスの本数",
        "A3": "図書館を夜も開けて",
    }


def test_empty_rows_are_left_out_and_counted(client, staff_user, open_consultation):
    from ml.models import ExternalSource

    client.force_login(staff_user)
    data = outside_csv(extra_rows=[",,,", "", "A99,2026/2/1,40代,"])
    response = upload(client, open_consultation, data)
    done = choose(client, response, text_column="意見", id_column="番号")
    source = ExternalSource.objects.get()
    assert source.rows == 12 and source.skipped_empty == 1
    assert "without text" in done.content.decode() or "本文のない行" in done.content.decode()


def test_duplicate_ids_store_nothing(client, staff_user, open_consultation):
    client.force_login(staff_user)
    data = outside_csv(extra_rows=["A1,2026/2/1,40代,二度目の意見です"])
    response = upload(client, open_consultation, data)
    done = choose(client, response, text_column="意見", id_column="番号")
    html = done.content.decode()
    assert "A1" in html and ("Nothing was stored" in html or "何も保存されていません" in html)
    job = ImportJob.objects.get()
    assert job.status == "failed" and "A1" in job.error
    assert stored_nothing()  # nothing half-imported
    assert not default_storage.exists(job.path)  # the uploaded file is removed either way


def test_more_than_100000_rows_is_refused_and_stores_nothing(client, staff_user, open_consultation):
    client.force_login(staff_user)
    rows = "".join(f"{i},公園の意見{i}\n" for i in range(100_001))
    response = upload(client, open_consultation, ("番号,意見\n" + rows).encode())
    assert response.status_code == 400
    assert "100,000" in response.content.decode()
    assert stored_nothing()


def test_cancel_and_delete_an_import(client, staff_user, open_consultation):
    from ml.models import ExternalSource

    client.force_login(staff_user)
    response = upload(client, open_consultation, outside_csv())
    client.post(response["Location"], {"action": "cancel"})
    assert stored_nothing()
    assert client.get(response["Location"]).status_code == 404  # the pending file is gone
    response = upload(client, open_consultation, outside_csv())
    choose(client, response, text_column="意見")
    source = ExternalSource.objects.get()
    client.post(reverse("ml_analysis:import_delete", args=[source.pk]))
    assert stored_nothing()


def test_residents_cannot_import_or_read_reports(client, resident, analysed, open_consultation):
    from django.core.files.uploadedfile import SimpleUploadedFile

    client.force_login(resident)
    response = client.post(
        reverse("ml_analysis:import", args=[open_consultation.pk]), {"file": SimpleUploadedFile("a.csv", outside_csv())}
    )
    assert response.status_code in (302, 403)
    assert stored_nothing()
    assert client.get(reverse("ml_analysis:report", args=[analysed.pk])).status_code in (302, 403)


def test_another_staff_session_cannot_finish_my_import(client, staff_user, open_consultation):
    from django.test import Client

    from participation.core.predicates import STAFF
    from tests.conftest import make_user

    client.force_login(staff_user)
    response = upload(client, open_consultation, outside_csv())
    other = Client()
    other.force_login(make_user("staff2", STAFF))
    assert other.post(response["Location"], {"action": "import", "text_column": "意見"}).status_code == 404
    assert stored_nothing()


# --- Review: titles, keywords, tone, quotes; the council report ---------------------------------------


def test_review_shows_titles_keywords_tone_and_unit_quotes(client, staff_user, analysed, open_consultation):
    client.force_login(staff_user)
    html = client.get(reverse("ml_analysis:detail", args=[open_consultation.pk])).content.decode()
    assert analysed.sentiment["shares"] and analysed.sentiment["method"]
    assert "Positive" in html or "肯定" in html
    for theme in Theme.objects.filter(run=analysed, parent=None):
        assert theme.title in html
        assert all(keyword in html for keyword in theme.keywords[:3])
        assert theme.sentiment
        assert theme.quotes[0]["quote"] in html
    assert reverse("ml_analysis:report", args=[analysed.pk]) in html


def test_council_report_prints_the_run(client, staff_user, analysed, open_consultation):
    client.force_login(staff_user)
    response = client.get(reverse("ml_analysis:report", args=[analysed.pk]))
    html = response.content.decode()
    assert response.status_code == 200
    assert open_consultation.title in html
    assert "council_report.css" in html
    assert html.count("<circle") == len(analysed.items)  # the opinion map, one dot per text
    for theme in Theme.objects.filter(run=analysed, parent=None):
        assert theme.title in html


def test_council_report_of_an_unfinished_run_is_not_found(client, staff_user, open_consultation):
    client.force_login(staff_user)
    run = AnalysisRun.objects.create(consultation_id=open_consultation.pk, status="running")
    assert client.get(reverse("ml_analysis:report", args=[run.pk])).status_code == 404
    assert client.get(reverse("ml_analysis:report_pdf", args=[run.pk])).status_code == 404


def test_council_report_downloads_as_pdf(client, staff_user, analysed, open_consultation):
    import io

    import pypdf

    client.force_login(staff_user)
    url = reverse("ml_analysis:report_pdf", args=[analysed.pk])
    assert url in client.get(reverse("ml_analysis:report", args=[analysed.pk])).content.decode()
    assert url in client.get(reverse("ml_analysis:detail", args=[open_consultation.pk])).content.decode()
    response = client.get(url)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == f'attachment; filename="analysis-{analysed.pk}.pdf"'
    reader = pypdf.PdfReader(io.BytesIO(response.content))
    text = "".join("".join(page.extract_text().split()) for page in reader.pages)
    assert reader.metadata.title == open_consultation.title
    for theme in Theme.objects.filter(run=analysed, parent=None):
        assert "".join(theme.title.split()) in text


def test_residents_cannot_download_the_pdf(client, resident, analysed):
    url = reverse("ml_analysis:report_pdf", args=[analysed.pk])
    assert client.get(url).status_code in (302, 403)
    client.force_login(resident)
    assert client.get(url).status_code in (302, 403)


def test_stop_terms_from_the_admin_are_never_keywords(
    client, staff_user, open_consultation, fake_source, tfidf_backend, django_capture_on_commit_callbacks
):
    client.force_login(staff_user)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            reverse("ml_analysis:run", args=[open_consultation.pk]), {"themes": "3", "stop_terms": "公園、図書館"}
        )
    run = AnalysisRun.objects.get()
    assert run.status == "succeeded", run.error
    assert run.parameters["stop_terms"] == ["公園", "図書館"]
    keywords = [k for theme in Theme.objects.filter(run=run) for k in theme.keywords]
    assert keywords and "公園" not in keywords and "図書館" not in keywords
    page = client.get(reverse("ml_analysis:detail", args=[open_consultation.pk])).content.decode()
    assert "公園、図書館" in page  # offered again for the next run


# --- What the public sees ----------------------------------------------------------------------------


@pytest.fixture
def published_with_proposals(open_consultation, proposal_texts, tfidf_backend, django_capture_on_commit_callbacks):
    from ml.services import external_import, summary_publish, summary_save
    from participation.analysis.runs import analysis_start

    external_import(
        consultation_id=open_consultation.pk, name="外部", data=outside_csv(), filename="x.csv", text_column="意見"
    )
    with django_capture_on_commit_callbacks(execute=True):
        run = analysis_start(consultation_id=open_consultation.pk, themes=3)
    run.refresh_from_db()
    assert run.status == "succeeded", run.error
    summary_publish(summary=summary_save(consultation_id=open_consultation.pk, text="まとめ", run=run), publish=True)
    return run


def test_public_summary_quotes_only_visible_site_posts(client, published_with_proposals, open_consultation):
    run = published_with_proposals
    html = client.get(open_consultation.url).content.decode()
    quotes = [(q["id"], q["quote"]) for t in Theme.objects.filter(run=run, parent=None) for q in t.quotes]
    site = [(i, q) for i, q in quotes if i.startswith("p")]
    outside = [q for i, q in quotes if i.startswith("x")]
    assert site and outside
    assert any(quote in html for _i, quote in site)
    assert not any(quote in html for quote in outside if quote not in {q for _i, q in site})
    assert "Tone" in html or "傾向" in html


def test_hidden_proposal_is_no_longer_quoted(client, published_with_proposals, open_consultation, proposal_texts):
    from django.utils import timezone

    run = published_with_proposals
    quoted_ids = {
        q["id"] for t in Theme.objects.filter(run=run, parent=None) for q in t.quotes if q["id"].startswith("p")
    }
    proposals = [p for p in proposal_texts if f"p{p.pk}" in quoted_ids]
    for proposal in proposals:
        type(proposal).objects.filter(pk=proposal.pk).update(hidden_at=timezone.now())
    html = client.get(open_consultation.url).content.decode()
    for proposal in proposals:
        assert f"/proposals/{proposal.pk}/" not in html


def test_quote_hidden_by_a_moderator_leaves_the_cached_summary_at_once(
    client, published_with_proposals, open_consultation, proposal_texts, moderator
):
    """The section is cached under the consultation's stamp: the moderation event bumps it."""
    from participation.moderation import services as moderation

    run = published_with_proposals
    quoted_ids = {
        q["id"] for t in Theme.objects.filter(run=run, parent=None) for q in t.quotes if q["id"].startswith("p")
    }
    proposal = next(p for p in proposal_texts if f"p{p.pk}" in quoted_ids)

    def summary_section():
        html = client.get(open_consultation.url).content.decode()
        return html.split('class="card ml-public-summary"', 1)[1].split("</section>", 1)[0]

    assert f"/proposals/{proposal.pk}/" in summary_section()
    moderation.item_hide(actor=moderator, kind="proposal", object_id=proposal.pk, reason="個人情報")
    assert f"/proposals/{proposal.pk}/" not in summary_section()


def test_open_data_lists_published_themes_with_sentiment(client, published_with_proposals):
    import csv
    import io

    response = client.get("/open-data/analysis_themes.csv")
    assert response.status_code == 200
    rows = list(csv.DictReader(io.StringIO(b"".join(response.streaming_content).decode("utf-8-sig"))))
    themes = list(Theme.objects.filter(run=published_with_proposals, parent=None))
    assert len(rows) == len(themes)
    assert rows[0]["title"] and rows[0]["keywords"]
    for row in rows:
        total = int(row["positive_percent"]) + int(row["negative_percent"]) + int(row["neutral_percent"])
        assert 98 <= total <= 102


def test_open_data_has_no_theme_before_publishing(client, analysed):
    response = client.get("/open-data/analysis_themes.json")
    assert response.json()["rows"] == []


def test_open_data_lists_each_visible_site_text_with_theme_and_tone(client, published_with_proposals, proposal_texts):
    from django.utils import timezone

    hidden = proposal_texts[0]
    type(hidden).objects.filter(pk=hidden.pk).update(hidden_at=timezone.now())
    rows = client.get("/open-data/analysis_opinions.json").json()["rows"]
    ids = {row["id"] for row in rows}
    assert ids == {f"p{p.pk}" for p in proposal_texts[1:]}  # no imported opinion, no hidden proposal
    assert all(row["sentiment"] in {"positive", "negative", "neutral"} for row in rows)
    themes = Theme.objects.filter(run=published_with_proposals, parent=None).count()
    assert all(row["theme"] == "" or 1 <= row["theme"] <= themes for row in rows)


def test_an_import_runs_in_the_background_with_live_progress(client, staff_user, open_consultation):
    """The column choice only queues a job: the request stores nothing; the job (a django-tasks task, like
    run_analysis) reads, checks and stores the rows, and its status is served as JSON for the live bar."""
    from django.test import TestCase

    from ml.models import ExternalSource

    client.force_login(staff_user)
    response = upload(client, open_consultation, outside_csv())
    with TestCase.captureOnCommitCallbacks(execute=False) as callbacks:
        queued = client.post(response["Location"], {"action": "import", "text_column": "意見", "id_column": "番号"})
    assert queued.status_code == 302
    job = ImportJob.objects.get()
    assert queued["Location"] == reverse("ml_analysis:import_progress", args=[job.pk])
    assert job.status == "queued" and stored_nothing()  # nothing happened inside the request
    page = client.get(queued["Location"])
    assert page.status_code == 200 and "data-status-url" in page.content.decode()
    status = client.get(reverse("ml_analysis:import_status", args=[job.pk])).json()
    assert status["status"] == "queued" and status["active"] is True and status["progress"] == 0

    for callback in callbacks:  # the worker picks the task up
        callback()
    job.refresh_from_db()
    assert job.status == "done" and job.progress == 100 and job.source.rows == 12
    assert not default_storage.exists(job.path)
    status = client.get(reverse("ml_analysis:import_status", args=[job.pk])).json()
    assert status["status"] == "done" and status["active"] is False and status["progress"] == 100
    done = client.get(reverse("ml_analysis:import_progress", args=[job.pk]), follow=True)
    assert ExternalSource.objects.get().rows == 12
    assert "12" in done.content.decode()  # the review page with the counts


def test_import_progress_is_live_while_rows_are_stored(open_consultation, staff_user):
    """Rows are stored inside one transaction (all or none): their progress goes through the cache, so the
    status page sees it while the job runs."""
    from django.core.cache import cache

    from ml import services

    job = services.import_job_create(
        consultation_id=open_consultation.pk, name="x", filename="x.csv", path="none", parameters={}, user=staff_user
    )
    ImportJob.objects.filter(pk=job.pk).update(status="running", progress=1, stage="read")
    job.refresh_from_db()
    cache.set(services.IMPORT_PROGRESS_KEY.format(job.pk), (64, "store"))
    assert services.import_job_progress(job) == (64, "store")
    cache.delete(services.IMPORT_PROGRESS_KEY.format(job.pk))
    assert services.import_job_progress(job) == (1, "read")


def test_another_staff_member_cannot_watch_my_import(client, staff_user, open_consultation, django_user_model):
    from ml import services

    job = services.import_job_create(
        consultation_id=open_consultation.pk, name="x", filename="x.csv", path="none", parameters={}, user=staff_user
    )
    other = django_user_model.objects.create_superuser("other-staff", "other@example.org", "x")
    client.force_login(other)
    assert client.get(reverse("ml_analysis:import_status", args=[job.pk])).status_code == 404
    assert client.get(reverse("ml_analysis:import_progress", args=[job.pk])).status_code == 404
