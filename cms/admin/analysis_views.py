"""Staff review of opinion analyses in the Wagtail admin: start runs, follow progress, curate themes,
write and publish the summary. Every view checks ``ml.view_analysis`` / ``ml.manage_analysis``."""

from __future__ import annotations

import datetime as dt
import logging
import secrets

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.http import Http404, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from wagtail.models import Locale, Site

from cms.models import ConsultationPage
from ml import importing, report_pdf, selectors, services
from ml.models import AnalysisRun, ExternalSource, ImportJob, Theme
from ml.sentiment import percentages
from participation.analysis.imports import import_start
from participation.analysis.runs import MAX_STOP_TERMS, analysis_start, attribute_labels, channel_labels
from participation.core.errors import require

logger = logging.getLogger(__name__)


class StartForm(forms.Form):
    themes = forms.IntegerField(
        label=gettext_lazy("Number of themes"),
        required=False,
        min_value=2,
        max_value=30,
        help_text=gettext_lazy("Leave empty to let the analysis choose."),
    )
    subthemes = forms.BooleanField(label=gettext_lazy("Also find sub-themes"), required=False, initial=True)
    stop_terms = forms.CharField(
        label=gettext_lazy("Words never used as keywords"),
        required=False,
        max_length=MAX_STOP_TERMS * 41,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=gettext_lazy(
            "For example the districts and places of the consultation (北町, 東町公園 …), separated by commas or lines."
        ),
    )


class RenameForm(forms.Form):
    label = forms.CharField(label=gettext_lazy("Theme name"), max_length=200)


class MergeForm(forms.Form):
    target = forms.ModelChoiceField(queryset=Theme.objects.none(), label=gettext_lazy("Keep this theme"))
    other = forms.ModelChoiceField(queryset=Theme.objects.none(), label=gettext_lazy("and move into it all of"))

    def __init__(self, *args, run=None, **kwargs):
        super().__init__(*args, **kwargs)
        queryset = Theme.objects.filter(run=run, parent=None) if run else Theme.objects.none()
        self.fields["target"].queryset = queryset
        self.fields["other"].queryset = queryset

    def clean(self):
        data = super().clean()
        if data.get("target") and data.get("other") and data["target"].pk == data["other"].pk:
            raise forms.ValidationError(_("Choose two different themes to merge."))
        return data


class SummaryForm(forms.Form):
    text = forms.CharField(
        label=gettext_lazy("Summary for residents"),
        widget=forms.Textarea(attrs={"rows": 8}),
        max_length=20000,
        required=False,
    )
    text_en = forms.CharField(
        label=gettext_lazy("The summary in English (optional)"),
        help_text=gettext_lazy("Shown on the English pages. Without it they show the summary above, marked as Japanese."),
        widget=forms.Textarea(attrs={"rows": 6, "lang": "en"}),
        max_length=20000,
        required=False,
    )


def _consultation(consultation_id: int) -> ConsultationPage:
    page = get_object_or_404(ConsultationPage, pk=consultation_id)
    return page.canonical


def _detail_url(page) -> str:
    return reverse("ml_analysis:detail", args=[page.pk])


def _tone(shares: dict | None) -> dict[str, int] | None:
    """Sentiment shares as whole percentages for the review page (None when the run has none)."""
    if not shares:
        return None
    return percentages(shares)


def _last_stop_terms(run: AnalysisRun | None) -> str:
    """The words the previous run left out of keywords, offered again for the next run."""
    return "、".join((run.parameters or {}).get("stop_terms") or []) if run else ""


@require_GET
def analysis_index(request):
    require(request.user, "ml.view_analysis")
    pages = list(ConsultationPage.objects.filter(locale=Locale.get_default()).order_by("-start_date", "title"))
    latest = selectors.runs_by_consultation([p.pk for p in pages])
    rows = [{"page": p, "run": latest.get(p.pk)} for p in pages]
    return render(request, "cms/analysis/index.html", {"rows": rows})


