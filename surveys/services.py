"""Writes for surveys: submit a response, keep a draft, generate and redeem invitation codes, paper entry.

Each service checks the permission name, validates everything before it writes, writes in one
transaction and publishes ``surveys.response_submitted`` after commit. Errors: ``ValidationError``
(bad answers), ``PermissionDenied`` (closed, not allowed, wrong code) or ``Conflict`` (already answered,
code used).
"""

from __future__ import annotations

import csv
import io
from decimal import Decimal
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, connection, transaction
from django.db.models import Count
from django.utils import timezone
from django.utils.translation import gettext as _

from participation.core.errors import Conflict
from participation.core.events import publish
from surveys.codes import new_code, normalize_code
from surveys.models import Answer, Audience, Draft, InvitationCode, Response, Source, SurveyPage, Tally
from surveys.questions import Structure, clean_answers, structure_from_stream

EVENT_RESPONSE_SUBMITTED = "surveys.response_submitted"
MAX_CODES_PER_BATCH = 5000
MAX_IMPORT_ROWS = 20000


class InvalidCode(PermissionDenied):
    """The invitation code does not exist for this survey (counted by the wrong-code rate limit)."""


def _canonical(survey) -> SurveyPage:
    survey = getattr(survey, "specific", survey)
    return survey.canonical


def canonical_structure(survey) -> Structure:
    return structure_from_stream(_canonical(survey).questions)


def answer_rows(structure: Structure, answers: dict[str, Any]) -> list[dict[str, Any]]:
    """Cleaned answers as typed rows: one per choice, ranked item or matrix row."""
    rows: list[dict[str, Any]] = []
    for question in structure.questions:
        if question.key not in answers:
            continue
        value = answers[question.key]
        kind = question.kind
        if kind == "single":
            rows.append({"question": question.key, "choice": value})
        elif kind == "multiple":
            rows.extend({"question": question.key, "choice": v} for v in value)
        elif kind in ("likert", "number"):
            rows.append({"question": question.key, "number": Decimal(value)})
        elif kind == "date":
            rows.append({"question": question.key, "date": value})
        elif kind in ("short_text", "long_text"):
            rows.append({"question": question.key, "text": value})
        elif kind in ("ranking", "matrix"):
            rows.extend({"question": question.key, "item": k, "number": Decimal(v)} for k, v in value.items())
    return rows


def _attributes(structure: Structure, answers: dict[str, Any], user) -> tuple[str, str]:
    district = age_band = ""
    for question in structure.questions:
        if question.attribute == "district" and isinstance(answers.get(question.key), str):
            district = answers[question.key]
        elif question.attribute == "age_band" and isinstance(answers.get(question.key), str):
            age_band = answers[question.key]
    if not district and user is not None and getattr(user, "is_authenticated", False):
        district = (getattr(user, "district", "") or "")[:80]
    return district, age_band


# --- Tally (the counts results read) --------------------------------------------------------------


def tally_keys(rows: list[dict[str, Any]], scale_keys: set[str]) -> list[tuple[str, str, str]]:
    """(question, item, value) keys one response adds to: each choice or scale point, plus one
    "answered" key per question (and per matrix row / ranked item). Free text, dates and numbers only
    count as answered; their values are read from the answers."""
    keys: list[tuple[str, str, str]] = []
    answered: set[tuple[str, str]] = set()
    for row in rows:
        question, item = row["question"], row.get("item", "")
        if row.get("choice"):
            keys.append((question, "", row["choice"]))
        elif item:
            keys.append((question, item, str(int(row["number"]))))
        elif question in scale_keys:
            keys.append((question, "", str(int(row["number"]))))
        if (question, "") not in answered:
            answered.add((question, ""))
            keys.append((question, "", ""))
        if item and (question, item) not in answered:
            answered.add((question, item))
            keys.append((question, item, ""))
    return keys


