"""`python -m ml.evaluate_ceiling`: the themes of a labelled set against a classifier trained on its labels."""

import numpy as np

from ml.evaluate_ceiling import ceiling, measure, read
from ml.units import UnitTable


def _blobs(seed=0, per=30, dims=8, spread=0.3):
    """Three labelled groups of vectors, one unit per text, the last text split into two units."""
    rng = np.random.RandomState(seed)
    centres = np.eye(dims)[:3] * 3
    rows = np.vstack([centre + spread * rng.randn(per, dims) for centre in centres])
    labels = [name for name in ("bus", "park", "waste") for _ in range(per)]
    owner = np.arange(len(rows))
    rows = np.vstack([rows, rows[-1:] + 0.01])  # a second unit of the last text
    owner = np.append(owner, owner[-1])
    return rows, owner, labels


class _Scorer:
    def __init__(self, rows, owner):
        self.table = UnitTable([f"unit {i}" for i in range(len(owner))], owner, [])
        self.matrix = rows

    def rows(self, texts):
        return self.table, self.matrix


def test_the_classifier_recovers_separable_labels_and_keeps_a_texts_units_in_one_fold():
    rows, owner, labels = _blobs()
    predicted = ceiling(rows, owner, labels, folds=5)
    assert list(predicted[:-1]) == labels  # one label per unit; separable groups are found
    assert predicted[-1] == predicted[-2]


def test_measure_reports_themes_and_ceiling_on_the_same_rows():
    rows, owner, labels = _blobs(spread=0.2)
    result = measure([f"text {i}" for i in range(len(labels))], labels, seeds=2, scorer=_Scorer(rows, owner))
    assert result["texts"] == 90 and result["themes"] == 3
    assert result["ari"] > 0.95 and result["ceiling_ari"] > 0.95 and result["ceiling_accuracy"] > 0.97


def test_a_harder_set_scores_below_its_ceiling_where_groups_overlap():
    rows, owner, labels = _blobs(spread=1.6)
    result = measure([f"text {i}" for i in range(len(labels))], labels, seeds=2, scorer=_Scorer(rows, owner))
    assert 0 <= result["ceiling_ari"] <= 1 and result["ari"] < 0.95


def test_read_takes_the_named_columns_and_leaves_out_rows_without_text_or_label(tmp_path):
    path = tmp_path / "topics.csv"
    path.write_text(
        "\ufeffid,topic,title,text\n1,bus,Late buses,Run buses later\n2,,,No label\n3,park,,\n4,park,,Fix the swings\n",
        encoding="utf-8",
    )
    texts, labels = read(path, "text", "topic", "title")
    assert texts == ["Late buses\nRun buses later", "Fix the swings"]
    assert labels == ["bus", "park"]
