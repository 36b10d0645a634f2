"""Keywords per cluster by class-based TF-IDF (c-TF-IDF) over real words.

Japanese: janome compound nouns (below), without stop words and formula nouns; if janome is unavailable,
character bigrams. English: lower-cased words without English stop words, plurals folded into the singular the
texts also use, and a keyword shown as the phrase most of its texts use ("basic income", "young people").
Other languages (German, ...): without English or German stop words (``ml/stopwords_de.py``), inflected forms
folded into the stem the texts also use (Flächen → Fläche, Bäume → Baum).

Term frequencies are weighted by each text's centrality in its cluster when the caller has vectors
(``weights``): words of typical texts rank above words of outliers, and words that occur once in a
theme (most German compounds) are no longer ordered alphabetically.
"""

from __future__ import annotations

import functools
import re
from collections import Counter
from collections.abc import Iterator

import numpy as np

from ml.text import is_japanese, text_language
from ml.units import asks, key_sentences, sentence_spans, without_label

_WORD = re.compile(r"[^\W\d_][\w'-]*[^\W_]|[^\W\d_]", re.UNICODE)
JA_STOP = frozenset(
    [
        "する",
        "ある",
        "いる",
        "なる",
        "れる",
        "られる",
        "こと",
        "もの",
        "ため",
        "よう",
        "ほしい",
        "欲しい",
        "ない",
        "ください",
        "くださる",
        "思う",
        "できる",
        "おる",
        "いう",
        "私",
        "ここ",
        "それ",
        "これ",
        "さん",
        "的",
        "化",
        "等",
        "人",
        "方",
        "時",
        "中",
        "上",
        "下",
        "前",
        "後",
        "もっと",
        "とても",
        "市",
        "お願い",
        "願う",
        "ほう",
        "くれる",
        "いただく",
        "せる",
        "させる",
        "やすい",
        "にくい",
    ]
)
# Nouns that say nothing about a theme in public comments (formulas, the writer, the procedure). More
# per consultation (district names, the plan's own name) come through ``stop_terms``.
JA_BOILERPLATE_TERMS = frozenset(
    [
        "件",
        "意見",
        "要望",
        "以上",
        "今回",
        "本件",
        "利用者",
        "住民",
        "市民",
        "者",
        "自分",
        "皆さん",
        "皆様",
        "私たち",
        "お願い",
        "思い",
        "検討",
        "対応",
        "計画案",
        "案",
        "提案",
        "問題",
        # the writer's stance or feeling, which the tone shows; the matter is in the other words (the issue's
        # 「反対・辞める・だめ」, the demo's 「賛成・中高生・居場所」)
        "賛成",
        "反対",
        "心配",
        "期待",
        "感謝",
        "先決",
        "必要",
        "気",
        "感じ",
        "場合",
        "部分",
        "面",
        "点",
        "方々",
        "今後",
        "現在",
        "以前",
        "最近",
        "ところ",
        "様",
        "所",
        "等",
    ]
)
_KANJI = re.compile(r"[\u4e00-\u9fff]")
_ONLY_DIGITS = re.compile(r"^[\d.,０-９一二三四五六七八九十百千万]+$")
# Nouns that never start or continue a compound (janome / IPADIC sub-categories).
_NOUN_BREAK = ("非自立", "代名詞", "副詞可能")