def tally_add(*, survey_id: int, district: str, age_band: str, rows: list[dict[str, Any]], scale_keys: set[str],
              sign: int = 1) -> None:
    """Add one response's answers to the tally, in the caller's transaction. Keys are written in sorted
    order so concurrent responses lock the shared rows in the same order (no deadlocks)."""
    keys = sorted(set(tally_keys(rows, scale_keys)))
    if not keys:
        return
    table = Tally._meta.db_table
    placeholders = ", ".join(["(%s, %s, %s, %s, %s, %s, %s)"] * len(keys))
    params: list[Any] = []
    for question, item, value in keys:
        params += [survey_id, district, age_band, question, item, value, sign]
    # The table name comes from the model and every value is a parameter.
    sql = (f"INSERT INTO {table} (survey_id, district, age_band, question, item, value, count) "  # noqa: S608
           f"VALUES {placeholders} ON CONFLICT (survey_id, district, age_band, question, item, value) "
           f"DO UPDATE SET count = {table}.count + excluded.count")
    with connection.cursor() as cursor:
        cursor.execute(sql, params)


def _tally_from_answers(survey) -> dict[tuple, int]:
    survey = _canonical(survey)
    structure = canonical_structure(survey)
    scale_keys = {q.key for q in structure.questions if q.kind == "likert"}
    counts: dict[tuple, int] = {}
    answers = Answer.objects.filter(survey=survey)
    for row in (answers.values("district", "age_band", "question", "item", "choice", "number")
                .annotate(n=Count("id")).order_by()):
        base = (row["district"], row["age_band"], row["question"])
        if row["choice"]:
            key = (*base, "", row["choice"])
        elif row["item"]:
            key = (*base, row["item"], str(int(row["number"])))
        elif row["question"] in scale_keys:
            key = (*base, "", str(int(row["number"])))
        else:
            key = None
        if key is not None:
            counts[key] = counts.get(key, 0) + row["n"]
    for row in (answers.values("district", "age_band", "question").annotate(n=Count("response_id", distinct=True))
                .order_by()):
        counts[(row["district"], row["age_band"], row["question"], "", "")] = row["n"]
    for row in (answers.exclude(item="").values("district", "age_band", "question", "item")
                .annotate(n=Count("response_id", distinct=True)).order_by()):
        counts[(row["district"], row["age_band"], row["question"], row["item"], "")] = row["n"]
    return counts


def tally_rebuild(survey) -> int:
    """Recompute a survey's tally from its answers (after bulk imports, or to repair); returns rows."""
    survey = _canonical(survey)
    counts = _tally_from_answers(survey)
    with transaction.atomic():
        Tally.objects.filter(survey=survey).delete()
        Tally.objects.bulk_create([
            Tally(survey=survey, district=d, age_band=a, question=q, item=i, value=v, count=n)
            for (d, a, q, i, v), n in counts.items()
        ], batch_size=1000)
    return len(counts)


def tally_mismatches(survey) -> list[tuple]:
    """Keys where the stored tally differs from the answers (empty when they agree)."""
    survey = _canonical(survey)
    expected = _tally_from_answers(survey)
    stored = {(t.district, t.age_band, t.question, t.item, t.value): t.count
              for t in Tally.objects.filter(survey=survey) if t.count}
    return sorted(k for k in set(expected) | set(stored) if expected.get(k, 0) != stored.get(k, 0))


def code_check(*, survey, code: str) -> InvitationCode:
    """The unused code of this survey that ``code`` names; InvalidCode or Conflict otherwise."""
    survey = _canonical(survey)
    normalized = normalize_code(code)
    found = InvitationCode.objects.filter(survey=survey, code=normalized).first() if normalized else None
    if found is None:
        raise InvalidCode(_("This invitation code is not valid for this survey. Please check the code on your letter."))
    if found.used_at is not None:
        raise Conflict(_("This invitation code has already been used to answer the survey."), code="code_used")
    return found


