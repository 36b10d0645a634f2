"""The sets `python -m ml.evaluate_themes` measures (ml/README.md), read without a model."""

from pathlib import Path

from ml.evaluate_themes import labelled, paraphrases, six_conversations

FIXTURES = Path(__file__).parent / "fixtures"


def test_the_labelled_sets_and_the_paraphrase_themes():
    sets = labelled(FIXTURES)
    assert {len(set(themes)) for texts, themes in sets.values()} == {5, 7}
    assert all(len(texts) == len(themes) for texts, themes in sets.values())
    texts, themes = paraphrases(FIXTURES, "ja", related=False)
    assert len(texts) == 120 and len(set(themes)) == 60
    texts, themes = paraphrases(FIXTURES, "en", related=True)
    assert len(texts) == 180 and len(set(themes)) == 120
    texts, themes = six_conversations(FIXTURES)
    sizes = sorted((themes.count(t) for t in set(themes)), reverse=True)
    assert len(texts) == 310 and sizes == [119, 55, 44, 37, 31, 24]