def compound_nouns(text: str, tokenizer) -> list[str]:
    """Compound nouns of a Japanese text: runs of nouns (with a leading prefix and trailing suffixes)
    joined as written — 中間貯蔵施設, 運賃無料, バス停, 最終便 — instead of their morphemes (中間 / 貯蔵 /
    施設). Pronouns, dependent nouns (こと, ため), adverbial nouns (今日) and bare numbers are not
    keywords, nor single characters (「駅」「本」 alone read as fragments in a label), nor a na-adjective
    stem standing alone (静か, 大切, 便利: how a writer judges, not what about; inside a compound it stays)."""
    words: list[str] = []
    current: list[tuple[str, str]] = []  # (surface, sub-category) of the run

    def flush() -> None:
        while current and current[-1][1] in ("数", "接頭"):
            current.pop()  # 「第」「3」 at the end are not part of a name
        while current and current[0][1] in ("接尾", "数"):
            current.pop(0)
        if len(current) == 1 and current[0][1] == "形容":
            current.clear()  # a na-adjective alone (静か, 大切, 便利, 危険) judges; 安全対策, 安全性 name a matter
        if current:
            word = "".join(surface for surface, _ in current)
            if len(word) >= 2 and not _ONLY_DIGITS.match(word):
                words.append(word)
        current.clear()

    for token in tokenizer.tokenize(text):
        parts = token.part_of_speech.split(",")
        if not any(ch.isalnum() for ch in token.surface):
            flush()  # 「.」「(」 after NFKC can be read as nouns: 「.フェリー」「(1)投稿」 are not names
        elif parts[0] == "名詞" and parts[1] not in _NOUN_BREAK:
            sub = {"接尾": "接尾", "数": "数", "形容動詞語幹": "形容"}.get(parts[1], "名詞")
            current.append((token.surface, sub))
        elif parts[0] == "接頭詞" and parts[1] == "名詞接続":
            flush()
            # kanji prefixes only (再, 新, 無, 各 …): honorifics (ご検討 is 検討) and hiragana misreadings
            # (「かまどベンチ」 → と か / ま / ど ベンチ) are not part of a name
            if _KANJI.search(token.surface) and token.surface != "御":
                current.append((token.surface, "接頭"))
        else:
            flush()
    flush()
    return words


@functools.lru_cache(maxsize=1)
def _janome():
    try:
        from janome.tokenizer import Tokenizer
    except ImportError:  # pragma: no cover - janome is a dependency
        return None
    return Tokenizer()


@functools.lru_cache(maxsize=1)
def _english_stop_words() -> frozenset[str]:
    from sklearn.feature_extraction.text import ENGLISH_STOP_WORDS

    extra = {
        "please",
        "want",
        "need",
        "needs",
        "make",
        "like",
        "would",
        "should",
        "could",
        "let",
        "lets",
        "us",
        "city",
        "add",
        "more",
        "too",
        "also",
        "really",
        "just",
        "get",
        "use",
        "one",
        "new",
        "much",
        "many",
    }
    # contractions ("there's" was a keyword); a typographic apostrophe (I’m) already splits the word
    contractions = {
        "there's",
        "it's",
        "that's",
        "what's",
        "let's",
        "i'm",
        "i've",
        "i'd",
        "i'll",
        "we're",
        "we've",
        "we'd",
        "we'll",
        "they're",
        "they've",
        "they'd",
        "they'll",
        "you're",
        "you've",
        "you'd",
        "you'll",
        "he's",
        "he'd",
        "he'll",
        "she's",
        "she'd",
        "she'll",
        "don't",
        "doesn't",
        "didn't",
        "isn't",
        "aren't",
        "wasn't",
        "weren't",
        "hasn't",
        "haven't",
        "hadn't",
        "won't",
        "can't",
        "couldn't",
        "wouldn't",
        "shouldn't",
        "mustn't",
        "needn't",
        "shan't",
    }
    return frozenset(ENGLISH_STOP_WORDS) | extra | contractions


@functools.lru_cache(maxsize=1)
def _other_stop_words() -> frozenset[str]:
    from ml.stopwords_de import DE_STOP

    return _english_stop_words() | DE_STOP


def tokens(text: str, lang: str = "en") -> list[str]:
    """Content words of a text (Japanese via janome, otherwise a word regex without the stop words of
    ``lang``: English for "en", English and German for any other language)."""
    if is_japanese(text):
        tokenizer = _janome()
        if tokenizer is None:
            return [text[i : i + 2] for i in range(max(0, len(text) - 1))]
        return [w for w in compound_nouns(text, tokenizer) if w not in JA_STOP and w not in JA_BOILERPLATE_TERMS]
    return [word for run in content_runs(text, lang) for word in run]