def _store(*, survey: SurveyPage, structure: Structure, answers: dict[str, Any], user, browser_key: str,
           language: str, source: str, invitation: InvitationCode | None) -> Response:
    district, age_band = _attributes(structure, answers, user if source == Source.ONLINE else None)
    rows = answer_rows(structure, answers)
    try:
        with transaction.atomic():
            if invitation is not None:
                # The conditional UPDATE takes the row lock: of two concurrent uses, the second waits for the
                # first to commit, then finds used_at set and updates nothing.
                taken = InvitationCode.objects.filter(pk=invitation.pk, used_at__isnull=True).update(
                    used_at=timezone.now())
                if taken != 1:
                    raise Conflict(_("This invitation code has already been used to answer the survey."),
                                   code="code_used")
            response = Response.objects.create(
                survey=survey, user=user if (user is not None and user.is_authenticated and source == Source.ONLINE)
                else None, browser_key=browser_key, source=source, language=language[:8], district=district,
                age_band=age_band, via_invitation=invitation is not None,
            )
            Answer.objects.bulk_create([
                Answer(response=response, survey=survey, district=district, age_band=age_band, **row) for row in rows
            ], batch_size=500)
            tally_add(survey_id=survey.pk, district=district, age_band=age_band, rows=rows,
                      scale_keys={q.key for q in structure.questions if q.kind == "likert"})
            publish(EVENT_RESPONSE_SUBMITTED, survey_id=survey.pk)
    except IntegrityError:
        raise Conflict(_("You have already answered this survey. Thank you!"), code="already_answered") from None
    return response


def response_submit(*, survey, raw_answers: dict[str, Any], user, browser_key: str = "", code: str = "",
                    language: str = "ja", draft_owner: str = "") -> Response:
    """Submit one online response: the survey must be open to this person, every answer valid, and the
    person (account, browser or code, per the survey's audience) must not have answered yet."""
    survey = _canonical(survey)
    if not survey.is_open():
        if survey.not_yet_open():
            raise PermissionDenied(_("This survey is not open yet."))
        raise PermissionDenied(_("This survey is closed. Thank you for your interest."))
    if not user.has_perm("surveys.answer_survey", survey):
        raise PermissionDenied(_("Please sign in to answer this survey."))
    invitation = None
    if code or survey.audience == Audience.INVITATION:
        # A code is required for invitation surveys and accepted on the others (a sampled resident's
        # letter); with a code, the code is what allows one response, not the browser.
        invitation = code_check(survey=survey, code=code)
    structure = canonical_structure(survey)
    if not isinstance(raw_answers, dict):
        raise ValidationError(_("The answers are not valid."))
    answers = clean_answers(structure, raw_answers)
    if invitation is not None or survey.audience == Audience.MEMBERS:
        browser_key = ""
    elif not browser_key:
        raise PermissionDenied(_("Please allow cookies for this site to answer this survey."))
    respondent = user if survey.audience == Audience.MEMBERS else (user if invitation is None else None)
    response = _store(survey=survey, structure=structure, answers=answers, user=respondent, browser_key=browser_key,
                      language=language, source=Source.ONLINE, invitation=invitation)
    _draft_drop(survey, draft_owner)
    return response


def already_answered(*, survey, user, browser_key: str = "", code: str = "") -> bool:
    """Whether this person has answered (with a code: whether the code was used)."""
    survey = _canonical(survey)
    if code:
        return InvitationCode.objects.filter(survey=survey, code=code, used_at__isnull=False).exists()
    if survey.audience == Audience.INVITATION:
        return False
    if user is not None and user.is_authenticated and Response.objects.filter(survey=survey, user=user).exists():
        return True
    return bool(survey.audience == Audience.BROWSER and browser_key
                and Response.objects.filter(survey=survey, browser_key=browser_key).exists())


def _draft_drop(survey, owner: str) -> None:
    if owner:
        Draft.objects.filter(survey=survey, owner=owner).delete()


def draft_get(*, survey, owner: str) -> dict[str, Any]:
    if not owner:
        return {}
    draft = Draft.objects.filter(survey=_canonical(survey), owner=owner).only("data").first()
    return dict(draft.data) if draft else {}


def draft_save(*, survey, owner: str, data: dict[str, Any], step: int) -> None:
    """Keep the raw answers given so far (no validation: a half-finished screen may be saved)."""
    if not owner:
        return
    Draft.objects.update_or_create(survey=_canonical(survey), owner=owner,
                                   defaults={"data": data, "step": step, "updated_at": timezone.now()})


