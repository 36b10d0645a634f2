"""Reads for surveys: results (aggregated in the database), exports, code counts.

``survey_results`` runs a fixed number of queries whatever the number of responses: choices, scale
points and ranks come from the tally (counts kept with each response, a few hundred rows per survey);
number statistics and bins, and date ranges, are aggregated from the answers of those questions only
(the ``(survey, question, ...)`` index). Python only arranges the grouped rows. Groups of fewer than ``MIN_GROUP`` responses are not
shown when results are filtered by a resident attribute.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db.models import Avg, Count, Max, Min, Q, Sum

from surveys.models import Answer, InvitationCode, Response, Source, SurveyPage, Tally
from surveys.questions import SCALE, Question, Structure

MIN_GROUP = 5
HISTOGRAM_BINS = 5


@dataclass
class Bar:
    label: str
    count: int
    percent: float
    value: str = ""


@dataclass
class QuestionResult:
    question: Question
    answered: int = 0
    bars: list[Bar] = field(default_factory=list)  # choices, scale points or number bins
    rows: list[dict[str, Any]] = field(default_factory=list)  # matrix rows / ranked items
    mean: float | None = None
    minimum: Any = None
    maximum: Any = None
    texts: list[str] = field(default_factory=list)


@dataclass
class Results:
    total: int
    online: int
    paper: int
    suppressed: bool
    questions: list[QuestionResult]
    filters: dict[str, str]


def _pct(count: int, base: int) -> float:
    return round(100.0 * count / base, 1) if base else 0.0


def _filter(qs, district: str, age_band: str):
    if district:
        qs = qs.filter(district=district)
    if age_band:
        qs = qs.filter(age_band=age_band)
    return qs


def survey_results(*, survey: SurveyPage, structure: Structure, district: str = "", age_band: str = "",
                   with_texts: int = 0) -> Results:
    """Counts and percentages per choice, scale distributions, number statistics and bins; optionally the
    latest ``with_texts`` free-text answers per text question (staff only)."""
    survey = survey.canonical
    responses = _filter(Response.objects.filter(survey=survey), district, age_band)
    by_source = dict(responses.values_list("source").annotate(n=Count("id")).order_by())
    total = sum(by_source.values())
    filters = {k: v for k, v in (("district", district), ("age_band", age_band)) if v}
    if filters and total < MIN_GROUP:
        return Results(total, 0, 0, True, [], filters)
    answers = _filter(Answer.objects.filter(survey=survey), district, age_band)
    questions = structure.questions
    by_kind: dict[str, list[str]] = defaultdict(list)
    for q in questions:
        by_kind[q.kind].append(q.key)

    # Choices, scale points, ranks and "answered" counts: the tally (a few hundred rows), summed over the
    # districts and age bands that match the filter.
    counts: dict[tuple[str, str, str], int] = {}
    tally = _filter(Tally.objects.filter(survey=survey), district, age_band)
    for question, item, value, n in (tally.values_list("question", "item", "value").annotate(n=Sum("count"))
                                     .order_by()):
        counts[(question, item, value)] = n or 0
    numeric = _number_stats(answers, [q for q in questions if q.kind == "number"]) if by_kind["number"] else {}
    date_ranges = {}
    if by_kind["date"]:
        for row in (answers.filter(question__in=by_kind["date"]).values("question")
                    .annotate(lo=Min("date"), hi=Max("date")).order_by()):
            date_ranges[row["question"]] = (row["lo"], row["hi"])

    results = []
    for q in questions:
        r = QuestionResult(q)
        r.answered = counts.get((q.key, "", ""), 0)
        if q.kind in ("single", "multiple"):
            per_choice = [(c, counts.get((q.key, "", c.value), 0)) for c in q.choices]
            r.bars = [Bar(c.label, n, _pct(n, r.answered), c.value) for c, n in per_choice]
        elif q.kind == "likert":
            per_point = [(p, counts.get((q.key, "", str(p)), 0)) for p in SCALE]
            r.bars = [Bar(_scale_label(q, p), n, _pct(n, r.answered), str(p)) for p, n in per_point]
            r.mean = _mean(per_point)
        elif q.kind in ("matrix", "ranking"):
            points = SCALE if q.kind == "matrix" else tuple(range(1, len(q.choices) + 1))
            for c in q.choices:
                per_point = [(p, counts.get((q.key, c.value, str(p)), 0)) for p in points]
                n_row = counts.get((q.key, c.value, ""), 0)
                r.rows.append({"label": c.label, "value": c.value, "answered": n_row, "mean": _mean(per_point),
                               "bars": [Bar(_scale_label(q, p) if q.kind == "matrix" else str(p), n, _pct(n, n_row), str(p))
                                        for p, n in per_point]})
            if q.kind == "ranking":
                r.rows.sort(key=lambda row: (row["mean"] is None, row["mean"] or 0))
        elif q.kind == "number":
            stat = numeric.get(q.key) or {}
            r.mean = round(float(stat["mean"]), 2) if stat.get("mean") is not None else None
            r.minimum, r.maximum = stat.get("lo"), stat.get("hi")
            r.bars = [Bar(f"{_fmt(a)}–{_fmt(b)}", n, _pct(n, r.answered)) for a, b, n in stat.get("bins", [])]
        else:
            if q.kind == "date" and q.key in date_ranges:
                r.minimum, r.maximum = date_ranges[q.key]
            if with_texts and q.kind in ("short_text", "long_text"):
                r.texts = list(answers.filter(question=q.key).order_by("-id").values_list("text", flat=True)[:with_texts])
        results.append(r)
    return Results(total, by_source.get(Source.ONLINE, 0), by_source.get(Source.PAPER, 0), False, results, filters)


def _bin_edges(lo, hi) -> list[Decimal]:
    lo, hi = Decimal(lo), Decimal(hi)
    width = (hi - lo) / HISTOGRAM_BINS if hi > lo else Decimal(1)
    return [lo + width * i for i in range(HISTOGRAM_BINS + 1)]


def _number_stats(answers, specs: list[Question]) -> dict[str, dict[str, Any]]:
    """Count, mean, min, max and 5 bins per number question, as aggregates in the database: one query
    when every question declares its range (the usual case), two when bins follow the answers' range."""
    aggregates: dict[str, Any] = {}
    edges: dict[str, list[Decimal]] = {}

    def add_bins(key, bin_edges):
        edges[key] = bin_edges
        for i in range(HISTOGRAM_BINS):
            upper = Q(number__lte=bin_edges[i + 1]) if i == HISTOGRAM_BINS - 1 else Q(number__lt=bin_edges[i + 1])
            aggregates[f"{key}__bin{i}"] = Count("id", filter=Q(question=key, number__gte=bin_edges[i]) & upper)

    for q in specs:
        only = Q(question=q.key)
        aggregates |= {f"{q.key}__n": Count("id", filter=only), f"{q.key}__mean": Avg("number", filter=only),
                       f"{q.key}__lo": Min("number", filter=only), f"{q.key}__hi": Max("number", filter=only)}
        if q.min_value is not None and q.max_value is not None:
            add_bins(q.key, _bin_edges(q.min_value, q.max_value))
    keys = [q.key for q in specs]
    values = answers.filter(question__in=keys).aggregate(**aggregates)
    open_ranges = [q for q in specs if q.key not in edges and values[f"{q.key}__n"]]
    if open_ranges:
        aggregates = {}
        for q in open_ranges:
            lo = q.min_value if q.min_value is not None else values[f"{q.key}__lo"]
            hi = q.max_value if q.max_value is not None else values[f"{q.key}__hi"]
            add_bins(q.key, _bin_edges(lo, hi))
        values |= answers.filter(question__in=[q.key for q in open_ranges]).aggregate(**aggregates)
    stats = {}
    for q in specs:
        stat = {"n": values[f"{q.key}__n"] or 0, "mean": values[f"{q.key}__mean"], "lo": values[f"{q.key}__lo"],
                "hi": values[f"{q.key}__hi"]}
        if q.key in edges and stat["n"]:
            e = edges[q.key]
            stat["bins"] = [(e[i], e[i + 1], values.get(f"{q.key}__bin{i}") or 0) for i in range(HISTOGRAM_BINS)]
        stats[q.key] = stat
    return stats


