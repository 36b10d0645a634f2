"""The admin analysis views use the analysis glue's fake opinion source."""

from tests.participation.analysis.conftest import fake_source, proposal_texts, tfidf_backend  # noqa: F401
