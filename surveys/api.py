"""JSON API for surveys (mounted at /api/v1/ by the kernel): list, questions, answer, public results.

Answering follows the same rules as the form (``services.response_submit``): a signed-in session
(with the X-CSRFToken header), the browser's survey cookie, or an invitation code in the body.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.utils import translation
from django.utils.translation import gettext as _
from ninja import Router, Schema, Status
from ninja.utils import check_csrf

from participation.core.ratelimit import rate_limit_hit
from surveys import selectors, services
from surveys.models import SurveyPage
from surveys.views import CODE_RATE_ACTION, browser_key

router = Router(tags=["surveys"])


class SurveyOut(Schema):
    id: int
    canonical_id: int
    language: str
    title: str
    intro: str
    url: str
    opens_at: datetime
    closes_at: datetime | None
    audience: str
    is_open: bool
    results_public: bool


class SurveyDetailOut(SurveyOut):
    sections: list[dict[str, Any]]


class ResponseIn(Schema):
    answers: dict[str, Any]
    code: str | None = None


class ResponseOut(Schema):
    id: str
    survey: int
    submitted_at: datetime


def _out(survey: SurveyPage) -> dict[str, Any]:
    canonical = survey.canonical
    return {"id": survey.pk, "canonical_id": canonical.pk, "language": survey.locale.language_code,
            "title": survey.title, "intro": survey.intro, "url": survey.url, "opens_at": canonical.opens_at,
            "closes_at": canonical.closes_at, "audience": canonical.audience, "is_open": survey.is_open(),
            "results_public": canonical.results_public}


def _get(survey_id: int) -> SurveyPage:
    survey = selectors.survey_list_public().filter(pk=survey_id).select_related("locale").first()
    if survey is None:
        raise Http404
    return survey


@router.get("/surveys", response=list[SurveyOut], summary="Live surveys in every language")
def survey_list(request):
    return [_out(s) for s in selectors.survey_list_public().select_related("locale")]


@router.get("/surveys/{survey_id}", response=SurveyDetailOut, summary="A survey with its questions")
def survey_detail(request, survey_id: int):
    survey = _get(survey_id)
    return {**_out(survey), **selectors.structure_json(survey.structure)}


@router.post("/surveys/{survey_id}/responses", response={201: ResponseOut}, summary="Answer a survey",
             description="`answers` maps question keys to answers: a code (single choice), a list of codes (multiple "
                         "choice), 1-5 (scale), a number, YYYY-MM-DD, text, a list of item codes in order (ranking) "
                         "or {row code: 1-5} (matrix). 400 invalid answers, 403 closed / not allowed / wrong code, "
                         "409 already answered or code used.")
def response_create(request, survey_id: int, payload: ResponseIn):
    survey = _get(survey_id)
    if request.user.is_authenticated:
        denied = check_csrf(request)
        if denied:
            raise PermissionDenied(_("The CSRF token is missing or wrong."))
    try:
        response = services.response_submit(
            survey=survey, raw_answers=payload.answers, user=request.user, browser_key=browser_key(request),
            code=payload.code or "", language=survey.locale.language_code or translation.get_language(),
        )
    except services.InvalidCode:
        rate_limit_hit(CODE_RATE_ACTION, request=request)
        raise
    return Status(201, {"id": response.public_id, "survey": response.survey_id, "submitted_at": response.submitted_at})


@router.get("/surveys/{survey_id}/results", summary="Results (staff any time; everyone after closing if public)")
def survey_results(request, survey_id: int):
    survey = _get(survey_id)
    if not request.user.has_perm("surveys.view_results", survey):
        raise PermissionDenied(_("The results of this survey are not public."))
    results = selectors.survey_results(survey=survey, structure=survey.structure)
    return {"survey": survey.pk, "title": survey.title, **selectors.results_json(results)}