def content_runs(text: str, lang: str = "en", stop_terms: frozenset[str] | set[str] = frozenset()) -> list[list[str]]:
    """The content words of a text written in Latin letters (lower case), in runs of words that stand next to
    each other with only spaces between: "an owner of a small business, and" → [owner], [small, business].
    A stop word, a word of one or two letters, a ``stop_terms`` word or punctuation ends a run."""
    stop = _english_stop_words() if lang == "en" else _other_stop_words()
    runs: list[list[str]] = []
    run: list[str] = []
    end = None
    for match in _WORD.finditer(text):
        word = match.group().lower()
        joined = end is not None and text[end : match.start()].isspace()
        if run and not joined:
            runs.append(run)
            run = []
        if len(word) > 2 and word not in stop and word not in stop_terms:
            run.append(word)
        elif run:
            runs.append(run)
            run = []
        end = match.end()
    if run:
        runs.append(run)
    return runs


def _phrases(runs: list[list[str]]) -> set[tuple[str, ...]]:
    """Every sequence of 2 to PHRASE_MAX_WORDS words inside a run: "universal basic income" gives
    (universal, basic), (basic, income), (universal, basic, income)."""
    return {
        tuple(run[start : start + size])
        for run in runs
        for size in range(2, PHRASE_MAX_WORDS + 1)
        for start in range(len(run) - size + 1)
    }


def _plural_folds(vocabulary: set[str]) -> dict[str, str]:
    """English plurals → their singular when the texts use that too (buses → bus, businesses → business,
    communities → community, fares → fare, never far), so one theme does not list both; nothing is folded to a
    word the texts lack."""
    folds = {}
    for word in vocabulary:
        if len(word) <= 3 or not word.endswith("s") or word.endswith("ss"):
            continue
        if word[:-1] in vocabulary:
            folds[word] = word[:-1]
        elif word.endswith("es") and word[:-2].endswith(("s", "x", "z", "ch", "sh", "o")) and word[:-2] in vocabulary:
            folds[word] = word[:-2]
        elif word.endswith("ies") and word[:-3] + "y" in vocabulary:
            folds[word] = word[:-3] + "y"
    return folds


# German (and other Latin-script languages'): inflected forms folded into the shortest form the texts also use —
# Flächen → Fläche, Lebensmitteln → Lebensmittel, Autos → Auto, Bäume → Baum, Städte → Stadt — so a theme does
# not list both (the Klimarat's themes read 「Flächen・Fläche」「Bäume・Baum」「Lebensmittel・Lebensmitteln」).
_INFLECTIONS = ("nen", "ern", "en", "er", "es", "e", "n", "s")
_UMLAUT = str.maketrans("äöü", "aou")
INFLECTION_MIN_STEM = 4  # Bau / Bauer (construction / farmer), Gas / Gase: too short to tell an ending from a word


def _inflection_folds(vocabulary: set[str]) -> dict[str, str]:
    """Inflected forms → their stem when the texts use that stem as a word of its own (at least
    INFLECTION_MIN_STEM letters): an ending of ``_INFLECTIONS``, with an umlaut of the stem's vowel allowed
    (Bäume → Baum). Chains end at the shortest form (Radwegen → Radwege → Radweg)."""
    folds = {}
    for word in vocabulary:
        for ending in _INFLECTIONS:
            if not word.endswith(ending):
                continue
            stem = word[: -len(ending)]
            if len(stem) < INFLECTION_MIN_STEM:
                continue
            plain = stem.translate(_UMLAUT)
            target = stem if stem in vocabulary else plain if plain != stem and plain in vocabulary else None
            if target and (word not in folds or len(target) < len(folds[word])):
                folds[word] = target
    for word in list(folds):
        seen = {word}
        while folds[word] in folds and folds[word] not in seen:
            seen.add(folds[word])
            folds[word] = folds[folds[word]]
    return folds