def _mean(per_point) -> float | None:
    n = sum(count for _, count in per_point)
    return round(sum(p * count for p, count in per_point) / n, 2) if n else None


def _fmt(value) -> str:
    value = Decimal(value).quantize(Decimal("0.01")).normalize()
    return format(value, "f")


def _scale_label(q: Question, point: int) -> str:
    if point == 1 and q.low_label:
        return f"1 {q.low_label}"
    if point == 5 and q.high_label:
        return f"5 {q.high_label}"
    return str(point)


def attribute_options(*, survey: SurveyPage, structure: Structure) -> dict[str, list[tuple[str, str]]]:
    """Values residents gave for district and age band (labelled from the question when there is one)."""
    survey = survey.canonical
    labels: dict[str, Question] = {q.attribute: q for q in structure.questions if q.attribute}
    options: dict[str, list[tuple[str, str]]] = {}
    for attribute in ("district", "age_band"):
        values = (Response.objects.filter(survey=survey).exclude(**{attribute: ""}).values_list(attribute, flat=True)
                  .distinct().order_by(attribute))
        question = labels.get(attribute)
        options[attribute] = [(v, question.label_of(v) if question else v) for v in values]
    return options


def code_counts(*, survey: SurveyPage) -> dict[str, int]:
    """How many invitation codes exist and how many were used; never which."""
    survey = survey.canonical
    agg = InvitationCode.objects.filter(survey=survey).aggregate(
        total=Count("id"), used=Count("id", filter=Q(used_at__isnull=False)))
    return {"total": agg["total"] or 0, "used": agg["used"] or 0}


def codes_for_print(*, survey: SurveyPage, batch: int | None = None):
    qs = InvitationCode.objects.filter(survey=survey.canonical, used_at__isnull=True).order_by("batch", "pk")
    if batch:
        qs = qs.filter(batch=batch)
    return qs


