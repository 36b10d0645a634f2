"""A survey's structure as plain data, and the one place answers are checked.

The form (one screen at a time), the API, paper entry and the CSV import all call
``clean_answers``; what it returns is what gets stored. Raw answers are what a browser or an API
client sends: a string for single choice, Likert, number, date and text; a list of codes for
multiple choice; a mapping ``{item code: rank}`` for ranking (or a list of codes in order) and
``{row code: 1..5}`` for a matrix.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from participation.core.text import plain_text

SCALE = (1, 2, 3, 4, 5)
TEXT_KINDS = ("short_text", "long_text")
CHOICE_KINDS = ("single", "multiple")
KIND_OF_BLOCK = {
    "single_choice": "single", "multiple_choice": "multiple", "likert": "likert", "number": "number",
    "date": "date", "short_text": "short_text", "long_text": "long_text", "ranking": "ranking", "matrix": "matrix",
}
MAX_NUMBER_DIGITS = 12


@dataclass(frozen=True)
class Choice:
    value: str
    label: str


@dataclass
class Question:
    key: str
    kind: str
    text: str
    help_text: str = ""
    required: bool = True
    show_if_question: str = ""
    show_if_value: str = ""
    choices: list[Choice] = field(default_factory=list)  # choices, ranking items or matrix rows
    min_choices: int | None = None
    max_choices: int | None = None
    min_value: Decimal | None = None
    max_value: Decimal | None = None
    unit: str = ""
    max_length: int = 0
    low_label: str = ""
    high_label: str = ""
    attribute: str = ""
    section: int = 0

    @property
    def choice_values(self) -> list[str]:
        return [c.value for c in self.choices]

    def label_of(self, value: str) -> str:
        for c in self.choices:
            if c.value == value:
                return c.label
        return value

    @property
    def is_conditional(self) -> bool:
        return bool(self.show_if_question)

    @property
    def scale(self) -> tuple[int, ...]:
        return SCALE


@dataclass
class Section:
    index: int
    title: str
    intro: str
    questions: list[Question] = field(default_factory=list)


@dataclass
class Structure:
    sections: list[Section]

    @property
    def questions(self) -> list[Question]:
        return [q for s in self.sections for q in s.questions]

    def question(self, key: str) -> Question | None:
        for q in self.questions:
            if q.key == key:
                return q
        return None

    def localized(self, other: Structure | None) -> Structure:
        """This (canonical) structure with the labels of a language copy, where the copy has them."""
        if other is None:
            return self
        theirs = {q.key: q for q in other.questions}
        section_titles = {s.index: s for s in other.sections}
        sections = []
        for s in self.sections:
            t = section_titles.get(s.index)
            new = Section(s.index, t.title if t else s.title, t.intro if t else s.intro)
            for q in s.questions:
                tq = theirs.get(q.key)
                if tq is not None and tq.kind == q.kind:
                    labels = {c.value: c.label for c in tq.choices}
                    q = Question(**{**q.__dict__, "text": tq.text, "help_text": tq.help_text, "unit": tq.unit,
                                    "low_label": tq.low_label, "high_label": tq.high_label,
                                    "choices": [Choice(c.value, labels.get(c.value, c.label)) for c in q.choices]})
                new.questions.append(q)
            sections.append(new)
        return Structure(sections)


def _decimal(value) -> Decimal | None:
    if value in (None, ""):
        return None
    return Decimal(str(value))


def structure_from_stream(stream) -> Structure:
    """Sections and questions from a survey page's StreamField value (questions before the first
    section block form an untitled first section)."""
    sections: list[Section] = []
    for child in stream:
        block_type = child.block_type
        value = child.value
        if block_type == "section":
            sections.append(Section(len(sections), value.get("title") or "", value.get("intro") or ""))
            continue
        kind = KIND_OF_BLOCK.get(block_type)
        if kind is None:
            continue
        if not sections:
            sections.append(Section(0, "", ""))
        items = value.get("rows") if kind == "matrix" else value.get("choices")
        question = Question(
            key=value.get("key") or "", kind=kind, text=value.get("text") or "", help_text=value.get("help_text") or "",
            required=bool(value.get("required")), show_if_question=value.get("show_if_question") or "",
            show_if_value=value.get("show_if_value") or "",
            choices=[Choice(str(c.get("value")), c.get("label") or "") for c in (items or [])],
            min_choices=value.get("min_choices"), max_choices=value.get("max_choices"),
            min_value=_decimal(value.get("min_value")), max_value=_decimal(value.get("max_value")),
            unit=value.get("unit") or "", max_length=value.get("max_length") or 0,
            low_label=value.get("low_label") or "", high_label=value.get("high_label") or "",
            attribute=value.get("attribute") or "", section=len(sections) - 1,
        )
        sections[-1].questions.append(question)
    return Structure([s for s in sections if s.questions] if any(s.questions for s in sections) else sections)


def structure_errors(structure: Structure) -> list[str]:
    """What makes a structure unusable: duplicate keys or codes, conditions on unknown or later questions."""
    problems: list[str] = []
    seen: dict[str, Question] = {}
    attributes: set[str] = set()
    for q in structure.questions:
        if q.key in seen:
            problems.append(_("The key “%(key)s” is used by more than one question.") % {"key": q.key})
        values = q.choice_values
        if len(set(values)) != len(values):
            problems.append(_("Question “%(key)s” has the same code twice.") % {"key": q.key})
        if q.kind == "multiple" and q.min_choices and q.max_choices and q.min_choices > q.max_choices:
            problems.append(_("Question “%(key)s”: “at least” is more than “at most”.") % {"key": q.key})
        if q.kind == "number" and q.min_value is not None and q.max_value is not None and q.min_value > q.max_value:
            problems.append(_("Question “%(key)s”: the minimum is above the maximum.") % {"key": q.key})
        if q.show_if_question:
            target = seen.get(q.show_if_question)
            if target is None:
                problems.append(_("Question “%(key)s” depends on “%(other)s”, which is not an earlier question.")
                                % {"key": q.key, "other": q.show_if_question})
        if q.attribute:
            if q.attribute in attributes:
                problems.append(_("Only one question can give the residents' %(attr)s.") % {"attr": q.attribute})
            attributes.add(q.attribute)
        seen[q.key] = q
    return problems


# --- Answers ----------------------------------------------------------------------------------


def condition_met(question: Question, answers: dict[str, Any]) -> bool:
    """A conditional question is shown when the earlier answer equals (or, for multiple choice, contains)
    the given code."""
    if not question.show_if_question:
        return True
    given = answers.get(question.show_if_question)
    if given is None:
        return False
    if isinstance(given, list | tuple | set):
        return question.show_if_value in {str(v) for v in given}
    return str(given) == question.show_if_value


def _empty(raw) -> bool:
    if raw is None:
        return True
    if isinstance(raw, str):
        return raw.strip() == ""
    if isinstance(raw, list | tuple | dict):
        return all(_empty(v) for v in (raw.values() if isinstance(raw, dict) else raw))
    return False


def _scale_value(raw) -> int:
    try:
        number = int(str(raw).strip())
    except (TypeError, ValueError):
        number = 0
    if number not in SCALE:
        raise ValidationError(_("Choose a value from 1 to 5."))
    return number


def clean_answer(question: Question, raw) -> Any:
    """One answer, checked against its question; raises ValidationError with a translated message."""
    kind = question.kind
    if kind == "single":
        value = str(raw).strip() if not isinstance(raw, list | dict) else None
        if value not in question.choice_values:
            raise ValidationError(_("Choose one of the given answers."))
        return value
    if kind == "multiple":
        if not isinstance(raw, list | tuple):
            raise ValidationError(_("Give the chosen answers as a list."))
        values = [str(v).strip() for v in raw if str(v).strip()]
        if any(v not in question.choice_values for v in values):
            raise ValidationError(_("Choose only from the given answers."))
        chosen = [v for v in question.choice_values if v in set(values)]  # question order, no duplicates
        if question.min_choices and len(chosen) < question.min_choices:
            raise ValidationError(_("Choose at least %(n)d answers.") % {"n": question.min_choices})
        if question.max_choices and len(chosen) > question.max_choices:
            raise ValidationError(_("Choose at most %(n)d answers.") % {"n": question.max_choices})
        return chosen
    if kind == "likert":
        return _scale_value(raw)
    if kind == "number":
        text = str(raw).strip().replace(",", "").translate(str.maketrans("０１２３４５６７８９．－", "0123456789.-"))
        try:
            number = Decimal(text)
        except (InvalidOperation, ValueError):
            raise ValidationError(_("Enter a number, for example 3 or 2.5.")) from None
        # The column holds 18 digits before and 6 after the point; anything beyond is not a real answer.
        if not number.is_finite() or (number and number.adjusted() >= MAX_NUMBER_DIGITS):
            raise ValidationError(_("Enter a number, for example 3 or 2.5."))
        number = number.quantize(Decimal("0.000001"))
        if question.min_value is not None and number < question.min_value:
            raise ValidationError(_("Enter a number of at least %(min)s.") % {"min": question.min_value})
        if question.max_value is not None and number > question.max_value:
            raise ValidationError(_("Enter a number of at most %(max)s.") % {"max": question.max_value})
        return number
    if kind == "date":
        try:
            return dt.date.fromisoformat(str(raw).strip())
        except ValueError:
            raise ValidationError(_("Enter a date such as 2026-04-01.")) from None
    if kind in TEXT_KINDS:
        text = plain_text(raw)
        limit = question.max_length or (200 if kind == "short_text" else 4000)
        if len(text) > limit:
            raise ValidationError(_("Write at most %(max)d characters (you wrote %(n)d).") % {"max": limit, "n": len(text)})
        if not text:
            raise ValidationError(_("Please answer this question."))
        return text
    if kind == "ranking":
        if isinstance(raw, list | tuple):
            raw = {str(item): index + 1 for index, item in enumerate(raw)}
        if not isinstance(raw, dict):
            raise ValidationError(_("Give each item a different rank."))
        if set(raw) - set(question.choice_values):
            raise ValidationError(_("Rank only the given items."))
        ranks = {}
        for item in question.choice_values:
            try:
                ranks[item] = int(str(raw.get(item, "")).strip())
            except ValueError:
                raise ValidationError(_("Give each item a different rank.")) from None
        if sorted(ranks.values()) != list(range(1, len(question.choices) + 1)):
            raise ValidationError(_("Give each item a different rank from 1 to %(n)d.") % {"n": len(question.choices)})
        return ranks
    if kind == "matrix":
        if not isinstance(raw, dict):
            raise ValidationError(_("Choose a value from 1 to 5 for each item."))
        if set(raw) - set(question.choice_values):
            raise ValidationError(_("Answer only the given items."))
        result = {}
        for row in question.choice_values:
            value = raw.get(row)
            if _empty(value):
                if question.required:
                    raise ValidationError(_("Choose a value from 1 to 5 for each item."))
                continue
            result[row] = _scale_value(value)
        return result
    raise ValidationError(_("Unknown question type."))


def clean_answers(structure: Structure, raw: dict[str, Any], *, only: list[Question] | None = None,
                  known: dict[str, Any] | None = None, strict_keys: bool = True) -> dict[str, Any]:
    """Check the answers to ``only`` (default: every question). Hidden questions (condition not met)
    are dropped; missing required answers, unknown keys and invalid values are collected into one
    ValidationError keyed by question key. ``known`` holds answers from earlier screens."""
    questions = only if only is not None else structure.questions
    errors: dict[str, list] = {}
    if strict_keys:
        allowed = {q.key for q in questions}
        for key in raw:
            if key not in allowed:
                errors.setdefault("__all__", []).append(_("There is no question “%(key)s” in this survey.") % {"key": key})
    answers: dict[str, Any] = dict(known or {})
    result: dict[str, Any] = {}
    for question in questions:
        if not condition_met(question, answers):
            answers.pop(question.key, None)
            continue
        value = raw.get(question.key)
        if _empty(value):
            if question.required:
                errors[question.key] = [_("Please answer this question.")]
            continue
        try:
            cleaned = clean_answer(question, value)
        except ValidationError as exc:
            errors[question.key] = exc.messages
            continue
        if cleaned in ("", [], {}):
            if question.required:
                errors[question.key] = [_("Please answer this question.")]
            continue
        answers[question.key] = result[question.key] = cleaned
    if errors:
        raise ValidationError(errors)
    return result


def to_raw(question: Question, value: Any) -> Any:
    """A cleaned answer back in the raw shape (drafts keep raw answers; the review screen reads them)."""
    if isinstance(value, Decimal):
        return format(value.normalize(), "f")
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, dict):
        return {k: str(v) for k, v in value.items()}
    if isinstance(value, list):
        return [str(v) for v in value]
    return str(value)


def display(question: Question, value: Any) -> str:
    """An answer as a resident reads it on the review screen."""
    if value is None or value == "" or value == [] or value == {}:
        return ""
    kind = question.kind
    if kind == "single":
        return question.label_of(str(value))
    if kind == "multiple":
        return "、".join(question.label_of(v) for v in value)
    if kind == "likert":
        return f"{value} / 5"
    if kind == "number":
        return f"{to_raw(question, value)} {question.unit}".strip()
    if kind == "ranking":
        ordered = sorted(value.items(), key=lambda kv: int(kv[1]))
        return " > ".join(question.label_of(k) for k, _rank in ordered)
    if kind == "matrix":
        return "; ".join(f"{question.label_of(k)}: {v}" for k, v in value.items())
    return str(value)