MAX_TEXTS_PER_CLASS = 300
# English: a keyword is shown as the phrase it stands in — "basic income", "young people", "small business" — when
# at least PHRASE_SHARE of the theme's texts that use the word use that phrase (and two at least).
PHRASE_MAX_WORDS = 3
PHRASE_SHARE = 0.5


def ctfidf_keywords(
    texts: list[str],
    labels: np.ndarray,
    *,
    top: int = 8,
    seed: int = 0,
    lang: str = "en",
    weights: np.ndarray | None = None,
    stop_terms: tuple[str, ...] | list[str] | frozenset[str] = (),
) -> dict[int, list[str]]:
    """Top words per cluster label (noise -1 ignored), by c-TF-IDF: tf(t, c) · log(1 + A / f(t)).

    ``weights`` (one per text, e.g. the cosine with its cluster's centre) weight each text's words in
    tf(t, c); without them every text counts 1. Ties go to words used by more texts of the cluster.
    At most MAX_TEXTS_PER_CLASS texts per cluster are tokenised (a fixed-seed sample): word
    frequencies are stable long before that, and Japanese tokenisation is the slow part.

    Words spread evenly over the clusters (a district named in every theme, 「利用」) are down-weighted
    by ``1 − H(t) / log C`` (H: entropy of the word's share per cluster, C ≥ 3 clusters), and words in
    ``stop_terms`` (e.g. the consultation's district names) are never keywords.
    """
    stop = {normalise_term(t) for t in stop_terms if t}
    labels = np.asarray(labels)
    classes = sorted({int(x) for x in labels} - {-1})
    counts = {c: Counter() for c in classes}  # weighted term frequency per class
    spread = {c: Counter() for c in classes}  # texts of the class that use the word
    phrase_spread = {c: Counter() for c in classes}  # texts of the class that use the phrase (English)
    total = Counter()  # unweighted, for f(t)
    rng = np.random.default_rng(seed)
    read: list[str] = []  # the texts tokenised, for how their keywords are written
    runs_of: dict[int, list[list[str]]] = {}
    members_of = {}
    for c in classes:
        members = np.where(labels == c)[0]
        if len(members) > MAX_TEXTS_PER_CLASS:
            members = np.sort(rng.choice(members, MAX_TEXTS_PER_CLASS, replace=False))
        members_of[c] = members
        read.extend(texts[index] for index in members)
        for index in members:
            if is_japanese(texts[index]):
                runs_of[index] = [[w for w in tokens(texts[index], lang) if w not in stop]]
            else:
                runs_of[index] = content_runs(texts[index], lang, stop)
    vocabulary = {w for runs in runs_of.values() for run in runs for w in run}
    folds = _plural_folds(vocabulary) if lang == "en" else {} if lang == "ja" else _inflection_folds(vocabulary)
    for c in classes:
        for index in members_of[c]:
            runs = [[folds.get(w, w) for w in run] for run in runs_of[index]]
            words = [w for run in runs for w in run]
            weight = 1.0 if weights is None else max(float(weights[index]), 1e-3)
            for word, count in Counter(words).items():
                counts[c][word] += weight * count
                spread[c][word] += 1
                total[word] += count
            # English only: German runs hold verbs too (「Radfahrer warten ewig」), and a Japanese text's nouns are
            # not neighbours
            if lang == "en" and not is_japanese(texts[index]):
                phrase_spread[c].update(p for p in _phrases(runs) if " ".join(p) not in stop)
    if not total:
        return {c: [] for c in classes}
    average_words = sum(total.values()) / max(1, len(classes))
    sizes = {c: sum(counts[c].values()) or 1 for c in classes}
    evenness = _evenness(counts, sizes, classes)
    result = {}
    for c in classes:
        size = sizes[c]
        scored = [
            (
                count / size * np.log(1 + average_words / total[word]) * (1.0 - evenness.get(word, 0.0)),
                spread[c][word],
                word,
            )
            for word, count in counts[c].items()
        ]
        scored.sort(key=lambda item: (-round(item[0], 12), -item[1], item[2]))
        # A word equally common in every theme (score 0) describes none of them.
        ranked = [word for score, _, word in scored if score > 1e-9]
        result[c] = _as_phrases(ranked, phrase_spread[c], spread[c], top)
    forms = _written_forms(read)
    nouns_first = lang not in ("ja", "en") and _capitalises_nouns(read)
    shown = {}
    for c, words in result.items():
        written = [" ".join(forms.get(part, part) for part in word.split(" ")) for word in words]
        if nouns_first:  # German: 「parken, Falschparker, parkende」 → 「Falschparker, Autos, parken」
            written = [w for w in written if w[:1].isupper()] + [w for w in written if not w[:1].isupper()]
        shown[c] = written
    return shown


