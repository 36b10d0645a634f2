"""Forms for the HTML views and the admin import. They only shape input; services validate."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from accountability.models import TEXT_MAX, TITLE_MAX, Department, ResultStatus


class StatusChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return f"{obj.localized_name} ({obj.default_progress}%)"


class ResultUpdateForm(forms.Form):
    text = forms.CharField(label=_("Update"), required=False, max_length=TEXT_MAX,
                           widget=forms.Textarea(attrs={"rows": 4}),
                           help_text=_("What was done, in plain words. Shown on the public timeline."))
    status = StatusChoiceField(label=_("New status (optional)"), required=False, queryset=ResultStatus.objects.all(),
                               empty_label=_("Keep the current status"))
    progress = forms.IntegerField(label=_("New progress in % (optional)"), required=False,
                                  help_text=_("0 to 100. Leave empty to keep it (or to use the new status's default)."),
                                  widget=forms.NumberInput(attrs={"inputmode": "numeric"}))
    photo = forms.FileField(label=_("Photo (optional)"), required=False,
                            help_text=_("JPEG, PNG or WebP. Location data is removed from the photo."))


class LinkReportForm(forms.Form):
    report = forms.IntegerField(label=_("Report number"), min_value=1,
                                widget=forms.NumberInput(attrs={"inputmode": "numeric"}))
    note = forms.CharField(label=_("Note on the report (optional)"), required=False, max_length=500,
                           widget=forms.Textarea(attrs={"rows": 2}))


class LinkProposalForm(forms.Form):
    proposal = forms.IntegerField(label=_("Proposal number"), min_value=1,
                                  widget=forms.NumberInput(attrs={"inputmode": "numeric"}))


class ResultFromProposalForm(forms.Form):
    title = forms.CharField(label=_("Title of the result"), max_length=TITLE_MAX, required=False,
                            help_text=_("Leave empty to use the proposal's title."))
    status = StatusChoiceField(label=_("Status"), queryset=ResultStatus.objects.all(), required=False,
                               empty_label=_("First status in the list"))
    department = forms.ModelChoiceField(label=_("Responsible department"), queryset=Department.objects.all(),
                                        required=False, empty_label=_("Not assigned yet"))


class ChooseResultForm(forms.Form):
    result = forms.ModelChoiceField(label=_("Existing result"), queryset=None, empty_label=None)

    def __init__(self, *args, queryset=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["result"].queryset = queryset
        self.fields["result"].label_from_instance = lambda r: f"#{r.pk} {r.localized_title} ({r.progress}%)"


class ImportForm(forms.Form):
    file = forms.FileField(label=_("CSV or Excel (.xlsx) file"),
                           help_text=_("Header row with column names; at most 2 MB and 2,000 rows."))
    apply = forms.BooleanField(label=_("Apply the changes (leave unticked to only preview them)"), required=False)
