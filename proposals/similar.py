"""Similar proposals while a resident writes one: the duplicate check and its API endpoint.

Candidates are this consultation's visible, not withdrawn proposals; the ranking by meaning (cached
vectors, the suggestions worker, the TF-IDF fall-back) is the kernel's ``rank_similar``, the same one
reports use for nearby reports.
"""

from __future__ import annotations

import logging

from django.http import HttpResponse
from ninja import Router, Schema, Status

from participation.analysis.suggestions import Similar
from participation.core import consultations

logger = logging.getLogger(__name__)

router = Router(tags=["proposals"])


def similar_proposals(*, consultation_id: int, text: str, limit: int = 5) -> Similar:
    """Up to ``limit`` visible proposals of the consultation closest in meaning to ``text``.

    ``matches`` holds dicts {"id", "title", "url", "score"}.
    """
    from ml.text import normalise
    from participation.analysis.suggestions import rank_similar
    from proposals.models import Proposal, ProposalState

    text = normalise(text)[:2000]
    if len(text) < 3:
        return Similar()
    consultation = consultations.get(consultation_id)
    if consultation is None:
        return Similar()
    proposals = {
        p.pk: p
        for p in Proposal.objects.visible().filter(consultation=consultation).exclude(state=ProposalState.WITHDRAWN)
        .order_by("pk").only("pk", "title", "body", "consultation_id")
    }
    if not proposals:
        return Similar()
    found = rank_similar(
        text=text, candidates=[(pk, f"{p.title}\n{p.body}") for pk, p in proposals.items()], limit=limit
    )
    matches = [
        {"id": pk, "title": proposals[pk].title, "url": proposals[pk].get_absolute_url(), "score": round(score, 3)}
        for pk, score in found.matches
    ]
    return Similar(matches=matches, pending=found.pending)


class SimilarOut(Schema):
    id: int
    title: str
    url: str
    score: float


@router.get(
    "/consultations/{consultation_id}/similar",
    response={200: list[SimilarOut], 202: list[SimilarOut]},
    summary="Proposals similar in meaning",
)
def similar(request, response: HttpResponse, consultation_id: int, text: str = ""):
    """Up to 5 visible proposals of the consultation that mean something similar to ``text``
    (Japanese or English). Never fails: on any error it returns [].

    202 with ``Retry-After``: the worker is still embedding the text; the list so far (often empty)
    is in the body and asking again shortly gives the ranking by meaning. Without the worker or
    its model the answer falls back to character n-gram TF-IDF after a few seconds.
    """
    try:
        found = similar_proposals(consultation_id=consultation_id, text=text[:2000])
    except Exception:
        logger.warning("similar proposals failed", exc_info=True)
        return Status(200, [])
    if found.pending:
        response["Retry-After"] = "1"
        return Status(202, found.matches)
    return Status(200, found.matches)