def _as_phrases(ranked: list[str], phrases: Counter, spread: Counter, top: int) -> list[str]:
    """The ``top`` keywords of a theme from its ranked words, each shown as the phrase it stands in when at least
    PHRASE_SHARE of the theme's texts that use the word use that phrase, in at least two texts ("wage" → "minimum
    wage"; the phrase used by most texts, the longer on a tie). A word already shown in a phrase is not repeated."""
    containing: dict[str, list[tuple[str, ...]]] = {}
    for phrase in phrases:
        for word in set(phrase):
            containing.setdefault(word, []).append(phrase)
    shown: list[str] = []
    used: set[str] = set()
    for word in ranked:
        if len(shown) == top:
            break
        if word in used:
            continue
        need = max(2.0, PHRASE_SHARE * spread[word])
        candidates = [
            (phrases[phrase], len(phrase), phrase)
            for phrase in containing.get(word, [])
            if phrases[phrase] >= need and not used & set(phrase)
        ]
        if candidates:
            phrase = max(candidates)[2]
            shown.append(" ".join(phrase))
            used.update(phrase)
        else:
            shown.append(word)
            used.add(word)
    return shown


# Share of the words inside sentences that are written with a capital above which a language capitalises its
# nouns: 0.27 of the real German cycling comments and 0.29 of the German fixture; 0.045 of the real English
# Polis comments, 0.001 of the English fixture (elsewhere only names are capitalised).
NOUN_CAPITALS_SHARE = 0.2


def _capitalises_nouns(texts: list[str]) -> bool:
    """Whether the texts capitalise nouns inside sentences, as German does: there a keyword written in lower
    case (「parken」「geringem」「überwinden」) is a verb or an adjective, and the nouns are put first."""
    words = [word for text in texts for word in _words_inside_sentences(text) if len(word) >= 3]
    return len(words) >= 50 and sum(word[0].isupper() for word in words) / len(words) > NOUN_CAPITALS_SHARE


def _written_forms(texts: list[str]) -> dict[str, str]:
    """Per lower-cased word, how the texts write it inside a sentence — 「Radweg」「Ampelschaltung」 in German,
    "Brexit", "NZ" and "bus" in English — so keywords are shown as written; a word only ever seen opening a
    sentence stays lower case ("Parking is …" says nothing about how "parking" is written)."""
    seen: dict[str, Counter] = {}
    for text in texts:
        if is_japanese(text):
            continue
        for word in _words_inside_sentences(text):
            seen.setdefault(word.lower(), Counter())[word] += 1
    written = {low: forms.most_common(1)[0][0] for low, forms in seen.items()}
    return {low: form for low, form in written.items() if form != low}


def _words_inside_sentences(text: str) -> Iterator[str]:
    """The words of ``text`` that do not open a sentence, line or quote: how a language writes a word shows
    there."""
    for match in _WORD.finditer(text):
        before = text[max(0, match.start() - 3) : match.start()].rstrip()
        if before and before[-1] not in ".!?:;\n\"'(「“„":
            yield match.group()


def normalise_term(term: str) -> str:
    import unicodedata

    return unicodedata.normalize("NFKC", term).strip().lower()


