"""Stored state of opinion analysis: the embedding cache, analysis runs and their results, summaries.

Consultations are referenced by a plain integer id (``ml`` imports no project app).
"""

from __future__ import annotations

import numpy as np
from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class EmbeddingCache(models.Model):
    """One vector per (model, normalised text): a re-run embeds only new or edited texts."""

    model_id = models.CharField(max_length=200)
    text_hash = models.CharField(max_length=64)  # sha256 of the normalised text
    dim = models.PositiveIntegerField()
    vector = models.BinaryField()  # float32, little-endian
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["model_id", "text_hash"], name="ml_embedding_unique_model_text")]

    def __str__(self) -> str:
        return f"{self.model_id} {self.text_hash[:12]}"

    def as_array(self) -> np.ndarray:
        return np.frombuffer(bytes(self.vector), dtype="<f4", count=self.dim)


class _StageLabels:
    """``stage`` in words for staff, from the model's ``STAGES`` (a name not listed is shown as it is)."""

    STAGES: dict = {}

    @classmethod
    def stage_label_of(cls, stage: str) -> str:
        """The words for a stage name (an import's live stage comes from the cache, not the row)."""
        return str(cls.STAGES.get(stage, stage))

    @property
    def stage_label(self) -> str:
        return self.stage_label_of(self.stage)


class AnalysisRun(_StageLabels, models.Model):
    class Status(models.TextChoices):
        QUEUED = "queued", _("Queued")
        RUNNING = "running", _("Running")
        SUCCEEDED = "succeeded", _("Finished")
        FAILED = "failed", _("Failed")

    ACTIVE = (Status.QUEUED, Status.RUNNING)
    # What staff read for ``stage``: the pipeline's and the run's own stage names.
    STAGES = {
        "start": _("starting"),
        "gather": _("gathering the opinions"),
        "embed": _("reading the texts"),
        "cluster": _("finding themes"),
        "sentiment": _("reading the tone"),
        "keywords": _("keywords and titles"),
        "map": _("drawing the map"),
        "store": _("saving"),
        "opinion groups": _("opinion groups"),
        "done": _("done"),
    }

    consultation_id = models.PositiveBigIntegerField(db_index=True)
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.QUEUED)
    progress = models.PositiveSmallIntegerField(default=0)  # 0..100
    stage = models.CharField(max_length=40, blank=True)
    parameters = models.JSONField(default=dict, blank=True)
    timings = models.JSONField(default=dict, blank=True)
    model = models.CharField(max_length=200, blank=True)
    counts = models.JSONField(default=dict, blank=True)  # texts, themes, noise, embedded_new, voters, statements
    error = models.TextField(blank=True)
    # Snapshot of the analysed items {id: {"text", "url", "kind", "xy": [x, y], "theme": index}} for the review page.
    items = models.JSONField(default=dict, blank=True)
    noise_ids = models.JSONField(default=list, blank=True)
    # Polis-style results: {"consensus": [...], "divisive": [...], "consensus_detail", "divisive_detail", "k_scores"}.
    opinion = models.JSONField(default=dict, blank=True)
    # {"method": ..., "shares": {"positive", "negative", "neutral"}} over the analysed items.
    sentiment = models.JSONField(default=dict, blank=True)
    started_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            # Two runs of the same consultation never run at once: the database refuses a second active run.
            models.UniqueConstraint(
                fields=["consultation_id"],
                condition=Q(status__in=["queued", "running"]),
                name="ml_one_active_run_per_consultation",
            ),
            models.CheckConstraint(condition=Q(progress__lte=100), name="ml_run_progress_max_100"),
        ]

    def __str__(self) -> str:
        return f"run {self.pk} of consultation {self.consultation_id} ({self.status})"

    @property
    def is_active(self) -> bool:
        return self.status in self.ACTIVE



class Theme(models.Model):
    run = models.ForeignKey(AnalysisRun, on_delete=models.CASCADE, related_name="themes")
    parent = models.ForeignKey("self", null=True, blank=True, on_delete=models.CASCADE, related_name="subthemes")
    position = models.PositiveIntegerField(default=0)
    label = models.CharField(max_length=200)
    generated_label = models.CharField(max_length=200, blank=True)
    keywords = models.JSONField(default=list, blank=True)
    size = models.PositiveIntegerField(default=0)
    member_ids = models.JSONField(default=list, blank=True)  # opinion-source item ids ("p12", "c40")
    representative_ids = models.JSONField(default=list, blank=True)
    coords = models.JSONField(default=list, blank=True)  # [[x, y], ...] aligned with member_ids
    # A short publishable phrase (the most central opinion unit, shortened), generated; ``label`` stays the
    # keywords (or staff's own name for the theme).
    title = models.CharField(max_length=300, blank=True)
    # Items whose main theme is another one but which also make a point of this theme (through an opinion unit).
    also_ids = models.JSONField(default=list, blank=True)
    # Representative opinion units: [{"id": item id, "quote": the unit's text, "sentiment": label}].
    quotes = models.JSONField(default=list, blank=True)
    # Share of the theme's opinion units per sentiment: {"positive": 0.2, "negative": 0.5, "neutral": 0.3}.
    sentiment = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["position", "id"]

    def __str__(self) -> str:
        return self.label


