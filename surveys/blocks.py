"""Question blocks of a survey page.

Every question carries a ``key`` (a short code such as ``q01`` or ``district``) that stays the same in
every language copy: answers are stored under the key, so the Japanese and English pages count
together and the export has stable column names. Choices carry a ``value`` code for the same reason;
only their labels are translated.
"""

from __future__ import annotations

import re

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _
from wagtail import blocks
from wagtail.blocks.struct_block import StructBlockValidationError

KEY_RE = re.compile(r"^[a-z][a-z0-9_]{0,39}$")
VALUE_RE = re.compile(r"^[A-Za-z0-9_-]{1,40}$")

ATTRIBUTE_CHOICES = [
    ("", _("None")),
    ("district", _("District of the resident")),
    ("age_band", _("Age band of the resident")),
]


class ChoiceItemBlock(blocks.StructBlock):
    value = blocks.CharBlock(label=_("Code"), max_length=40, help_text=_("Letters, digits, - or _; the same in every language."))
    label = blocks.CharBlock(label=_("Label"), max_length=200)

    class Meta:
        icon = "list-ul"
        label = _("Choice")

    def clean(self, value):
        cleaned = super().clean(value)
        if not VALUE_RE.match(cleaned.get("value") or ""):
            raise StructBlockValidationError({"value": ValidationError(_("Use 1 to 40 letters, digits, - or _."))})
        return cleaned


class QuestionBlock(blocks.StructBlock):
    """What every question has: a stable key, the text, required or not, and an optional condition."""

    key = blocks.CharBlock(
        label=_("Key"), max_length=40,
        help_text=_("A short code (lower-case letters, digits, _), unique in the survey and the same in every language."),
    )
    text = blocks.CharBlock(label=_("Question"), max_length=300)
    help_text = blocks.CharBlock(label=_("Help text"), max_length=300, required=False)
    required = blocks.BooleanBlock(label=_("Answer required"), required=False, default=True)
    show_if_question = blocks.CharBlock(
        label=_("Show only if question (key)"), max_length=40, required=False,
        help_text=_("Key of an earlier question; leave empty to always show this question."),
    )
    show_if_value = blocks.CharBlock(
        label=_("... has the answer (code)"), max_length=40, required=False,
    )

    kind = ""

    class Meta:
        icon = "help"

    def clean(self, value):
        cleaned = super().clean(value)
        errors = {}
        if not KEY_RE.match(cleaned.get("key") or ""):
            errors["key"] = ValidationError(_("Start with a letter; use lower-case letters, digits and _ only."))
        if bool(cleaned.get("show_if_question")) != bool(cleaned.get("show_if_value")):
            errors["show_if_value"] = ValidationError(_("Give both the question key and the answer code, or neither."))
        if errors:
            raise StructBlockValidationError(errors)
        return cleaned


class SingleChoiceBlock(QuestionBlock):
    choices = blocks.ListBlock(ChoiceItemBlock(), label=_("Choices"), min_num=2)
    attribute = blocks.ChoiceBlock(
        choices=ATTRIBUTE_CHOICES, required=False, label=_("Use answers to filter results by"),
    )

    kind = "single"

    class Meta:
        label = _("Single choice")
        icon = "radio-full"


class MultipleChoiceBlock(QuestionBlock):
    choices = blocks.ListBlock(ChoiceItemBlock(), label=_("Choices"), min_num=2)
    min_choices = blocks.IntegerBlock(label=_("At least"), min_value=0, required=False)
    max_choices = blocks.IntegerBlock(label=_("At most"), min_value=1, required=False)

    kind = "multiple"

    class Meta:
        label = _("Multiple choice")
        icon = "tick-inverse"


class LikertBlock(QuestionBlock):
    low_label = blocks.CharBlock(label=_("Label for 1"), max_length=80)
    high_label = blocks.CharBlock(label=_("Label for 5"), max_length=80)

    kind = "likert"

    class Meta:
        label = _("5-point scale")
        icon = "order"


class NumberBlock(QuestionBlock):
    min_value = blocks.DecimalBlock(label=_("Minimum"), required=False)
    max_value = blocks.DecimalBlock(label=_("Maximum"), required=False)
    unit = blocks.CharBlock(label=_("Unit"), max_length=20, required=False)

    kind = "number"

    class Meta:
        label = _("Number")
        icon = "plus-inverse"


class DateQuestionBlock(QuestionBlock):
    kind = "date"

    class Meta:
        label = _("Date")
        icon = "date"


class ShortTextBlock(QuestionBlock):
    max_length = blocks.IntegerBlock(label=_("Maximum length"), min_value=1, max_value=200, default=100)

    kind = "short_text"

    class Meta:
        label = _("Short text")
        icon = "pilcrow"


class LongTextBlock(QuestionBlock):
    max_length = blocks.IntegerBlock(label=_("Maximum length"), min_value=1, max_value=4000, default=2000)

    kind = "long_text"

    class Meta:
        label = _("Long text")
        icon = "doc-full"


class RankingBlock(QuestionBlock):
    choices = blocks.ListBlock(ChoiceItemBlock(), label=_("Items to rank"), min_num=2)

    kind = "ranking"

    class Meta:
        label = _("Ranking")
        icon = "list-ol"


class MatrixBlock(QuestionBlock):
    rows = blocks.ListBlock(ChoiceItemBlock(), label=_("Items"), min_num=1)
    low_label = blocks.CharBlock(label=_("Label for 1"), max_length=80)
    high_label = blocks.CharBlock(label=_("Label for 5"), max_length=80)

    kind = "matrix"

    class Meta:
        label = _("Matrix (several items on one 5-point scale)")
        icon = "table"


class SectionBlock(blocks.StructBlock):
    """Starts a new screen: the questions after it, up to the next section, are answered together."""

    title = blocks.CharBlock(label=_("Title"), max_length=120)
    intro = blocks.TextBlock(label=_("Introduction"), required=False)

    class Meta:
        label = _("Section (new screen)")
        icon = "title"


QUESTION_BLOCKS = {
    "single_choice": SingleChoiceBlock,
    "multiple_choice": MultipleChoiceBlock,
    "likert": LikertBlock,
    "number": NumberBlock,
    "date": DateQuestionBlock,
    "short_text": ShortTextBlock,
    "long_text": LongTextBlock,
    "ranking": RankingBlock,
    "matrix": MatrixBlock,
}


class SurveyStreamBlock(blocks.StreamBlock):
    section = SectionBlock()
    single_choice = SingleChoiceBlock()
    multiple_choice = MultipleChoiceBlock()
    likert = LikertBlock()
    number = NumberBlock()
    date = DateQuestionBlock()
    short_text = ShortTextBlock()
    long_text = LongTextBlock()
    ranking = RankingBlock()
    matrix = MatrixBlock()

    def clean(self, value):
        cleaned = super().clean(value)
        from surveys.questions import structure_errors, structure_from_stream

        problems = structure_errors(structure_from_stream(cleaned))
        if problems:
            raise blocks.StreamBlockValidationError(non_block_errors=[ValidationError(p) for p in problems])
        return cleaned
