"""Staff screens of a survey: live results with filters, invitation codes, exports, paper answers.

Every view checks ``surveys.manage_survey``. Results never show which code or account gave an answer;
code screens show how many codes were used, never which resident used which.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from participation.opendata.formats import csv_response, json_response
from surveys import selectors, services
from surveys.codes import format_code
from surveys.models import SurveyPage
from surveys.views import question_field, raw_from_post, survey_absolute_url

TEXTS_SHOWN = 20


def _survey(request, survey_id: int) -> SurveyPage:
    survey = get_object_or_404(SurveyPage, pk=survey_id).canonical
    if not request.user.has_perm("surveys.manage_survey", survey):
        raise PermissionDenied(_("Only staff can manage surveys."))
    return survey


def _analysis_url(survey) -> str:
    consultation = survey.consultation
    if consultation is None:
        return ""
    try:
        return reverse("ml_analysis:detail", args=[consultation.pk])
    except NoReverseMatch:
        return ""


@login_required
def manage(request, survey_id: int):
    survey = _survey(request, survey_id)
    structure = survey.structure
    district = request.GET.get("district", "")[:80]
    age_band = request.GET.get("age_band", "")[:40]
    results = selectors.survey_results(survey=survey, structure=structure, district=district, age_band=age_band,
                                       with_texts=TEXTS_SHOWN)
    batches = (survey.invitation_codes.values_list("batch", flat=True).distinct().order_by("batch"))
    return render(request, "surveys/manage.html", {
        "survey": survey, "results": results, "codes": selectors.code_counts(survey=survey),
        "batches": list(batches), "options": selectors.attribute_options(survey=survey, structure=structure),
        "district": district, "age_band": age_band, "analysis_url": _analysis_url(survey),
        "public_url": survey.url, "min_group": selectors.MIN_GROUP,
    })


@login_required
@require_POST
def codes_create(request, survey_id: int):
    survey = _survey(request, survey_id)
    try:
        created = services.codes_generate(survey=survey, count=request.POST.get("count"), user=request.user)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return redirect("surveys:manage", survey_id=survey.pk)
    batch = created[0].batch
    messages.success(request, _("%(n)d invitation codes were created (batch %(batch)d).") % {"n": len(created),
                                                                                              "batch": batch})
    return redirect(f"{reverse('surveys:manage', args=[survey.pk])}#codes")


@login_required
def codes_csv(request, survey_id: int):
    """Unused codes with their personal links, for the mail merge (UTF-8 with BOM)."""
    survey = _survey(request, survey_id)
    batch = _int(request.GET.get("batch"))
    base = survey_absolute_url(request, survey)
    rows = ({"batch": c.batch, "code": format_code(c.code), "url": f"{base}?code={format_code(c.code)}",
             "qr_png": f"{base}qr.png?code={format_code(c.code)}"}
            for c in selectors.codes_for_print(survey=survey, batch=batch).iterator())
    return csv_response(f"survey-{survey.pk}-codes.csv", ["batch", "code", "url", "qr_png"], rows)


@login_required
def codes_sheet(request, survey_id: int):
    """A printable sheet: one cut-out card per unused code with its QR code (which fills the code in)."""
    survey = _survey(request, survey_id)
    batch = _int(request.GET.get("batch"))
    codes = list(selectors.codes_for_print(survey=survey, batch=batch)[:1000])
    cards = [{"code": format_code(c.code), "qr": f"{survey.url}qr.svg?code={format_code(c.code)}"} for c in codes]
    return render(request, "surveys/codes_sheet.html", {"survey": survey, "cards": cards,
                                                        "short_url": survey_absolute_url(request, survey)})


def _int(value) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


@login_required
def export_csv(request, survey_id: int):
    survey = _survey(request, survey_id)
    structure = survey.structure
    return csv_response(f"survey-{survey.pk}-responses.csv", selectors.export_columns(structure),
                        selectors.export_rows(survey=survey, structure=structure))


@login_required
def export_json(request, survey_id: int):
    survey = _survey(request, survey_id)
    structure = survey.structure
    columns = selectors.export_columns(structure)
    rows = [{c: row.get(c) for c in columns} for row in selectors.export_rows(survey=survey, structure=structure)]
    response = json_response({"survey": survey.pk, "title": survey.title, "columns": columns, "responses": rows},
                             filename=f"survey-{survey.pk}-responses.json")
    del response["Access-Control-Allow-Origin"]  # not open data: every single response
    return response


@login_required
def structure_json(request, survey_id: int):
    survey = _survey(request, survey_id)
    payload = {"survey": survey.pk, "title": survey.title, "audience": survey.audience,
               "opens_at": survey.opens_at, "closes_at": survey.closes_at,
               **selectors.structure_json(survey.structure)}
    return json_response(payload, filename=f"survey-{survey.pk}-structure.json")


@login_required
def paper_entry(request, survey_id: int):
    """Enter one paper questionnaire: every question on one page, checked like the online form."""
    survey = _survey(request, survey_id)
    structure = survey.structure
    errors: dict[str, list[str]] = {}
    raw: dict = {}
    if request.method == "POST":
        raw = raw_from_post(structure.questions, request.POST)
        try:
            services.paper_response_add(survey=survey, raw_answers=raw, user=request.user)
        except ValidationError as exc:
            errors = exc.message_dict
        else:
            messages.success(request, _("The paper answers were saved."))
            return redirect("surveys:paper", survey_id=survey.pk)
    sections = [{"section": s, "fields": [question_field(q, raw.get(q.key), errors.get(q.key)) for q in s.questions]}
                for s in structure.sections]
    return render(request, "surveys/paper_entry.html", {"survey": survey, "sections": sections, "errors": errors},
                  status=400 if errors else 200)


@login_required
@require_POST
def paper_import(request, survey_id: int):
    survey = _survey(request, survey_id)
    upload = request.FILES.get("file")
    if upload is None:
        messages.error(request, _("Choose a CSV file."))
        return redirect("surveys:manage", survey_id=survey.pk)
    if upload.size > 10 * 1024 * 1024:
        messages.error(request, _("The file is larger than 10 MB."))
        return redirect("surveys:manage", survey_id=survey.pk)
    try:
        n = services.paper_import_csv(survey=survey, data=upload.read(), user=request.user)
    except ValidationError as exc:
        for message in exc.messages[:20]:
            messages.error(request, message)
    else:
        messages.success(request, _("%(n)d paper questionnaires were imported.") % {"n": n})
    return redirect("surveys:manage", survey_id=survey.pk)


@login_required
def paper_template_csv(request, survey_id: int):
    """An empty CSV with the header the import expects."""
    survey = _survey(request, survey_id)
    keys = [q.key for q in survey.structure.questions]
    response = HttpResponse("\ufeff" + ",".join(keys) + "\r\n", content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="survey-{survey.pk}-paper-template.csv"'
    return response


def results_json_view(request, survey_id: int):
    survey = _survey(request, survey_id)
    return json_response(selectors.results_json(selectors.survey_results(survey=survey, structure=survey.structure)))

