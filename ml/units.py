"""Opinion units: long comments split into sentences (and long sentences into clauses), boilerplate marked.

A public comment often opens with who writes (「北町に住んでいる会社員です。」), makes two or three points,
and closes with a formula (「以上、よろしくお願いいたします。」). Clustering whole letters mixes their points
and their formulas; clustering their units keeps each point with its theme (ml/README.md, "Opinion units").

Pure functions, no model: :func:`split_units` cuts a normalised text into units with their character spans,
:func:`is_boilerplate` says whether a unit is a greeting, self-introduction or closing formula that says
nothing about any theme.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass

import numpy as np

# Sentence ends: Japanese full stops and ! ? (also after NFKC), line breaks. A closing bracket or quote
# right after the stop stays with the sentence.
_JA_SENTENCE = re.compile(r"[^。．！？!?\n]*(?:[。．！？!?]+[」』）)\"']*|\n+|$)")
_EN_SENTENCE = re.compile(r"(?<=[.!?])[\"')\]]*\s+(?=[\"'(\[]?[A-Z0-9])|\n+")
# A period that ends no sentence: dotted letters and initials (z.B., u.a., d.h., e.g., J.) and common
# abbreviations — else real German comments were quoted as 「So würden auch viel mehr Leute (z.B.」 — and a
# German ordinal after a word (「am 17. Juni」「zum 3. Mal」; a list's 「2.」 after a sentence still ends one).
_NO_SENTENCE_END = re.compile(
    r"(?:(?:[^\W\d_]\.)*[^\W\d_]|ca|bzw|usw|etc|evtl|ggf|vgl|inkl|zzgl|mind|bspw|sog|nr|str|tel|hr|dr"
    r"|prof|st|mr|mrs|ms|jr|sr|vs|approx|abs)\.",
    re.IGNORECASE,
)
_ORDINAL = re.compile(r"\d{1,2}\.")
_TOKEN_EDGE = re.compile(r"[\s(\[\"'„“‚‘]")
# Clause boundaries inside a long Japanese sentence: a comma after a conjunctive particle or form.
_JA_CLAUSE = re.compile(r"(?:ので|のに|けれど|けど|ですが|ますが|ため|から|し|が|て|で|り)[、,]")
# A leading topic marker: 「北町の件：」「東町公園でも：」「駅前について:」 (a place or subject, then a colon).
_TOPIC_PREFIX = re.compile(r"^[^:：。、.!?！？\s]{1,15}?(?:の件|について|に関して|でも|より)\s*[:：]\s*")
# Connectives that open a sentence (measured: embedding units without them, long_comments_ja ARI 0.589 →
# 0.594 at the true k, 0.632 → 0.682 with k chosen; ml/README.md).
_LEAD = re.compile(
    r"^(?:(?:また|それから|加えて|さらに|あわせて|併せて|まず|次に|最後に|なお|ついでに言うと|話は変わりますが|それと|そして|"
    r"ただ|しかし|特に|一方|あと|ちなみに)[、,]\s*|(?:also|and|but|finally|first|second|moreover|furthermore|in addition|"
    r"besides|however|additionally)[,]?\s+)",
    re.IGNORECASE,
)
MAX_UNIT_CHARS_JA = 70  # longer sentences are cut at clause boundaries
# A comment whose opinion units add up to no more than this is clustered whole (one unit without its
# boilerplate); longer ones are split (the models read ~512 tokens). Measured on real comments
# (ml/README.md, "Real resident letters"): 93 letters to Shimane prefecture, labelled by the section that
# answered them, ARI 0.152 with letters over 120 characters split → 0.279 with 500 (k given, 10 seeds;
# higher on every one of 30 subsamples); 191 real English comments 0.853 (300) → 0.878 (1,200).
SPLIT_ABOVE_CHARS_JA = 500
SPLIT_ABOVE_CHARS_EN = 1200
# ... unless the comment enumerates its points: 「1.」「2)」「(3)」「①」「第二に」, "Secondly". Connectives
# (「また、」「さらに、」"Also") do not split: in real letters they go on with the same matter (Shimane ARI
# 0.155 splitting at them as well, 0.279 not).
_NEW_POINT = re.compile(
    r"^(?:[0-9０-９]{1,2}[.)．）]|[(（][0-9０-９]{1,2}[)）]|[①-⑳]|第[一二三四五六七八九十1-9][にの、,]"
    r"|(?:secondly|thirdly|fourthly)\b)",
    re.IGNORECASE,
)
_BETWEEN = " 。．.!?！？\n\t"
MAX_UNIT_CHARS_EN = 220
MIN_UNIT_CHARS_JA = 4  # shorter pieces join the previous unit (「はい。」「同感。」 alone say little)
MIN_UNIT_CHARS_EN = 15

# Formulas that carry no opinion. Matched on the whole unit (after removing trailing punctuation).
_JA_BOILERPLATE = [
    r"(以上[、,]?\s*)?(どうぞ|何卒|なにとぞ)?(よろしく|宜しく)(お願い|おねがい)(いた|致)?(し)?(ます|申し上げます)",
    r"(以上[、,]?\s*)?(ご|御)?(検討|考慮|配慮|対応)(の)?(ほど|方)?[、,]?\s*(を)?(よろしく|宜しく)?(お願い|おねがい|ください|下さい).*",
    r"(以上|以上です|以上となります|以上、意見です|以上、私の意見です)",
    r"(前向きな|ご|御)?(検討|善処|対応)を(お願い|おねがい)(いた|致)?(し)?ます",
    r"いつも.{0,20}(ありがとう|お世話に|感謝).*",
    r"(日頃|平素)より.*(ありがとう|お世話に|感謝|敬意).*",
    r".{0,25}(住んで|住む|在住|暮らして|勤めて|勤務して|通って|働いて).{0,20}(です|ます|者です|おります)",
    r".{0,25}(在住|住民|市民|利用者|会社員|主婦|学生|役員|者|者だ)(です|でございます|だ)",
    r".{0,40}(について|に関して|に対して|に対する|の件で|の件について)(の)?(意見|要望|ご意見)?(を)?(申し上げ|述べ|送り|提出し|お伝えし|お送りし)(ます|させていただきます)",
    r".{0,30}(の件|について|に関して)(です)?",
    r"(意見|要望)(を)?(申し上げます|送ります|述べます|です)",
    r"(ありがとうございます|ありがとうございました|お疲れ様です|こんにちは|はじめまして|初めまして)",
]
_EN_BOILERPLATE = [
    r"(dear|hello|hi|to whom it may concern)\b.{0,60}",
    r"(thank you|thanks|many thanks|kind regards|regards|best regards|sincerely|yours (faithfully|sincerely))\b.{0,60}",
    r"i (have )?(live|lived|am living|have been living|work|am a resident|am writing)\b.{0,80}",
    r"(i am|i'm) (a |an )?(resident|local|parent|student|business owner|retiree)\b.{0,80}",
    r"(please )?(consider|see) (this|my|the above).{0,40}",
]
_JA_BOILERPLATE_RE = re.compile("|".join(f"(?:{p})" for p in _JA_BOILERPLATE))
_EN_BOILERPLATE_RE = re.compile("|".join(f"(?:{p})" for p in _EN_BOILERPLATE), re.IGNORECASE)
_TRAILING = re.compile(r"[\s。．.!！?？、,」』)）\"']+$")
_LEADING = re.compile(r"^[\s「『(（\"']+")
# Opinion words: a unit that contains one of these is an opinion even when it looks like a formula
# (「〇〇の件について、反対です」).
_JA_REQUEST_FORMULA = re.compile(
    r"(ご|御)?(検討|対応|配慮|善処)(を|の程|のほど|方)?[、,]?\s*(よろしく)?(お願い\S*|ください|下さい)"
)
_JA_OPINION = re.compile(
    r"(ほしい|欲しい|ください|下さい|反対|賛成|困|危|不安|心配|改善|増や|減ら|べき|必要|ない|ません|したい|たい)"
)


@dataclass(frozen=True)
class Unit:
    text: str
    start: int  # character span in the text it came from
    end: int


def _is_cjk_text(text: str) -> bool:
    from ml.text import is_japanese

    return is_japanese(text)


def _pieces(text: str, japanese: bool) -> list[tuple[int, int]]:
    """Spans of sentences."""
    spans = []
    if japanese:
        for match in _JA_SENTENCE.finditer(text):
            if match.end() > match.start():
                spans.append((match.start(), match.end()))
    else:
        start = 0
        for match in _EN_SENTENCE.finditer(text):
            if "\n" not in match.group() and _ends_no_sentence(text, match.start()):
                continue
            spans.append((start, match.start()))
            start = match.end()
        spans.append((start, len(text)))
    return [(s, e) for s, e in spans if text[s:e].strip()]


_SENTENCE_KEY_DROP = re.compile(r"[\s\W_]+")


def sentence_spans(text: str) -> list[tuple[int, int]]:
    """Spans of the sentences of ``text`` as written, short ones not joined (abbreviations such as
    「z.B.」 and ordinals end none)."""
    return _pieces(text, _is_cjk_text(text))


def _ends_no_sentence(text: str, position: int) -> bool:
    """Whether the period just before ``position`` closes an abbreviation or a number, not a sentence."""
    window = text[max(0, position - 24) : position]
    token = _TOKEN_EDGE.split(window)[-1]
    if len(token) == len(window) and position > len(window):  # a token longer than the window: a word
        return False
    if _ORDINAL.fullmatch(token):
        before = window[: len(window) - len(token)].rstrip()
        return bool(before) and before[-1].isalpha()
    return _NO_SENTENCE_END.fullmatch(token) is not None


def _clauses(text: str, start: int, end: int, limit: int) -> list[tuple[int, int]]:
    """A long Japanese sentence cut at clause commas into pieces of about ``limit`` characters."""
    if end - start <= limit:
        return [(start, end)]
    cuts = [start + m.end() for m in _JA_CLAUSE.finditer(text[start:end])]
    spans, begin = [], start
    for cut in cuts:
        # Cut where the piece so far is long enough and the rest is not tiny.
        if cut - begin >= limit // 2 and end - cut >= limit // 4:
            spans.append((begin, cut))
            begin = cut
    spans.append((begin, end))
    return spans


def split_units(text: str, *, max_chars: int | None = None) -> list[Unit]:
    """Sentences of ``text`` (clauses for long Japanese sentences), short pieces joined to the previous one.

    The units cover the text in order; their ``text`` is stripped of surrounding spaces. A text with one
    sentence is one unit.
    """
    if not text or not text.strip():
        return []
    japanese = _is_cjk_text(text)
    limit = max_chars or (MAX_UNIT_CHARS_JA if japanese else MAX_UNIT_CHARS_EN)
    minimum = MIN_UNIT_CHARS_JA if japanese else MIN_UNIT_CHARS_EN
    spans: list[tuple[int, int]] = []
    for start, end in _pieces(text, japanese):
        spans.extend(_clauses(text, start, end, limit) if japanese else [(start, end)])
    merged: list[list[int]] = []
    for start, end in spans:
        body = _TRAILING.sub("", text[start:end]).strip()
        if merged and len(body) < minimum and not is_boilerplate(body):
            merged[-1][1] = end
        else:
            merged.append([start, end])
    # A short first piece joins the next one instead.
    first = _TRAILING.sub("", text[merged[0][0] : merged[0][1]]).strip() if merged else ""
    if len(merged) > 1 and len(first) < minimum and not is_boilerplate(first):
        merged[1][0] = merged[0][0]
        merged.pop(0)
    units = []
    for start, end in merged:
        piece = text[start:end]
        stripped = piece.strip()
        if stripped:
            offset = start + piece.index(stripped)
            topic = _TOPIC_PREFIX.match(stripped)
            if topic and topic.end() < len(stripped):  # 「北町の件：」「東町公園でも：」 say where, not what
                offset += topic.end()
                stripped = stripped[topic.end() :]
            lead = _LEAD.match(stripped)
            if lead and lead.end() < len(stripped):  # 「また、」「Also,」 join sentences, they say nothing
                offset += lead.end()
                stripped = stripped[lead.end() :]
            units.append(Unit(stripped, offset, offset + len(stripped)))
    return units


def is_boilerplate(unit: str) -> bool:
    """True for greetings, self-introductions, "about the plan ..." openers and closing formulas."""
    body = _LEADING.sub("", _TRAILING.sub("", unit.strip()))
    if not body:
        return True
    if _is_cjk_text(body):
        if len(body) > 45 or _JA_BOILERPLATE_RE.fullmatch(body) is None:
            return False
        # 「〇〇の件について、反対です」 is an opinion; 「ご検討ください」 is a formula.
        return _JA_OPINION.search(_JA_REQUEST_FORMULA.sub("", body)) is None
    if len(body) > 120:
        return False
    return _EN_BOILERPLATE_RE.fullmatch(body) is not None


def opinion_units(text: str) -> list[Unit]:
    """The units of ``text`` that are not boilerplate; the whole text as one unit when all of it is."""
    units = split_units(text)
    kept = [u for u in units if not is_boilerplate(u.text)]
    if kept:
        return kept
    stripped = text.strip()
    return [Unit(stripped, text.index(stripped), text.index(stripped) + len(stripped))] if stripped else []


@dataclass
class UnitTable:
    """The units of a corpus: their texts and, per unit, the index of the text it came from."""

    texts: list[str]
    owner: np.ndarray  # text index per unit
    spans: list[tuple[int, int]]

    def of(self, text_index: int) -> np.ndarray:
        return np.flatnonzero(self.owner == text_index)


_SENTENCE_CLOSED = re.compile(r"[.!?:;…。．！？」』)）\]\"'”’]$")


def one_line(text: str) -> str:
    """``text`` on one line, as ml.text.normalise writes texts. In a text with spaces between words a first
    line that ends without a full stop above a line that does not go on in lower case (a proposal's title
    line 「Fix the swings」 above its body) gets one — else titles and quotes read "Fix the swings The swings
    in North Park are broken"; a hard-wrapped sentence ("the swings are" / "broken") does not. In Japanese
    the space left between the lines already ends a title line."""
    lines = [" ".join(line.split()) for line in text.splitlines()]
    lines = [line for line in lines if line]
    if (
        len(lines) > 1
        and not _SENTENCE_CLOSED.search(lines[0])
        and not lines[0].endswith((",", "-", "–", "—"))
        and not lines[1][:1].islower()
        and not _is_cjk_text(text)
    ):
        lines[0] += "."
    return " ".join(lines)


def unit_table(texts: list[str], *, drop_boilerplate: bool = True) -> UnitTable:
    """Units of every text (texts normalised by ml.text.normalise_lines: a line break ends a sentence).
    Every text has at least one unit (itself when all of it is boilerplate, or when it is empty)."""
    unit_texts, owner, spans = [], [], []
    for index, text in enumerate(texts):
        units = opinion_units(text) if drop_boilerplate else split_units(text)
        if not units:
            units = [Unit(text, 0, len(text))]
        for unit in units:
            unit_texts.append(one_line(unit.text))
            owner.append(index)
            spans.append((unit.start, unit.end))
    return UnitTable(unit_texts, np.asarray(owner, dtype=int), spans)


def _cjk(lang: str) -> bool:
    """Whether ``lang`` is written without spaces between words (more per character, no sentence joiner)."""
    return lang in ("ja", "zh", "ko")


def split_above_chars(lang: str) -> int:
    """The length above which a comment is split into its opinion units (CJK texts carry more per character)."""
    return SPLIT_ABOVE_CHARS_JA if _cjk(lang) else SPLIT_ABOVE_CHARS_EN


def _opens_new_point(text: str, spans: list[tuple[int, int]]) -> bool:
    """Whether a unit after the first begins with a marker of a further point (the text between units too,
    since units are stored without their leading connective)."""
    return any(
        _NEW_POINT.match(text[previous[1] : current[1]].lstrip(_BETWEEN))
        for previous, current in zip(spans, spans[1:], strict=False)
    )


def _without_boilerplate(gap: str) -> str:
    """The text between two opinion units without the greetings / self-introductions it holds (a proposal's
    title line is followed by 「南町公園の利用者です。」 before its body); connectives (「また、」) stay."""
    kept, last = [], 0
    for unit in split_units(gap):
        if is_boilerplate(unit.text):
            kept.append(gap[last : unit.start] + " ")
            last = unit.end
    kept.append(gap[last:])
    return "".join(kept)


def merge_short(table: UnitTable, texts: list[str], limit: int) -> UnitTable:
    """One unit per text whose opinion units add up to at most ``limit`` characters and make one point.

    The merged unit is the stretch of ``texts[i]`` (the texts ``table`` was built from) from its first
    opinion unit to its last, on one line, without the boilerplate units in it: greetings before,
    self-introductions between (after a title line) and formulas after stay out. Longer texts, and
    texts that enumerate their points (「1.」「(2)」「①」「第二に」, "Secondly"), keep their units. ``limit`` 0
    keeps every unit. Linear in the number of units.
    """
    if limit <= 0 or not len(table.owner):
        return table
    unit_texts: list[str] = []
    owner: list[int] = []
    spans: list[tuple[int, int]] = []
    boundaries = np.flatnonzero(np.diff(table.owner)) + 1
    for positions in np.split(np.arange(len(table.owner)), boundaries):
        index = int(table.owner[positions[0]])
        spans_here = [table.spans[j] for j in positions]
        if (
            len(positions) > 1
            and sum(len(table.texts[j]) for j in positions) <= limit
            and not _opens_new_point(texts[index], spans_here)
        ):
            start, end = spans_here[0][0], spans_here[-1][1]
            text = texts[index]
            pieces = [text[spans_here[0][0] : spans_here[0][1]]]
            for (_, previous_end), (next_start, next_end) in zip(spans_here, spans_here[1:], strict=False):
                pieces += [_without_boilerplate(text[previous_end:next_start]), text[next_start:next_end]]
            unit_texts.append(one_line("".join(pieces)))
            owner.append(index)
            spans.append((start, end))
        else:
            for j in positions:
                unit_texts.append(table.texts[j])
                owner.append(index)
                spans.append(table.spans[j])
    return UnitTable(unit_texts, np.asarray(owner, dtype=int), spans)


# Asking for something, anywhere in a text: 「〜してほしい」「〜してください」「〜すべき」「〜はどうでしょうか」, "please",
# "should", a question. A resident's letter makes its point there.
_ASKS = re.compile(
    r"ほしい|欲しい|ください|下さい|てはどう|ではどう|提案|べき|いただきたい|頂きたい|もらいたい|望みます|希望します|お願い"
    r"|\b(?:please|should|would like|we need|i suggest|we suggest|i propose|we propose|must)\b|\?",
    re.IGNORECASE,
)


def asks(text: str) -> bool:
    """Whether ``text`` asks for something (a request, proposal or question)."""
    return _ASKS.search(text) is not None


# A quote longer than this is cut to the sentences that carry its theme (:func:`key_sentences`).
QUOTE_CHARS_JA = 160
QUOTE_CHARS_EN = 400


def sentence_key(sentence: str) -> str:
    """A sentence as compared with the others: without spaces and punctuation, case-blind."""
    return _SENTENCE_KEY_DROP.sub("", sentence).lower()


def repeated_sentences(texts: list[str], *, min_texts: int = 3) -> frozenset[str]:
    """Keys (:func:`sentence_key`) of the sentences that ``min_texts`` or more texts add to words of their own:
    a closing line that residents or a form repeat (「近所の方とも話し合い、同じ意見でした。」, a group's signature).
    A text counts where the sentence is the lesser part of it, and texts that open alike count once: a form
    letter sent as it is, or the same proposal posted for several places (「駅前広場の件：」「北町公園でも：」 before
    it, a self-introduction left out as boilerplate, a translation or a closing line after it), whose sentences
    are its point, not additions to it. And it is added where it stands at the same end of them — it closes (or
    opens) at least four in five of them: a point residents share stands anywhere."""
    seen: dict[str, dict[str, str]] = {}  # sentence → {how a text it is in opens: where in it the sentence stands}
    for text in texts:
        keys = [key for key in (sentence_key(u.text) for u in split_units(text, max_chars=len(text) or 1)) if key]
        if len(set(keys)) < 2:
            continue
        size = sum(len(key) for key in keys)
        for key in set(keys):
            if 2 * len(key) <= size:
                opening = next(other for other in keys if other != key)
                where = "first" if keys[0] == key else "last" if keys[-1] == key else "inside"
                seen.setdefault(key, {})[opening] = where
    repeated = set()
    for key, places in seen.items():
        if len(places) >= min_texts:
            ends = Counter(places.values())
            if 5 * max(ends["first"], ends["last"]) >= 4 * len(places):
                repeated.add(key)
    return frozenset(repeated)


# A label before a colon that opens a text: "Klimarat: …", "Proposal: …", 「要望：…」 (one word, then the text).
_LEADING_LABEL = re.compile(r"^\s*([^\s:：。、.,!?！？「」()（）/]{1,20})\s*[:：](?!//)\s*(?=\S)")


def leading_label(text: str) -> str:
    """The label a text opens with before a colon (lower case), or ""."""
    match = _LEADING_LABEL.match(text)
    if not match or not any(ch.isalpha() for ch in match.group(1)):  # a time (10:30), not a label
        return ""
    return match.group(1).lower()


def shared_labels(texts: list[str], labels, *, min_texts: int = 3, min_themes: int = 3) -> frozenset[str]:
    """Leading labels that open at least ``min_texts`` texts in at least ``min_themes`` themes (``labels``: theme
    per text, -1 none): who or what filed the text — 「Klimarat: Städte und Gemeinden sollen …」 on the citizens'
    council's own proposals in each of five conversations — not what it is about, so never the start of a title.
    A label within fewer themes (「Heizung: …」 in one) says what the texts are about and stays."""
    themes_of: dict[str, set[int]] = {}
    counts: Counter = Counter()
    for text, theme in zip(texts, np.asarray(labels).tolist(), strict=True):
        label = leading_label(text)
        if label and theme >= 0:
            themes_of.setdefault(label, set()).add(theme)
            counts[label] += 1
    return frozenset(
        label for label, themes in themes_of.items() if len(themes) >= min_themes and counts[label] >= min_texts
    )


def without_label(text: str, labels: frozenset[str] | set[str]) -> str:
    """``text`` without its leading label when that is one of ``labels``."""
    match = _LEADING_LABEL.match(text)
    if match and leading_label(text) in labels:
        return text[match.end() :]
    return text


def _cut(text: str, units: list[Unit]) -> str:
    """``text`` without ``units`` (its own, in order), cut out as written: a title line keeps its space."""
    for unit in reversed(units):
        before = text[: unit.start].rstrip()
        text = before + (" " if before else "") + text[unit.end :].lstrip()
    return text.strip()


def key_sentences(
    text: str, keywords: list[str], lang: str, *, limit: int | None = None, skip: frozenset[str] = frozenset()
) -> str:
    """``text`` itself when it is at most ``limit`` characters (default by language), else its sentence
    that names most of the theme's top ``keywords`` (on a tie, one that asks for something — a letter's
    point — then the earliest), with the sentences after it while they fit: a whole comment is clustered as
    one unit, and this is the part of it to quote or title. Greetings and formulas are never chosen, nor the
    sentences whose keys are in ``skip`` (:func:`repeated_sentences`; "" when the text holds nothing else)."""
    from ml.text import text_language

    lang = text_language(text, lang)
    limit = limit or (QUOTE_CHARS_JA if _cjk(lang) else QUOTE_CHARS_EN)
    units = split_units(text, max_chars=len(text)) if skip or len(text) > limit else []
    if skip and any(sentence_key(u.text) in skip for u in units):
        text = _cut(text, [u for u in units if sentence_key(u.text) in skip])
        if not text:
            return ""
        units = split_units(text, max_chars=len(text))
    if len(text) <= limit:
        return text
    sentences = [u.text for u in units if not is_boilerplate(u.text)]
    if not sentences:
        return text
    top = [k.lower() for k in keywords[:5] if k]
    best = max(
        range(len(sentences)), key=lambda i: (sum(k in sentences[i].lower() for k in top), asks(sentences[i]), -i)
    )
    quote, joiner = sentences[best], "" if _cjk(lang) else " "
    for following in sentences[best + 1 :]:
        if len(quote) + len(joiner) + len(following) > limit:
            break
        quote += joiner + following
    return quote


def comment_units(texts: list[str], lang: str, *, split_above: int | None = None) -> UnitTable:
    """The analysis's opinion units of raw ``texts``: line breaks kept (they end sentences), boilerplate
    left out, and a comment whose units add up to at most ``split_above`` characters (default by language)
    and make one point kept as one unit (:func:`merge_short`)."""
    from ml.text import normalise_lines

    lined = [normalise_lines(t) for t in texts]
    limit = split_above_chars(lang) if split_above is None else split_above
    return merge_short(unit_table(lined), lined, limit)


def vote(table: UnitTable, unit_labels: np.ndarray, n_texts: int) -> np.ndarray:
    """Each text's theme: the one most of its units' characters fall in (noise units do not vote; a text
    whose units are all noise is noise, -1). Ties go to the text's earlier unit."""
    unit_labels = np.asarray(unit_labels)
    labels = np.full(n_texts, -1, dtype=int)
    weights: dict[int, dict[int, float]] = {}
    for position, (text_index, label) in enumerate(zip(table.owner.tolist(), unit_labels.tolist(), strict=True)):
        if label < 0:
            continue
        votes = weights.setdefault(text_index, {})
        votes[label] = votes.get(label, 0.0) + len(table.texts[position]) + 1e-6 * (len(table.texts) - position)
    for text_index, votes in weights.items():
        labels[text_index] = max(votes, key=votes.get)
    return labels


def text_themes(table: UnitTable, unit_labels: np.ndarray, n_texts: int) -> list[set[int]]:
    """Every theme each text touches through its units (noise excluded)."""
    result: list[set[int]] = [set() for _ in range(n_texts)]
    for text_index, label in zip(table.owner.tolist(), np.asarray(unit_labels).tolist(), strict=True):
        if label >= 0:
            result[text_index].add(int(label))
    return result