def _evenness(counts: dict[int, Counter], sizes: dict[int, float], classes: list[int]) -> dict[str, float]:
    """Per word, the entropy of its relative frequency over the clusters divided by log C (0: one
    cluster only, 1: equally common in all); 0 for everything below 3 clusters."""
    if len(classes) < 3:
        return {}
    shares: dict[str, list[float]] = {}
    for position, c in enumerate(classes):
        for word, count in counts[c].items():
            shares.setdefault(word, [0.0] * len(classes))[position] = count / sizes[c]
    result = {}
    log_c = np.log(len(classes))
    for word, values in shares.items():
        p = np.asarray(values)
        p = p[p > 0] / p.sum()
        result[word] = float(-(p * np.log(p)).sum() / log_c) if len(p) > 1 else 0.0
    return result


def label_from_keywords(keywords: list[str], *, lang: str, count: int = 3) -> str:
    separator = "・" if lang == "ja" else ", "
    return separator.join(keywords[:count])


# Connectives and asides that open a unit but do not belong in a title.
_JA_LEAD = re.compile(
    r"^(また|それから|加えて|さらに|あわせて|併せて|まず|次に|最後に|なお|ついでに言うと|話は変わりますが|それと|そして|ただ|しかし|特に|一方|あと)[、,]?\s*"
)
_EN_LEAD = re.compile(
    r"^(also|and|but|finally|first|second|moreover|furthermore|in addition|besides|however)[,]?\s+", re.IGNORECASE
)
_END = re.compile(r"[\s。．.!！?？、,]+$")
# A list marker that opens a unit: 「12. 」「- 」「・」「①」「(3)」「第2に、」, or a question label 「Q.」「Q3:」 (as
# residents' letters are printed on answer pages) — numbering, not words of a title.
_MARKER = re.compile(
    r"^(?:[-–—•・*＊]+|\(?\d{1,3}[.)）:：](?!\d)|[（(]\d{1,3}[)）]|[①-⑳]|第\d{1,2}に[、,]?|[QＱ]\d{0,3}[.:：)])\s*"
)
TITLE_CHARS = {"ja": 40, "other": 90}
# A first line shorter than this (「要望」「北町」) is not a title on its own.
TITLE_LINE_MIN_CHARS = 6


# A space between two Japanese characters: a line break once a unit is on one line (Japanese puts no spaces
# between words), as after a proposal's title line.
_JA_LINE_BREAK = re.compile(r"(?<=[^\x00-\x7f])\s+(?=[^\x00-\x7f])")


