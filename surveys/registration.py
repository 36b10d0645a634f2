"""What surveys tell the kernel: URLs, API, open data, opinion source, metric, account data, demo."""

from __future__ import annotations

from django.conf import settings
from django.db.models import Count
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _

from participation.core.registry import AccountDataSpec, ExportSpec, MetricSpec, OpinionSource, registry

RESULT_FIELDS = {
    "survey_id": _("Survey page id"),
    "survey": _("Survey title"),
    "closed_at": _("Closing time (ISO 8601)"),
    "responses": _("Number of responses to the survey (online and paper)"),
    "question": _("Question key (the same in every language)"),
    "question_text": _("Question text"),
    "type": _("single, multiple, likert, number, ranking or matrix"),
    "item": _("Matrix row or ranked item code (empty otherwise)"),
    "value": _("Answer code, scale point, rank or number range"),
    "label": _("Answer label"),
    "count": _("Number of answers with this value"),
    "percent": _("Percentage of those who answered the question (or the row)"),
}

# The attributes survey answers carry into the opinion analysis, named as the survey results name them.
ATTRIBUTES = {"district": capfirst(_("district")), "age_band": capfirst(_("age band"))}


def published_result_rows():
    """Aggregated results of closed surveys whose results are public; never single responses."""
    from django.utils import timezone

    from surveys.models import SurveyPage
    from surveys.selectors import survey_results

    default_language = settings.LANGUAGE_CODE
    surveys = (SurveyPage.objects.live().public().filter(locale__language_code=default_language, results_public=True,
                                                          closes_at__lte=timezone.now()).order_by("pk"))
    for survey in surveys:
        results = survey_results(survey=survey, structure=survey.structure)
        base = {"survey_id": survey.pk, "survey": survey.title, "closed_at": survey.closes_at.isoformat(),
                "responses": results.total}
        for r in results.questions:
            q = r.question
            for bar in r.bars:
                yield {**base, "question": q.key, "question_text": q.text, "type": q.kind, "item": "",
                       "value": bar.value or bar.label, "label": bar.label, "count": bar.count, "percent": bar.percent}
            for row in r.rows:
                for bar in row["bars"]:
                    yield {**base, "question": q.key, "question_text": q.text, "type": q.kind, "item": row["value"],
                           "value": bar.value, "label": f"{row['label']}: {bar.label}", "count": bar.count,
                           "percent": bar.percent}


def opinion_items(consultation_id: int):
    """Free-text answers of the surveys under a consultation, for theme analysis: each with the day it was
    sent (the city's) and the district and age band the survey asked for, by the survey's choice labels, so the
    review's themes-by tables can break the themes down."""
    from django.utils.timezone import localdate
    from wagtail.models import Page

    from surveys.models import Answer, SurveyPage
    from surveys.selectors import attribute_options

    parent = Page.objects.filter(pk=consultation_id).first()
    if parent is None:
        return
    surveys = SurveyPage.objects.child_of(parent).order_by("pk")
    for survey in surveys:
        structure = survey.structure
        text_keys = [q.key for q in structure.questions if q.kind in ("short_text", "long_text")]
        # The values' labels as the survey's results filter them (the question's choice label, else the value).
        labels = {attribute: dict(options) for attribute, options in attribute_options(
            survey=survey, structure=structure).items()}
        rows = (Answer.objects.filter(survey=survey, question__in=text_keys).exclude(text="")
                .values_list("pk", "text", "district", "age_band", "response__submitted_at").order_by("pk"))
        for pk, text, district, age_band, submitted_at in rows.iterator():
            attributes = {
                attribute: labels[attribute].get(value, value)
                for attribute, value in (("district", district), ("age_band", age_band)) if value
            }
            yield {"id": f"sa{pk}", "text": text, "url": survey.url, "kind": "survey_answer",
                   "date": localdate(submitted_at).isoformat(), **({"attributes": attributes} if attributes else {})}


def attribute_values(consultation_id: int) -> dict[str, dict[str, dict[str, str]]]:
    """How the district and age band of the answers :func:`opinion_items` yields read in each language copy of
    their survey: {"age_band": {"29歳以下": {"ja": "29歳以下", "en": "29 or younger"}}}."""
    from wagtail.models import Page

    from surveys.models import SurveyPage

    parent = Page.objects.filter(pk=consultation_id).first()
    if parent is None:
        return {}
    table: dict[str, dict[str, dict[str, str]]] = {}
    for survey in SurveyPage.objects.child_of(parent).order_by("pk"):
        default = {q.attribute: q for q in survey.structure.questions if q.attribute}
        for copy in survey.get_translations(inclusive=True).select_related("locale").specific():
            language = copy.locale.language_code
            translated = {q.attribute: q for q in copy.structure.questions if q.attribute}
            for attribute, question in default.items():
                if attribute not in translated:
                    continue
                for choice in question.choices:
                    labels = table.setdefault(attribute, {}).setdefault(choice.label, {})
                    labels[language] = translated[attribute].label_of(choice.value)
    return table


def metric_total() -> int:
    from surveys.models import Response

    return Response.objects.count()


def metric_per_consultation() -> dict[int, int]:
    return {}


def metric_daily(since) -> dict:
    from django.db.models.functions import TruncDate

    from surveys.models import Response

    rows = (Response.objects.filter(submitted_at__gte=since).annotate(day=TruncDate("submitted_at"))
            .values("day").annotate(n=Count("id")).order_by())
    return {row["day"]: row["n"] for row in rows}


def account_export(user):
    from surveys.models import Response

    data = {"survey_responses": [
        {"survey": r.survey_id, "response_id": r.public_id, "submitted_at": r.submitted_at.isoformat(),
         "answers": [{"question": a.question, "item": a.item, "choice": a.choice,
                      "number": str(a.number) if a.number is not None else None,
                      "date": a.date.isoformat() if a.date else None, "text": a.text} for a in r.answers.all()]}
        for r in Response.objects.filter(user=user).prefetch_related("answers").order_by("pk")
    ]}
    return data, []


def account_anonymise(user) -> None:
    """Answers stay in the results (they are counted), unlinked from the account; drafts go."""
    from surveys.models import Draft, Response

    Response.objects.filter(user=user).update(user=None)
    Draft.objects.filter(owner=f"u:{user.pk}").delete()


def register() -> None:
    from surveys.api import router
    from surveys.demo import seed_surveys
    from surveys.views import consultation_section

    registry.add_urls("surveys/", "surveys.urls")
    registry.add_urls("s/", "surveys.short_urls", translated=False)
    registry.add_urls("", "surveys.page_urls")
    registry.add_api_router("/", router)
    registry.add("exports", "survey_results", ExportSpec(
        label=_("Survey results (closed surveys with public results)"), fields=RESULT_FIELDS,
        rows=published_result_rows,
    ))
    registry.add("opinion_sources", "surveys", OpinionSource(label=_("Survey free-text answers"), items=opinion_items,
                                                             attributes=ATTRIBUTES, attribute_values=attribute_values))
    registry.add("metrics", "survey_responses", MetricSpec(
        label=_("Survey responses"), total=metric_total, per_consultation=metric_per_consultation, daily=metric_daily,
    ))
    registry.add("account_data", "surveys", AccountDataSpec(export=account_export, anonymise=account_anonymise))
    registry.add_demo_seeder("surveys", seed_surveys, order=60)
    registry.add_consultation_section(consultation_section, order=40)