@require_GET
def analysis_detail(request, consultation_id: int):
    require(request.user, "ml.view_analysis")
    page = _consultation(consultation_id)
    latest = selectors.latest_run(page.pk)
    shown = selectors.latest_successful_run(page.pk)
    summary = selectors.summary_for(page.pk)
    review = (
        selectors.run_review(shown, channel_labels=channel_labels(), attribute_labels=attribute_labels())
        if shown
        else None
    )
    if review:
        review["tone"] = _tone((review["sentiment"] or {}).get("shares"))
        for entry in review["themes"]:
            entry["tone"] = _tone(entry["theme"].sentiment)
    context = {
        "page": page,
        "latest": latest,
        "shown": shown,
        "review": review,
        "summary": summary,
        "start_form": StartForm(initial={"subthemes": True, "stop_terms": _last_stop_terms(latest)}),
        "sources": list(selectors.external_sources(page.pk)),
        "report_url": reverse("ml_analysis:report", args=[shown.pk]) if shown else "",
        "report_pdf_url": reverse("ml_analysis:report_pdf", args=[shown.pk]) if shown else "",
        "merge_form": MergeForm(run=shown),
        "summary_form": SummaryForm(
            initial={"text": summary.text if summary else "", "text_en": summary.text_en if summary else ""}
        ),
        "can_manage": request.user.has_perm("ml.manage_analysis"),
        "palette": range(selectors.PALETTE_SIZE),
    }
    return render(request, "cms/analysis/detail.html", context)


@require_GET
def analysis_status(request, run_id: int):
    require(request.user, "ml.view_analysis")
    run = get_object_or_404(
        AnalysisRun.objects.only("status", "progress", "stage", "error", "consultation_id"), pk=run_id
    )
    return JsonResponse(
        {
            "id": run.pk,
            "status": run.status,
            "status_label": run.get_status_display(),
            "progress": run.progress,
            "stage": run.stage,
            "stage_label": run.stage_label,
            "error": run.error,
            "active": run.is_active,
        }
    )


@require_POST
def analysis_run(request, consultation_id: int):
    require(request.user, "ml.manage_analysis")
    page = _consultation(consultation_id)
    form = StartForm(request.POST)
    if not form.is_valid():
        messages.error(request, " ".join(str(e) for errors in form.errors.values() for e in errors))
        return redirect(_detail_url(page))
    try:
        analysis_start(
            consultation_id=page.pk,
            user=request.user,
            themes=form.cleaned_data["themes"],
            sublevel=bool(form.cleaned_data["subthemes"]),
            stop_terms=form.cleaned_data["stop_terms"],
        )
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("The analysis has started. This page shows its progress."))
    return redirect(_detail_url(page))


@require_POST
def theme_rename(request, theme_id: int):
    require(request.user, "ml.manage_analysis")
    theme = get_object_or_404(Theme.objects.select_related("run"), pk=theme_id)
    form = RenameForm(request.POST)
    if form.is_valid():
        try:
            services.theme_rename(theme=theme, label=form.cleaned_data["label"])
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            messages.success(request, _("The theme was renamed."))
    else:
        messages.error(request, _("Enter a name for the theme (at most 200 characters)."))
    return redirect(reverse("ml_analysis:detail", args=[theme.run.consultation_id]))


@require_POST
def theme_merge(request, consultation_id: int):
    require(request.user, "ml.manage_analysis")
    page = _consultation(consultation_id)
    run = selectors.latest_successful_run(page.pk)
    form = MergeForm(request.POST, run=run)
    if run is None or not form.is_valid():
        errors = form.errors.get("__all__") or [_("Choose two themes of this analysis.")]
        messages.error(request, " ".join(str(e) for e in errors))
        return redirect(_detail_url(page))
    try:
        services.theme_merge(target=form.cleaned_data["target"], other=form.cleaned_data["other"])
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("The themes were merged."))
    return redirect(_detail_url(page))


@require_POST
def summary_edit(request, consultation_id: int):
    require(request.user, "ml.manage_analysis")
    page = _consultation(consultation_id)
    form = SummaryForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("The summary can have at most 20,000 characters."))
        return redirect(_detail_url(page))
    run = selectors.latest_successful_run(page.pk)
    try:
        services.summary_save(
            consultation_id=page.pk, text=form.cleaned_data["text"], text_en=form.cleaned_data["text_en"], run=run,
            user=request.user,
        )
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("The summary was saved."))
    return redirect(_detail_url(page))