def survey_list_public():
    """Live, public surveys of every language (for the API and open data)."""
    return SurveyPage.objects.live().public().order_by("-opens_at", "pk")


# --- Export: one row per response, one column per question ------------------------------------


def export_columns(structure: Structure) -> list[str]:
    columns = ["response_id", "source", "language", "submitted_at", "district", "age_band"]
    for q in structure.questions:
        if q.kind in ("matrix", "ranking"):
            columns.extend(f"{q.key}.{c.value}" for c in q.choices)
        else:
            columns.append(q.key)
    return columns


def export_rows(*, survey: SurveyPage, structure: Structure):
    """Every response as a flat dict (pseudonymous id; no user, browser or code). Streams in chunks."""
    survey = survey.canonical
    kinds = {q.key: q.kind for q in structure.questions}
    responses = Response.objects.filter(survey=survey).order_by("pk").values(
        "pk", "public_id", "source", "language", "submitted_at", "district", "age_band")
    chunk: list[dict[str, Any]] = []

    def flush(batch):
        by_response: dict[int, dict[str, Any]] = defaultdict(dict)
        for a in Answer.objects.filter(response_id__in=[r["pk"] for r in batch]).values(
                "response_id", "question", "item", "choice", "number", "date", "text").order_by("pk"):
            row = by_response[a["response_id"]]
            kind = kinds.get(a["question"])
            if kind == "multiple":
                row[a["question"]] = f"{row[a['question']]};{a['choice']}" if a["question"] in row else a["choice"]
            elif kind in ("matrix", "ranking"):
                row[f"{a['question']}.{a['item']}"] = int(a["number"])
            elif kind == "single":
                row[a["question"]] = a["choice"]
            elif kind == "likert":
                row[a["question"]] = int(a["number"])
            elif kind == "number":
                row[a["question"]] = format(a["number"].normalize(), "f")
            elif kind == "date":
                row[a["question"]] = a["date"].isoformat()
            elif kind is not None:
                row[a["question"]] = a["text"]
        for r in batch:
            yield {"response_id": r["public_id"], "source": r["source"], "language": r["language"],
                   "submitted_at": r["submitted_at"].isoformat(), "district": r["district"], "age_band": r["age_band"],
                   **by_response.get(r["pk"], {})}

    for r in responses.iterator(chunk_size=1000):
        chunk.append(r)
        if len(chunk) >= 1000:
            yield from flush(chunk)
            chunk = []
    if chunk:
        yield from flush(chunk)


def structure_json(structure: Structure) -> dict[str, Any]:
    return {"sections": [
        {"title": s.title, "intro": s.intro, "questions": [question_json(q) for q in s.questions]}
        for s in structure.sections
    ]}


def question_json(q: Question) -> dict[str, Any]:
    data: dict[str, Any] = {"key": q.key, "type": q.kind, "text": q.text, "help_text": q.help_text,
                            "required": q.required}
    if q.show_if_question:
        data["show_if"] = {"question": q.show_if_question, "value": q.show_if_value}
    if q.kind in ("single", "multiple", "ranking"):
        data["choices"] = [{"value": c.value, "label": c.label} for c in q.choices]
    if q.kind == "matrix":
        data["rows"] = [{"value": c.value, "label": c.label} for c in q.choices]
    if q.kind == "multiple":
        data["min_choices"], data["max_choices"] = q.min_choices, q.max_choices
    if q.kind in ("likert", "matrix"):
        data["scale"] = {"min": 1, "max": 5, "low_label": q.low_label, "high_label": q.high_label}
    if q.kind == "number":
        data["min"] = float(q.min_value) if q.min_value is not None else None
        data["max"] = float(q.max_value) if q.max_value is not None else None
        data["unit"] = q.unit
    if q.kind in ("short_text", "long_text"):
        data["max_length"] = q.max_length
    if q.attribute:
        data["attribute"] = q.attribute
    return data


def results_json(results: Results) -> dict[str, Any]:
    out = {"responses": results.total, "online": results.online, "paper": results.paper,
           "suppressed": results.suppressed, "questions": []}
    for r in results.questions:
        item: dict[str, Any] = {"key": r.question.key, "type": r.question.kind, "text": r.question.text,
                                "answered": r.answered}
        if r.bars:
            item["counts"] = [{"value": b.value, "label": b.label, "count": b.count, "percent": b.percent}
                              for b in r.bars]
        if r.rows:
            item["rows"] = [{"value": row["value"], "label": row["label"], "mean": row["mean"],
                             "counts": [{"value": b.value, "count": b.count, "percent": b.percent} for b in row["bars"]]}
                            for row in r.rows]
        if r.mean is not None:
            item["mean"] = r.mean
        if r.question.kind == "number":
            item["min"] = float(r.minimum) if r.minimum is not None else None
            item["max"] = float(r.maximum) if r.maximum is not None else None
        out["questions"].append(item)
    return out