def codes_generate(*, survey, count: int, user) -> list[InvitationCode]:
    """Create ``count`` new single-use codes (one batch) for the survey."""
    survey = _canonical(survey)
    if not user.has_perm("surveys.manage_survey", survey):
        raise PermissionDenied(_("Only staff can create invitation codes."))
    try:
        count = int(count)
    except (TypeError, ValueError):
        count = 0
    if not 1 <= count <= MAX_CODES_PER_BATCH:
        raise ValidationError({"count": [_("Enter a number from 1 to %(max)d.") % {"max": MAX_CODES_PER_BATCH}]})
    with transaction.atomic():
        last = InvitationCode.objects.filter(survey=survey).order_by("-batch").values_list("batch", flat=True).first()
        batch = (last or 0) + 1
        codes: set[str] = set()
        while len(codes) < count:
            codes.add(new_code())
        # 65 random bits: a collision with an existing code is astronomically unlikely; the unique index decides.
        created = InvitationCode.objects.bulk_create([InvitationCode(survey=survey, code=c, batch=batch) for c in codes])
    return created


# --- Paper answers ----------------------------------------------------------------------------


def paper_row_raw(structure: Structure, row: dict[str, str]) -> dict[str, Any]:
    """A CSV row (one column per question key) in the raw answer shape. Multiple choices are separated
    by ``;``, a ranking is ``a>b>c``, a matrix is ``row=3;row2=5``."""
    raw: dict[str, Any] = {}
    for question in structure.questions:
        cell = (row.get(question.key) or "").strip()
        if not cell:
            continue
        if question.kind == "multiple":
            raw[question.key] = [part.strip() for part in cell.split(";") if part.strip()]
        elif question.kind == "ranking":
            raw[question.key] = [part.strip() for part in cell.split(">") if part.strip()]
        elif question.kind == "matrix":
            pairs = [part.split("=", 1) for part in cell.split(";") if part.strip()]
            raw[question.key] = {p[0].strip(): p[1].strip() if len(p) > 1 else "" for p in pairs}
        else:
            raw[question.key] = cell
    return raw


def paper_response_add(*, survey, raw_answers: dict[str, Any], user) -> Response:
    """Staff enter one paper questionnaire (marked as paper; at any time, also after closing)."""
    survey = _canonical(survey)
    if not user.has_perm("surveys.manage_survey", survey):
        raise PermissionDenied(_("Only staff can enter paper answers."))
    structure = canonical_structure(survey)
    answers = clean_answers(structure, raw_answers)
    return _store(survey=survey, structure=structure, answers=answers, user=None, browser_key="",
                  language=survey.locale.language_code, source=Source.PAPER, invitation=None)


def paper_import_csv(*, survey, data: bytes, user) -> int:
    """Import paper questionnaires from a CSV (UTF-8, with or without BOM; header = question keys). Every
    row is checked first; one bad row refuses the whole file, with its line numbers, and stores nothing."""
    survey = _canonical(survey)
    if not user.has_perm("surveys.manage_survey", survey):
        raise PermissionDenied(_("Only staff can import paper answers."))
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise ValidationError(_("The file is not UTF-8 text. Save it as “CSV UTF-8” and try again.")) from None
    reader = csv.DictReader(io.StringIO(text))
    structure = canonical_structure(survey)
    keys = {q.key for q in structure.questions}
    unknown = [h for h in (reader.fieldnames or []) if h and h.strip() not in keys]
    if not reader.fieldnames:
        raise ValidationError(_("The file is empty."))
    if unknown:
        raise ValidationError(_("Unknown columns: %(cols)s. The header must use the question keys.")
                              % {"cols": ", ".join(unknown)})
    cleaned: list[dict[str, Any]] = []
    problems: list[str] = []
    for line, row in enumerate(reader, start=2):
        if line - 1 > MAX_IMPORT_ROWS:
            raise ValidationError(_("At most %(n)d rows can be imported at once.") % {"n": MAX_IMPORT_ROWS})
        row = {(k or "").strip(): v for k, v in row.items()}
        try:
            cleaned.append(clean_answers(structure, paper_row_raw(structure, row)))
        except ValidationError as exc:
            details = "; ".join(f"{k}: {' '.join(v)}" for k, v in exc.message_dict.items())
            problems.append(_("Line %(line)d: %(details)s") % {"line": line, "details": details})
    if problems:
        raise ValidationError(problems[:50])
    if not cleaned:
        raise ValidationError(_("The file has no rows."))
    with transaction.atomic():
        for answers in cleaned:
            _store(survey=survey, structure=structure, answers=answers, user=None, browser_key="",
                   language=survey.locale.language_code, source=Source.PAPER, invitation=None)
    return len(cleaned)
