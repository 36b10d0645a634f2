"""Forms for the HTML views. They only shape input; services validate and sanitize."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from proposals.models import BODY_MAX, COMMENT_MAX, TITLE_MAX, ProposalState, Stance


class ProposalForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=TITLE_MAX)
    body = forms.CharField(label=_("Your proposal"), max_length=BODY_MAX, widget=forms.Textarea(attrs={"rows": 8}),
                           help_text=_("Plain text, up to 4,000 characters."))
    category = forms.ChoiceField(label=_("Category"), required=False)
    latitude = forms.FloatField(label=_("Latitude (optional)"), required=False, min_value=-90, max_value=90)
    longitude = forms.FloatField(label=_("Longitude (optional)"), required=False, min_value=-180, max_value=180)
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


class CommentForm(forms.Form):
    body = forms.CharField(label=_("Comment"), max_length=COMMENT_MAX, widget=forms.Textarea(attrs={"rows": 4}))
    stance = forms.ChoiceField(label=_("Your stance"), choices=Stance.choices, initial=Stance.NEUTRAL,
                               widget=forms.RadioSelect)
    parent = forms.IntegerField(required=False, widget=forms.HiddenInput)


class AnswerForm(forms.Form):
    state = forms.ChoiceField(label=_("State"), choices=ProposalState.choices)
    answer = forms.CharField(label=_("Official answer"), max_length=BODY_MAX, required=False,
                             widget=forms.Textarea(attrs={"rows": 5}))