@require_POST
def summary_publish(request, consultation_id: int):
    require(request.user, "ml.manage_analysis")
    page = _consultation(consultation_id)
    summary = selectors.summary_for(page.pk)
    publish = request.POST.get("action") == "publish"
    if summary is None:
        messages.error(request, _("Write a summary before publishing it."))
        return redirect(_detail_url(page))
    try:
        services.summary_publish(summary=summary, publish=publish, user=request.user)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("The summary is now public.") if publish else _("The summary is no longer public."))
    return redirect(_detail_url(page))


# --- Opinions from outside the platform (CSV / xlsx) -------------------------------------------------------
# Step 1 reads the upload (nothing stored in the database); the file waits in storage under a random token
# kept in the staff member's session. Step 2 stores every row or none (ml.services.external_import).

UPLOAD_DIR = "ml-imports"
UPLOAD_MAX_AGE = dt.timedelta(days=1)
PREVIEW_ROWS = 5
SESSION_KEY = "ml_imports"
ENCODING_NAMES = {"utf-8": "UTF-8", "cp932": "Shift_JIS (CP932)", "utf-16": "UTF-16"}


class UploadForm(forms.Form):
    name = forms.CharField(
        label=gettext_lazy("Name of these opinions"),
        max_length=200,
        required=False,
        help_text=gettext_lazy("For example “Public comments, January 2026”. Empty: the file name."),
    )
    file = forms.FileField(
        label=gettext_lazy("File (CSV or Excel .xlsx)"),
        help_text=gettext_lazy(
            "One opinion per row, with a header row. CSV in UTF-8 or Shift_JIS (CP932); at most 100,000 rows and 50 MB."
        ),
        widget=forms.ClearableFileInput(attrs={"accept": ".csv,.txt,.tsv,.xlsx,text/csv"}),
    )


