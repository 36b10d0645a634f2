"""The answering flow on a survey page (one section per screen), QR codes, the poster and public results.

Every screen works without JavaScript: each POST saves the raw answers of the screen into the draft,
then checks them; going back and coming back later show what was given. The last screen is "check
your answers"; only its POST writes a response (``services.response_submit``).
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils import translation
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache

from participation.core import freshness
from participation.core.errors import Conflict
from participation.core.ratelimit import RateLimited, rate_limit_hit
from surveys import qr, selectors, services
from surveys.codes import format_code, normalize_code
from surveys.models import Audience
from surveys.questions import Question, condition_met, display

BROWSER_COOKIE = "survey_browser"
BROWSER_COOKIE_AGE = 365 * 24 * 3600
CODE_RATE_ACTION = "survey_code"


# --- Who is answering ----------------------------------------------------------------------------


def browser_key(request) -> str:
    """A keyed hash of this browser's survey cookie ("" when there is none)."""
    token = request.get_signed_cookie(BROWSER_COOKIE, default="", salt="surveys")
    if not token:
        return ""
    return hmac.new(settings.SECRET_KEY.encode(), f"survey-browser:{token}".encode(), hashlib.sha256).hexdigest()[:40]


def _ensure_browser_cookie(request, response) -> None:
    if not request.get_signed_cookie(BROWSER_COOKIE, default="", salt="surveys"):
        response.set_signed_cookie(BROWSER_COOKIE, secrets.token_hex(16), salt="surveys", max_age=BROWSER_COOKIE_AGE,
                                   httponly=True, samesite="Lax", secure=settings.SESSION_COOKIE_SECURE)


def _code_session_key(survey) -> str:
    return f"survey_code_{survey.canonical.pk}"


def _session_code(request, survey) -> str:
    return request.session.get(_code_session_key(survey), "")


def draft_owner(request, survey) -> str:
    """Whose draft this is: the account, the invitation code or the browser, per the survey's audience."""
    audience = survey.canonical.audience
    code = _session_code(request, survey)
    if code:
        return f"c:{hashlib.sha256(code.encode()).hexdigest()[:40]}"
    if audience == Audience.INVITATION:
        return ""
    if audience == Audience.MEMBERS:
        return f"u:{request.user.pk}" if request.user.is_authenticated else ""
    key = browser_key(request)
    return f"b:{key}" if key else ""


def _identity_ready(request, survey) -> bool:
    return bool(draft_owner(request, survey))


# --- Screens ---------------------------------------------------------------------------------


def _base_context(request, survey, **extra) -> dict[str, Any]:
    canonical = survey.canonical
    return {
        "page": survey, "self": survey, "survey": survey, "canonical": canonical,
        "is_open": survey.is_open(), "is_closed": survey.is_closed(), "not_yet_open": survey.not_yet_open(),
        "can_manage": request.user.has_perm("surveys.manage_survey", canonical),
        "can_view_results": request.user.has_perm("surveys.view_results", survey),
        "sections": survey.structure.sections, **extra,
    }


def _blocked(request, survey):
    """A redirect to the start screen when this person cannot answer now, else None."""
    if not request.user.has_perm("surveys.answer_survey", survey):
        return redirect(survey.url)
    if not _identity_ready(request, survey):
        return redirect(survey.url)
    if services.already_answered(survey=survey, user=request.user, browser_key=browser_key(request),
                                 code=_session_code(request, survey)):
        messages.info(request, _("You have already answered this survey. Thank you!"))
        return redirect(survey.url)
    return None


@never_cache
def survey_start(request, survey):
    canonical = survey.canonical
    code_error = ""
    typed_code = request.GET.get("code", "")
    if request.method == "POST" and "code" in request.POST:
        typed_code = request.POST.get("code", "")
        try:
            found = services.code_check(survey=canonical, code=typed_code)
        except services.InvalidCode as exc:
            code_error = str(exc)
            try:
                rate_limit_hit(CODE_RATE_ACTION, request=request)
            except RateLimited as limited:
                return _rate_limited(request, survey, limited)
        except Conflict as exc:
            code_error = exc.message
        else:
            request.session[_code_session_key(survey)] = found.code
            return redirect(survey.url + "step/0/")
    answered = services.already_answered(survey=survey, user=request.user, browser_key=browser_key(request),
                                         code=_session_code(request, survey))
    draft = services.draft_get(survey=survey, owner=draft_owner(request, survey))
    context = _base_context(
        request, survey, code_error=code_error, typed_code=typed_code, answered=answered, has_draft=bool(draft),
        can_answer=request.user.has_perm("surveys.answer_survey", survey),
        code_ready=bool(_session_code(request, survey)), audience=canonical.audience,
    )
    response = render(request, "surveys/survey_page.html", context, status=400 if code_error else 200)
    if canonical.audience == Audience.BROWSER:
        _ensure_browser_cookie(request, response)
    return response


