"""Forms for the HTML views. They only shape input; services validate and sanitize."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from proposals.models import BODY_MAX, COMMENT_MAX, NO_STANCE, TITLE_MAX, ProposalState, Stance


class ProposalForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=TITLE_MAX)
    body = forms.CharField(label=_("Your proposal"), max_length=BODY_MAX, widget=forms.Textarea(attrs={"rows": 8}),
                           help_text=_("Plain text, up to 4,000 characters."))
    category = forms.ChoiceField(label=_("Category"), required=False)
    latitude = forms.FloatField(
        label=_("Latitude (optional)"), required=False, min_value=-90, max_value=90,
        help_text=_("Decimal degrees between -90 and 90, e.g. 35.6812."),
        widget=forms.NumberInput(attrs={"step": "any", "inputmode": "decimal"}),
    )
    longitude = forms.FloatField(
        label=_("Longitude (optional)"), required=False, min_value=-180, max_value=180,
        help_text=_("Decimal degrees between -180 and 180, e.g. 139.7671."),
        widget=forms.NumberInput(attrs={"step": "any", "inputmode": "decimal"}),
    )
    photo = forms.FileField(label=_("Photo (optional)"), required=False,
                            help_text=_("JPEG, PNG or WebP. Location data is removed from the photo."))

    def __init__(self, *args, consultation=None, with_photo: bool = True, **kwargs):
        super().__init__(*args, **kwargs)
        choices = [("", _("No category"))]
        if consultation is not None:
            choices += [(c.slug, c.localized_name) for c in consultation.categories.all()]
        self.fields["category"].choices = choices
        if not with_photo:
            del self.fields["photo"]

    def clean(self):
        cleaned = super().clean()
        lat, lon = cleaned.get("latitude"), cleaned.get("longitude")
        # Only when both fields parsed: a field with its own error (not a number, out of range) says so.
        if "latitude" not in self.errors and "longitude" not in self.errors and (lat is None) != (lon is None):
            missing = "longitude" if lon is None else "latitude"
            self.add_error(missing, _("Give both latitude and longitude, or leave both empty."))
        return cleaned


class CommentForm(forms.Form):
    body = forms.CharField(label=_("Comment"), max_length=COMMENT_MAX, widget=forms.Textarea(attrs={"rows": 4}))
    stance = forms.ChoiceField(label=_("Your stance"), choices=Stance.choices, initial=Stance.NEUTRAL,
                               widget=forms.RadioSelect)
    parent = forms.IntegerField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args, reply: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        if reply:  # a reply has its own stance or none
            stance = self.fields["stance"]
            stance.choices = [(NO_STANCE, _("No stance")), *Stance.choices]
            stance.required = False
            stance.label = _("Your stance (optional)")
            if not self.is_bound and self.initial.get("stance") is None:
                self.initial["stance"] = NO_STANCE


class AnswerForm(forms.Form):
    state = forms.ChoiceField(label=_("State"), choices=ProposalState.choices)
    answer = forms.CharField(label=_("Official answer"), max_length=BODY_MAX, required=False,
                             widget=forms.Textarea(attrs={"rows": 5}))