class ColumnsForm(forms.Form):
    text_column = forms.ChoiceField(label=gettext_lazy("Column with the opinion text"))
    title_column = forms.ChoiceField(
        label=gettext_lazy("Column with a title or subject (optional)"),
        required=False,
        help_text=gettext_lazy(
            "For example the subject of a letter or the title of a proposal: it is read with the text, as the "
            "first line of each opinion (it helps group the opinions into themes)."
        ),
    )
    id_column = forms.ChoiceField(
        label=gettext_lazy("Column with an id (optional)"),
        required=False,
        help_text=gettext_lazy("Without one, the line number in the file is the id."),
    )
    date_column = forms.ChoiceField(label=gettext_lazy("Column with the date (optional)"), required=False)
    attribute_columns = forms.MultipleChoiceField(
        label=gettext_lazy("Other columns to keep (optional)"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=gettext_lazy("For example age group or district, kept with each opinion for the review."),
    )

    def __init__(self, *args, columns: list[str], **kwargs):
        super().__init__(*args, **kwargs)
        choices = [(c, c) for c in columns]
        none = [("", _("(no column)"))]
        self.fields["text_column"].choices = choices
        self.fields["title_column"].choices = none + choices
        self.fields["id_column"].choices = none + choices
        self.fields["date_column"].choices = none + choices
        self.fields["attribute_columns"].choices = choices
        for name, field in self.fields.items():  # screen readers read a select's help with it
            if field.help_text and name != "attribute_columns":  # (the checkboxes' fieldset points at its own)
                field.widget.attrs["aria-describedby"] = f"id_{name}-help"

    def clean(self):
        data = super().clean()
        text, title = data.get("text_column"), data.get("title_column")
        if text and text in {data.get("id_column"), data.get("date_column")}:
            raise forms.ValidationError(_("The text column cannot also be the id or the date column."))
        if title and title in {text, data.get("id_column"), data.get("date_column")}:
            raise forms.ValidationError(_("The title column cannot also be the text, id or date column."))
        return data


def _form_errors(form) -> list[str]:
    return [str(error) for errors in form.errors.values() for error in errors]


def _remove_stale_uploads() -> None:
    """Files of imports started and never finished are removed after a day."""
    try:
        _dirs, files = default_storage.listdir(UPLOAD_DIR)
    except (FileNotFoundError, NotImplementedError, OSError):
        return
    cutoff = timezone.now() - UPLOAD_MAX_AGE
    for name in files:
        path = f"{UPLOAD_DIR}/{name}"
        try:
            if default_storage.get_modified_time(path) < cutoff:
                default_storage.delete(path)
        except (FileNotFoundError, NotImplementedError, OSError):
            continue


def _pending(request, consultation_id: int, token: str) -> dict:
    pending = request.session.get(SESSION_KEY, {}).get(token)
    if not pending or pending.get("consultation_id") != consultation_id:
        raise Http404
    return pending


def _forget(request, token: str) -> None:
    pending = request.session.get(SESSION_KEY, {})
    entry = pending.pop(token, None)
    request.session[SESSION_KEY] = pending
    if entry:
        try:
            default_storage.delete(entry["path"])
        except OSError:
            logger.warning("could not delete the import file %s", entry["path"])


@require_http_methods(["GET", "POST"])
def import_upload(request, consultation_id: int):
    """Step 1: the file is read and checked; its columns and first rows are shown in step 2."""
    require(request.user, "ml.manage_analysis")
    page = _consultation(consultation_id)
    form = UploadForm(request.POST or None, request.FILES or None)
    error = ""
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            if upload.size > importing.MAX_BYTES:
                raise importing.TableError(
                    _("The file is larger than %(size)d MB.") % {"size": importing.MAX_BYTES // (1024 * 1024)}
                )
            data = upload.read()
            table = importing.read_table(data, upload.name)
        except importing.TableError as exc:
            error = str(exc)
        else:
            _remove_stale_uploads()
            token = secrets.token_urlsafe(16)
            path = default_storage.save(f"{UPLOAD_DIR}/{token}.upload", ContentFile(data))
            pending = request.session.get(SESSION_KEY, {})
            pending[token] = {
                "consultation_id": page.pk,
                "path": path,
                "filename": upload.name[:255],
                "name": form.cleaned_data["name"].strip() or upload.name[:200],
                "columns": table.columns,
                "preview": [[cell[:200] for cell in row[:30]] for row in table.rows[:PREVIEW_ROWS]],
                "rows": len(table.rows),
                "kind": table.kind,
                "encoding": table.encoding,
            }
            request.session[SESSION_KEY] = pending
            return redirect(reverse("ml_analysis:import_columns", args=[page.pk, token]))
    elif request.method == "POST":
        error = " ".join(_form_errors(form))
    status = 400 if error else 200
    return render(
        request, "cms/analysis/import_upload.html", {"page": page, "form": form, "error": error}, status=status
    )


@require_http_methods(["GET", "POST"])
def import_columns(request, consultation_id: int, token: str):
    """Step 2: staff choose the columns; every row is stored or none (the error says why)."""
    require(request.user, "ml.manage_analysis")
    page = _consultation(consultation_id)
    pending = _pending(request, page.pk, token)
    columns = pending["columns"]
    form = ColumnsForm(request.POST or None, columns=columns, initial={"text_column": _guess_text_column(pending)})
    error = ""
    if request.method == "POST" and request.POST.get("action") == "cancel":
        _forget(request, token)
        messages.info(request, _("The import was cancelled; nothing was stored."))
        return redirect(_detail_url(page))
    if request.method == "POST" and form.is_valid():
        if not default_storage.exists(pending["path"]):
            _forget(request, token)
            messages.error(request, _("The uploaded file is no longer available. Upload it again."))
            return redirect(reverse("ml_analysis:import", args=[page.pk]))
        # The rows are read, checked and stored by a background task (participation/analysis/imports.py);
        # the next page shows its progress. The job owns the file from here on and removes it.
        job = import_start(
            consultation_id=page.pk,
            name=pending["name"],
            filename=pending["filename"],
            path=pending["path"],
            parameters={
                "text_column": form.cleaned_data["text_column"],
                "title_column": form.cleaned_data["title_column"] or "",
                "id_column": form.cleaned_data["id_column"] or "",
                "date_column": form.cleaned_data["date_column"] or "",
                "attribute_columns": list(form.cleaned_data["attribute_columns"]),
            },
            user=request.user,
        )
        entries = request.session.get(SESSION_KEY, {})
        entries.pop(token, None)
        request.session[SESSION_KEY] = entries
        return redirect(reverse("ml_analysis:import_progress", args=[job.pk]))
    elif request.method == "POST":
        error = " ".join(_form_errors(form))
    context = {
        "page": page,
        "form": form,
        "error": error,
        "pending": pending,
        "encoding": ENCODING_NAMES.get(pending.get("encoding") or "", pending.get("encoding") or ""),
        "token": token,
    }
    return render(request, "cms/analysis/import_columns.html", context, status=400 if error else 200)


def _import_job(request, job_id: int) -> ImportJob:
    job = get_object_or_404(ImportJob, pk=job_id)
    if job.created_by_id and job.created_by_id != request.user.pk:
        raise Http404  # another staff member's import: their file, their columns
    return job


@require_GET
def import_progress(request, job_id: int):
    """Step 3: the import runs in the background; this page shows its progress (static/ml/analysis_admin.js
    polls ``import_status`` and reloads when it ends). Done: back to the review with the counts. Failed:
    the reason, and nothing was stored."""
    require(request.user, "ml.manage_analysis")
    job = _import_job(request, job_id)
    page = _consultation(job.consultation_id)
    if job.status == ImportJob.Status.DONE and job.source_id:
        messages.success(request, _import_message(job.source))
        return redirect(_detail_url(page))
    percent, stage = services.import_job_progress(job)
    context = {"page": page, "job": job, "percent": percent, "stage": ImportJob.stage_label_of(stage)}
    return render(request, "ml/import_progress.html", context)


@require_GET
def import_status(request, job_id: int):
    require(request.user, "ml.manage_analysis")
    job = _import_job(request, job_id)
    percent, stage = services.import_job_progress(job)
    return JsonResponse(
        {
            "id": job.pk,
            "status": job.status,
            "status_label": job.get_status_display(),
            "progress": percent,
            "stage": ImportJob.stage_label_of(stage),
            "error": job.error,
            "active": job.is_active,
        }
    )


def _guess_text_column(pending: dict) -> str:
    """The column with the longest texts in the preview: usually the opinion."""
    columns = pending["columns"]
    lengths = [0] * len(columns)
    for row in pending["preview"]:
        for index, cell in enumerate(row[: len(columns)]):
            lengths[index] += len(cell)
    return columns[max(range(len(columns)), key=lengths.__getitem__)] if columns else ""


def _import_message(source: ExternalSource) -> str:
    parts = [
        ngettext(
            "%(count)d opinion was imported as “%(name)s”.",
            "%(count)d opinions were imported as “%(name)s”.",
            source.rows,
        )
        % {"count": source.rows, "name": source.name}
    ]
    if source.skipped_empty:
        parts.append(
            ngettext(
                "%(count)d row without text was left out.",
                "%(count)d rows without text were left out.",
                source.skipped_empty,
            )
            % {"count": source.skipped_empty}
        )
    if source.truncated:
        parts.append(
            ngettext(
                "%(count)d text longer than 20,000 characters was cut.",
                "%(count)d texts longer than 20,000 characters were cut.",
                source.truncated,
            )
            % {"count": source.truncated}
        )
    parts.append(_("Start an analysis to include them."))
    return " ".join(parts)


@require_POST
def import_delete(request, source_id: int):
    require(request.user, "ml.manage_analysis")
    source = get_object_or_404(ExternalSource, pk=source_id)
    consultation_id = source.consultation_id
    services.external_delete(source=source)
    messages.success(request, _("The imported opinions were deleted. The next analysis leaves them out."))
    return redirect(reverse("ml_analysis:detail", args=[consultation_id]))


def _finished_report(request, run_id: int) -> tuple[AnalysisRun, ConsultationPage | None, dict]:
    """The council report of a finished run, for staff who may view analyses (else 403 / 404)."""
    require(request.user, "ml.view_analysis")
    run = get_object_or_404(AnalysisRun, pk=run_id, status=AnalysisRun.Status.SUCCEEDED)
    page = ConsultationPage.objects.filter(pk=run.consultation_id).first()
    report = selectors.council_report(
        run, title=page.title if page else "", channel_labels=channel_labels(), attribute_labels=attribute_labels()
    )
    return run, page, report


@require_GET
def council_report(request, run_id: int):
    """The printable one-page report of a finished analysis for the council (HTML with print styles)."""
    run, page, report = _finished_report(request, run_id)
    return render(request, "ml/council_report.html", {"report": report, "page": page, "run_id": run.pk})


@require_GET
def council_report_pdf(request, run_id: int):
    """The same report as an A4 PDF file, drawn without a browser (``ml.report_pdf``)."""
    run, _page, report = _finished_report(request, run_id)
    site = Site.find_for_request(request)
    pdf = report_pdf.council_report_pdf(report, author=site.site_name if site else "")
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="analysis-{run.pk}.pdf"'
    return response