def _rate_limited(request, survey, limited: RateLimited):
    response = render(request, "429.html", {"message": limited.message, "page": survey}, status=429)
    response["Retry-After"] = str(limited.retry_after)
    return response


def raw_from_post(questions: list[Question], post) -> dict[str, Any]:
    """The answers of one screen as the browser sent them (raw, as kept in the draft)."""
    raw: dict[str, Any] = {}
    for q in questions:
        if q.kind == "multiple":
            raw[q.key] = post.getlist(q.key)
        elif q.kind in ("ranking", "matrix"):
            raw[q.key] = {c.value: post.get(f"{q.key}__{c.value}", "") for c in q.choices}
        else:
            raw[q.key] = post.get(q.key, "")
    return raw


def question_field(q: Question, value: Any, errors: list[str] | None) -> dict[str, Any]:
    """What the template needs to draw one question with its current value (no logic in templates)."""
    field: dict[str, Any] = {"q": q, "errors": errors or [], "id": f"q-{q.key}", "value": value}
    if q.kind in ("single", "multiple"):
        chosen = set(value) if isinstance(value, list) else {str(value)} if value not in (None, "") else set()
        field["options"] = [(c.value, c.label, c.value in chosen) for c in q.choices]
    elif q.kind == "likert":
        field["options"] = [(str(p), label, str(value) == str(p))
                            for p, label in ((1, q.low_label), (2, ""), (3, ""), (4, ""), (5, q.high_label))]
    elif q.kind == "matrix":
        value = value if isinstance(value, dict) else {}
        field["rows"] = [(c.value, c.label, [(str(p), str(value.get(c.value, "")) == str(p)) for p in q.scale])
                         for c in q.choices]
    elif q.kind == "ranking":
        value = value if isinstance(value, dict) else {}
        positions = [str(i) for i in range(1, len(q.choices) + 1)]
        field["items"] = [(c.value, c.label, [(p, str(value.get(c.value, "")) == p) for p in positions])
                          for c in q.choices]
    else:
        field["text_value"] = "" if value is None else str(value)
    return field


def _visible_questions(section, answers: dict[str, Any]) -> list[Question]:
    """Questions of a screen whose condition is met by earlier screens' answers, or that depend on this
    same screen (those are shown with their condition; the server ignores them when it is not met)."""
    same_screen = {q.key for q in section.questions}
    return [q for q in section.questions if q.show_if_question in same_screen or condition_met(q, answers)]


def _next_step(structure, start: int, answers: dict[str, Any]) -> int | None:
    for index in range(start, len(structure.sections)):
        if _visible_questions(structure.sections[index], answers):
            return index
    return None


def _previous_step(structure, before: int, answers: dict[str, Any]) -> int | None:
    for index in range(before - 1, -1, -1):
        if _visible_questions(structure.sections[index], answers):
            return index
    return None


@never_cache
def survey_step(request, survey, step: int):
    blocked = _blocked(request, survey)
    if blocked:
        return blocked
    structure = survey.structure
    if not 0 <= step < len(structure.sections):
        raise Http404
    owner = draft_owner(request, survey)
    data = services.draft_get(survey=survey, owner=owner)
    section = structure.sections[step]
    errors: dict[str, list[str]] = {}
    if request.method == "POST":
        posted = raw_from_post(section.questions, request.POST)
        data.update(posted)
        services.draft_save(survey=survey, owner=owner, data=data, step=step)
        if "save" in request.POST:
            messages.success(request, _("Your answers are saved. You can close this page and continue later on this "
                                        "device."))
            return redirect(f"{survey.url}step/{step}/")
        try:
            earlier = {k: v for k, v in data.items() if k not in posted}
            services.clean_answers(structure, posted, only=_visible_questions(section, earlier), known=earlier,
                                   strict_keys=False)
        except ValidationError as exc:
            errors = exc.message_dict
        else:
            following = _next_step(structure, step + 1, data)
            return redirect(f"{survey.url}step/{following}/" if following is not None else f"{survey.url}review/")
    visible = _visible_questions(section, data)
    if not visible:
        following = _next_step(structure, step + 1, data)
        return redirect(f"{survey.url}step/{following}/" if following is not None else f"{survey.url}review/")
    fields = [question_field(q, data.get(q.key), errors.get(q.key)) for q in visible]
    previous = _previous_step(structure, step, data)
    context = _base_context(
        request, survey, section=section, step=step, fields=fields, errors=errors,
        step_number=step + 1, step_total=len(structure.sections),
        previous_url=f"{survey.url}step/{previous}/" if previous is not None else survey.url,
    )
    return render(request, "surveys/survey_step.html", context, status=400 if errors else 200)


