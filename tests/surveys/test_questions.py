"""The one place answers are checked: every question type, its bad inputs, and structure rules."""

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from surveys.demo import questions as demo_questions
from surveys.questions import clean_answers, structure_errors, structure_from_stream
from tests.surveys.conftest import GOOD

pytestmark = pytest.mark.usefixtures("english")


class _Child:
    def __init__(self, block_type, value):
        self.block_type, self.value = block_type, value


def structure(lang="ja", blocks=None):
    return structure_from_stream([_Child(b["type"], b["value"]) for b in (blocks or demo_questions(lang))])


def errors_of(raw, s=None):
    with pytest.raises(ValidationError) as info:
        clean_answers(s or structure(), raw)
    return info.value.message_dict


def test_every_type_cleans_to_typed_values():
    cleaned = clean_answers(structure(), dict(GOOD))
    assert cleaned["district"] == "kita"
    assert cleaned["years"] == Decimal("12")
    assert cleaned["overall"] == 4
    assert cleaned["services"]["parks"] == 5
    assert cleaned["visited_on"].isoformat() == "2026-03-01"
    assert cleaned["priorities"] == ["health", "transport"]
    assert cleaned["channels"] == {"web": 1, "line": 2, "bulletin": 3, "board": 4}
    assert cleaned["comment"] == "<b>歩道</b>を広げてほしい"  # stored as typed, escaped on output


def test_sections_and_structure():
    s = structure()
    assert [sec.title for sec in s.sections] == ["あなたについて", "市の取り組みへの満足度", "これからの重点", "ご意見"]
    assert {q.kind for q in s.questions} == {"single", "multiple", "likert", "number", "date", "short_text",
                                            "long_text", "ranking", "matrix"}
    assert structure_errors(s) == []


@pytest.mark.parametrize("key,value,fragment", [
    ("district", "mars", "Choose one of the given answers"),
    ("priorities", ["health", "nope"], "Choose only from the given answers"),
    ("priorities", ["health", "education", "transport", "safety"], "at most 3"),
    ("priorities", [], "Please answer"),
    ("overall", "6", "from 1 to 5"),
    ("years", "101", "at most 100"),
    ("years", "-1", "at least 0"),
    ("years", "abc", "Enter a number"),
    ("years", "NaN", "Enter a number"),
    ("years", "1e400", "Enter a number"),
    ("visited_on", "2026-13-45", "Enter a date"),
    ("one_word", "あ" * 51, "at most 50 characters"),
    ("channels", ["web", "web", "line", "board"], "different rank"),
    ("channels", {"web": "1", "line": "1", "bulletin": "2", "board": "3"}, "different rank"),
    ("services", {"waste": "4"}, "for each item"),
    ("services", {"waste": "4", "parks": "5", "roads": "3", "childcare": "4", "disaster": "3", "x": "1"}, "only the given"),
])
def test_bad_answers_are_refused_with_a_clear_message(key, value, fragment):
    raw = dict(GOOD)
    raw[key] = value
    errors = errors_of(raw)
    assert key in errors
    assert fragment in " ".join(errors[key])


def test_unknown_question_is_refused():
    errors = errors_of({**GOOD, "nope": "1"})
    assert "There is no question" in " ".join(errors["__all__"])


def test_required_missing_and_optional_missing():
    raw = dict(GOOD)
    del raw["overall"]
    del raw["comment"]  # optional
    errors = errors_of(raw)
    assert list(errors) == ["overall"]


def test_conditional_question_dropped_when_condition_not_met():
    raw = {**GOOD, "visited": "no", "visited_on": "not a date"}
    cleaned = clean_answers(structure(), raw)
    assert "visited_on" not in cleaned
    raw = {**GOOD, "overall": "1", "overall_why": "理由"}
    assert clean_answers(structure(), raw)["overall_why"] == "理由"
    assert "overall_why" not in clean_answers(structure(), {**GOOD, "overall_why": "理由"})


def test_full_width_digits_are_read():
    assert clean_answers(structure(), {**GOOD, "years": "１２"})["years"] == Decimal("12")


def test_structure_errors_duplicate_keys_and_bad_conditions():
    blocks = demo_questions("ja")
    blocks.append({"type": "short_text", "value": {"key": "district", "text": "x", "required": False, "max_length": 10,
                                                   "show_if_question": "", "show_if_value": ""}})
    blocks.append({"type": "short_text", "value": {"key": "later", "text": "x", "required": False, "max_length": 10,
                                                   "show_if_question": "zzz", "show_if_value": "1"}})
    problems = structure_errors(structure(blocks=blocks))
    assert any("more than one question" in p for p in problems)
    assert any("not an earlier question" in p for p in problems)


def test_english_copy_labels_with_canonical_codes():
    ja, en = structure("ja"), structure("en")
    localized = ja.localized(en)
    q = localized.question("district")
    assert q.text == "Your district"
    assert q.choice_values == ja.question("district").choice_values
    assert q.label_of("kita") == "Kita"
