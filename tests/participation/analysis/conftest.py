"""A fake opinion source (the proposals app registers the real one) and helpers for the analysis glue."""

from __future__ import annotations

import pytest

from participation.core.registry import OpinionSource, registry

TEXTS = [
    "公園の遊具を新しくしてほしい",
    "公園にベンチを増やしてください",
    "公園のトイレをきれいにしてほしい",
    "公園に木陰がほしい",
    "公園の照明を明るくしてほしい",
    "公園で犬の散歩ができるように",
    "バスの本数を増やしてほしい",
    "バス停に屋根を付けて",
    "夜遅くまでバスを走らせて",
    "病院へ行くバスがほしい",
    "バスの運賃を安くしてほしい",
    "バスが時刻表どおりに来ない",
    "図書館の開館時間を延ばして",
    "図書館に自習室を増やして",
    "図書館で電子書籍を借りたい",
    "図書館の本を増やしてほしい",
    "図書館の駐車場が狭い",
    "図書館を月曜日も開けて",
]


class FakeSource:
    """Visible items only, like the real source; ``hidden`` ids are filtered out as moderation would."""

    def __init__(self, texts=TEXTS):
        self.texts = {f"p{i + 1}": text for i, text in enumerate(texts)}
        self.hidden: set[str] = set()
        self.vote_rows: list[tuple] = []
        self.fail = False

    def items(self, consultation_id):
        if self.fail:
            raise RuntimeError("source broken")
        return [
            {"id": item_id, "text": text, "url": f"/proposals/{item_id[1:]}/", "kind": "proposal", "title": text[:20]}
            for item_id, text in self.texts.items()
            if item_id not in self.hidden
        ]

    def votes(self, consultation_id):
        return [row for row in self.vote_rows if row[1] not in self.hidden]


@pytest.fixture
def fake_source():
    source = FakeSource()
    previous = dict(registry.opinion_sources)
    registry.opinion_sources.clear()
    registry.opinion_sources["fake"] = OpinionSource(label="fake", items=source.items, votes=source.votes)
    yield source
    registry.opinion_sources.clear()
    registry.opinion_sources.update(previous)


@pytest.fixture
def tfidf_backend(settings):
    """Glue tests use the TF-IDF backend: no model to load, same code path otherwise."""
    settings.ML_EMBEDDING_BACKEND = "tfidf"
    return settings


@pytest.fixture
def proposal_texts(open_consultation, settings):
    """TEXTS as real proposals of the open consultation (title and body), in order: index i is TEXTS[i]."""
    from participation.core.predicates import RESIDENT
    from proposals import services
    from tests.conftest import make_user

    settings.RATE_LIMITS_ENABLED = False
    open_consultation.proposals_per_user = 0
    open_consultation.save()
    return [
        services.proposal_create(author=make_user(f"writer{i}", RESIDENT), consultation=open_consultation,
                                 title=text, body=text)
        for i, text in enumerate(TEXTS)
    ]
