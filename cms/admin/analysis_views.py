"""Staff review of opinion analyses in the Wagtail admin: start runs, follow progress, curate themes,
write and publish the summary. Every view checks ``ml.view_analysis`` / ``ml.manage_analysis``."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_POST
from wagtail.models import Locale

from cms.models import ConsultationPage
from ml import selectors, services
from ml.models import AnalysisRun, Theme
from participation.analysis.runs import analysis_start
from participation.core.errors import require


class StartForm(forms.Form):
    themes = forms.IntegerField(
        label=gettext_lazy("Number of themes"),
        required=False,
        min_value=2,
        max_value=30,
        help_text=gettext_lazy("Leave empty to let the analysis choose."),
    )
    subthemes = forms.BooleanField(label=gettext_lazy("Also find sub-themes"), required=False, initial=True)


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


def _consultation(consultation_id: int) -> ConsultationPage:
    page = get_object_or_404(ConsultationPage, pk=consultation_id)
    return page.canonical


def _detail_url(page) -> str:
    return reverse("ml_analysis:detail", args=[page.pk])


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
    context = {
        "page": page,
        "latest": latest,
        "shown": shown,
        "review": selectors.run_review(shown) if shown else None,
        "summary": summary,
        "start_form": StartForm(),
        "merge_form": MergeForm(run=shown),
        "summary_form": SummaryForm(initial={"text": summary.text if summary else ""}),
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
        services.summary_save(consultation_id=page.pk, text=form.cleaned_data["text"], run=run, user=request.user)
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