def _shorten(text: str, lang: str) -> str:
    """``text`` cut to a title: its first sentence when that fits and is not tiny (a proposal's title line
    ends at a space once the unit is on one line), else at a clause boundary with "…". A Japanese title line
    is the title even when the body's first sentence would fit beside it (「中学生が使えるスケートボード広場」,
    not 「…広場 中学生・高校生の居場所が公園にありません」)."""
    limit = TITLE_CHARS["ja" if lang == "ja" else "other"]
    if lang == "ja":
        line = _JA_LINE_BREAK.search(text[: limit + 1])
        if line and line.start() >= TITLE_LINE_MIN_CHARS:
            return _END.sub("", text[: line.start()])
    if len(text) <= limit:
        return text
    boundary = r"[。．！？!?]|\s" if lang == "ja" else r"[.!?](?=\s)"
    sentence = min((m.start() for m in re.finditer(boundary, text[: limit + 1]) if m.start() >= limit // 3), default=0)
    if sentence:
        return _END.sub("", text[:sentence])
    if lang == "ja":
        cut = max((m.end() for m in re.finditer(r"[、,]", text[:limit])), default=0)
    else:
        cut = max((m.start() for m in re.finditer(r"[,;:]|\s(?:and|but|because|which)\s", text[:limit])), default=0)
    if cut >= limit // 3:
        return _END.sub("", text[:cut]) + "…"
    if lang != "ja":
        space = text.rfind(" ", 0, limit)
        return text[: space if space > limit // 2 else limit].rstrip() + "…"
    return text[:limit].rstrip() + "…"


def clean_unit(text: str, lang: str) -> str:
    """A unit as a title: without a leading connective (「また、」「Also,」) or list marker (「12.」「-」「①」) and
    trailing punctuation."""
    text = text.strip()
    previous = None
    while previous != text:
        previous = text
        text = _MARKER.sub("", (_JA_LEAD if lang == "ja" else _EN_LEAD).sub("", text))
    text = _END.sub("", text)
    if lang != "ja" and text and text[1:2] != ".":  # 「z.B. …」, "e.g. …" stay as written
        text = text[0].upper() + text[1:]
    return text


def _first_sentence_naming(title: str, keywords: list[str], lang: str) -> str:
    """A title of several sentences cut to its first when that names one of ``keywords`` and is not tiny: a
    contribution's title line, which ends with a full stop once the text is on one line (「Winterdienst.
    Kein Winterdienst.」 → 「Winterdienst」; "Sprungschanzen durch Wurzeln. Er gehört verbreitert…"). Not
    Japanese, whose title lines end at a space (:func:`_shorten`)."""
    if lang == "ja":
        return title
    spans = sentence_spans(title)
    if len(spans) < 2:
        return title
    first = _END.sub("", title[spans[0][0] : spans[0][1]]).strip()
    lowered = first.lower()
    if len(first) >= TITLE_LINE_MIN_CHARS and any(k.lower() in lowered for k in keywords):
        return first
    return title


def theme_title(
    texts: list[str],
    rows: np.ndarray,
    keywords: list[str],
    *,
    lang: str,
    avoid: set[str] | frozenset[str] = frozenset(),
    skip: frozenset[str] = frozenset(),
    labels: frozenset[str] = frozenset(),
) -> str:
    """A short readable title for a theme: its most central unit that names one of the theme's top
    keywords and is short enough to publish, without connectives; shortened at a clause boundary when
    every candidate is long. Never a greeting or formula (those are not units of a theme), nor a sentence
    that many comments add to their own words (``skip``: :func:`ml.units.repeated_sentences`). A title in
    ``avoid`` (the parent theme's and the other sub-themes' titles) is taken only when nothing else is left. A
    leading label in ``labels`` (:func:`ml.units.shared_labels`: 「Klimarat: …」 across the themes) is left out."""
    if not texts:
        return ""
    rows = np.asarray(rows, dtype=np.float64)
    centre = rows.mean(axis=0)
    norm = np.linalg.norm(centre)
    central = rows @ (centre / norm) if norm else np.zeros(len(rows))
    top = [k for k in keywords[:3] if k]
    best, best_score = None, -np.inf
    taken, taken_score = None, -np.inf  # the best of the titles in ``avoid``: when nothing else is left
    language_of: dict[str, str] = {}  # title → its own language (English comments in a Japanese analysis)
    seen = set()
    for index in np.argsort(-central)[:50]:
        own = text_language(texts[index], lang)
        limit = TITLE_CHARS["ja" if own == "ja" else "other"]
        whole = clean_unit(without_label(key_sentences(texts[index], top, own, limit=limit, skip=skip), labels), own)
        title = _first_sentence_naming(whole, top, own)  # shown shorter; scored as a whole, as before
        if not title or title in seen:
            continue
        seen.add(title)
        language_of[title] = own
        lowered = whole.lower()
        named = sum(1 for k in top if k.lower() in lowered)
        score = (
            float(central[index])
            + 0.1 * min(named, 2)
            - (0.2 if len(whole) > limit else 0.0)
            - (0.1 if len(whole) < 6 else 0.0)
            + (0.05 if asks(whole) else 0.0)
        )
        if _shorten(title, own) in avoid:
            if score > taken_score:
                taken, taken_score = title, score
        elif score > best_score:
            best, best_score = title, score
    if best or taken:
        return _shorten(best or taken, language_of[best or taken])
    own = text_language(texts[0], lang)
    limit = TITLE_CHARS["ja" if own == "ja" else "other"]
    return _shorten(clean_unit(without_label(key_sentences(texts[0], top, own, limit=limit), labels), own), own)