class OpinionGroup(models.Model):
    run = models.ForeignKey(AnalysisRun, on_delete=models.CASCADE, related_name="opinion_groups")
    position = models.PositiveIntegerField(default=0)
    size = models.PositiveIntegerField(default=0)
    member_ids = models.JSONField(default=list, blank=True)  # participant ids
    representative = models.JSONField(default=list, blank=True)  # [{"statement", "repful_for", "p_success", ...}]

    class Meta:
        ordering = ["position", "id"]

    def __str__(self) -> str:
        return f"group {self.position + 1} of run {self.run_id}"


class Summary(models.Model):
    """Staff's written summary of a consultation; public once ``published_at`` is set."""

    consultation_id = models.PositiveBigIntegerField(unique=True)
    run = models.ForeignKey(AnalysisRun, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    text = models.TextField(blank=True)
    # The same summary in English, for the English pages; where it is empty they show the text, marked as Japanese.
    text_en = models.TextField(blank=True)
    published_at = models.DateTimeField(null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    def __str__(self) -> str:
        return f"summary of consultation {self.consultation_id}"

    @property
    def is_published(self) -> bool:
        return self.published_at is not None


class ExternalSource(models.Model):
    """A file of opinions from outside the platform (public-comment submissions, inquiry logs, survey free
    text, exported posts) imported by staff for a consultation's analysis. Its rows never become proposals."""

    consultation_id = models.PositiveBigIntegerField(db_index=True)
    name = models.CharField(max_length=200)
    filename = models.CharField(max_length=255, blank=True)
    kind = models.CharField(max_length=8)  # csv / xlsx
    encoding = models.CharField(max_length=20, blank=True)
    # The columns staff chose: {"text": ..., "title": ... or "", "id": ... or "", "date": ... or "", "attributes": [...]}.
    columns = models.JSONField(default=dict, blank=True)
    rows = models.PositiveIntegerField(default=0)
    skipped_empty = models.PositiveIntegerField(default=0)
    truncated = models.PositiveIntegerField(default=0)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.name} ({self.rows})"


class ExternalOpinion(models.Model):
    source = models.ForeignKey(ExternalSource, on_delete=models.CASCADE, related_name="opinions")
    external_id = models.CharField(max_length=200)  # the id column's value, or the file's line number
    text = models.TextField()
    date = models.DateField(null=True, blank=True)
    attributes = models.JSONField(default=dict, blank=True)
    line = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["source_id", "id"]
        constraints = [
            models.UniqueConstraint(fields=["source", "external_id"], name="ml_external_id_unique_per_source")
        ]

    def __str__(self) -> str:
        return f"{self.source_id}:{self.external_id}"


class ImportJob(_StageLabels, models.Model):
    """One staff import of an outside file, run by a background task (``import_opinions``) so the request
    never waits: the uploaded file, the chosen columns, live progress, and the result or the reason it
    failed. Nothing of the file is stored as opinions unless the whole import succeeds."""

    class Status(models.TextChoices):
        QUEUED = "queued", _("Queued")
        RUNNING = "running", _("Importing")
        DONE = "done", _("Imported")
        FAILED = "failed", _("Failed")

    # What staff read for ``stage`` while the file is read, checked and stored.
    STAGES = {
        "read": _("reading the file"),
        "check": _("checking the rows"),
        "store": _("storing the opinions"),
        "done": _("done"),
    }

    consultation_id = models.PositiveBigIntegerField(db_index=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.QUEUED)
    progress = models.PositiveSmallIntegerField(default=0)
    stage = models.CharField(max_length=20, blank=True)
    name = models.CharField(max_length=200)
    filename = models.CharField(max_length=255, blank=True)
    path = models.CharField(max_length=300, blank=True)  # the uploaded file in default storage, removed after
    # {"text_column", "title_column", "id_column", "date_column", "attribute_columns"} as staff chose them
    parameters = models.JSONField(default=dict, blank=True)
    error = models.TextField(blank=True)
    source = models.ForeignKey(ExternalSource, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.name} ({self.status})"

    @property
    def is_active(self) -> bool:
        return self.status in (self.Status.QUEUED, self.Status.RUNNING)