@never_cache
def survey_review(request, survey):
    blocked = _blocked(request, survey)
    if blocked:
        return blocked
    structure = survey.structure
    owner = draft_owner(request, survey)
    data = services.draft_get(survey=survey, owner=owner)
    raw = {q.key: data[q.key] for q in structure.questions if q.key in data}
    errors: dict[str, list[str]] = {}
    cleaned: dict[str, Any] = {}
    try:
        cleaned = services.clean_answers(structure, raw)
    except ValidationError as exc:
        errors = exc.message_dict
    if request.method == "POST" and not errors:
        try:
            services.response_submit(
                survey=survey, raw_answers=raw, user=request.user, browser_key=browser_key(request),
                code=_session_code(request, survey), language=translation.get_language() or settings.LANGUAGE_CODE,
                draft_owner=owner,
            )
        except ValidationError as exc:
            errors = exc.message_dict
        except Conflict as exc:
            messages.info(request, exc.message)
            return redirect(survey.url)
        except PermissionDenied as exc:
            messages.error(request, str(exc))
            return redirect(survey.url)
        else:
            request.session.pop(_code_session_key(survey), None)
            return redirect(survey.url + "thanks/")
    rows = []
    for section in structure.sections:
        for q in section.questions:
            if not condition_met(q, cleaned if not errors else data):
                continue
            rows.append({"q": q, "answer": display(q, cleaned.get(q.key)) if q.key in cleaned else "",
                         "errors": errors.get(q.key, []), "change_url": f"{survey.url}step/{section.index}/#q-{q.key}"})
    context = _base_context(request, survey, rows=rows, errors=errors,
                            step_number=len(structure.sections), step_total=len(structure.sections))
    return render(request, "surveys/survey_review.html", context, status=400 if errors and request.method == "POST" else 200)


def survey_thanks(request, survey):
    return render(request, "surveys/survey_thanks.html", _base_context(request, survey))


# --- QR codes and the poster ---------------------------------------------------------------------


def survey_absolute_url(request, survey) -> str:
    return request.build_absolute_uri(survey.get_url(request))


def survey_qr(request, survey, kind: str):
    url = survey_absolute_url(request, survey)
    code = normalize_code(request.GET.get("code", ""))
    if code:
        url = f"{url}?code={format_code(code)}"
    body, content_type = (qr.svg(url), "image/svg+xml") if kind == "svg" else (qr.png(url), "image/png")
    response = HttpResponse(body, content_type=content_type)
    response["Cache-Control"] = "public, max-age=3600"
    response["Content-Disposition"] = f'inline; filename="survey-{survey.canonical.pk}.{kind}"'
    return response


def survey_qr_by_path(request, page_path: str, kind: str):
    from wagtail.models import Page

    from surveys.models import SurveyPage

    page = Page.find_for_request(request, "/" + page_path)
    page = page.specific if page is not None else None
    if not isinstance(page, SurveyPage) or not page.live or page.get_view_restrictions().exists():
        raise Http404
    return survey_qr(request, page, kind)


def survey_poster(request, survey):
    from django.urls import reverse

    short_url = request.build_absolute_uri(reverse("surveys_short:short", args=[survey.canonical.pk]))
    return render(request, "surveys/survey_poster.html", _base_context(
        request, survey, qr_url=survey.url + "qr.svg", short_url=short_url))


def short_redirect(request, survey_id: int):
    from surveys.models import SurveyPage

    survey = SurveyPage.objects.live().public().filter(pk=survey_id).first()
    if survey is None:
        raise Http404
    language = translation.get_language_from_request(request)
    local = survey.get_translation_or_none(_locale(language)) if language else None
    target = (local.specific if local is not None and local.live else survey)
    return redirect(target.url)


def _locale(language: str):
    from wagtail.models import Locale

    return Locale.objects.filter(language_code=language).first()


# --- Public results --------------------------------------------------------------------------------


def survey_results_public(request, survey):
    if not request.user.has_perm("surveys.view_results", survey):
        raise Http404
    results = selectors.survey_results(survey=survey, structure=survey.structure)
    return render(request, "surveys/survey_results.html", _base_context(request, survey, results=results,
                                                                         public=True))


# --- On a consultation page ------------------------------------------------------------------------


def consultation_section(request, page):
    """The surveys under a consultation (in the page's language), registered with the kernel."""
    from surveys.models import SurveyPage

    # Kept under the site's stamp: publishing, moving or restricting any page bumps it after commit.
    surveys = freshness.cached(
        f"surveys:consultation-section:{page.pk}", [freshness.SITE],
        lambda: list(SurveyPage.objects.child_of(page).live().public().order_by("-opens_at")),
    )
    if not surveys:
        return None
    return "surveys/consultation_section.html", {"surveys": [
        {"page": s, "is_open": s.is_open(), "is_closed": s.is_closed(),
         "results": s.is_closed() and request.user.has_perm("surveys.view_results", s)} for s in surveys
    ]}
