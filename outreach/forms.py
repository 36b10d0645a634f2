"""Forms residents fill in (preferences, area alerts) and the staff forms of the Wagtail admin."""

from __future__ import annotations

from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _
from wagtail.admin.forms import WagtailAdminModelForm

from outreach.models import Announcement, AreaSubscription, Channel, District, EmailMode, Topic
from participation.core.predicates import COUNCIL, MODERATOR, RESIDENT, STAFF

ROLE_LABELS = [(RESIDENT, _("Residents")), (MODERATOR, _("Moderators")), (STAFF, _("City staff")),
               (COUNCIL, _("Council members"))]


class PreferencesForm(forms.Form):
    via_site = forms.BooleanField(label=_("On this site (notifications page)"), required=False)
    via_email = forms.BooleanField(label=_("By e-mail"), required=False)
    via_push = forms.BooleanField(label=_("By push notification to the devices I allowed"), required=False)
    via_line = forms.BooleanField(label=_("By LINE, when my account is linked to LINE"), required=False)
    followups = forms.BooleanField(
        label=_("Also push news about what I follow (my reports, proposals, replies)"), required=False,
        help_text=_("Sent by push and LINE as chosen above; the notifications page always has them."),
    )
    email_mode = forms.ChoiceField(label=_("E-mail about what I follow"), choices=EmailMode.choices,
                                   widget=forms.RadioSelect)
    topics = forms.ModelMultipleChoiceField(label=_("Topics I am interested in"), queryset=Topic.objects.all(),
                                            required=False, widget=forms.CheckboxSelectMultiple)
    quiet_start = forms.TimeField(label=_("Quiet hours from (no push, no LINE)"), required=False,
                                  widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M"))
    quiet_end = forms.TimeField(label=_("Quiet hours until"), required=False,
                                widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M"))


class AreaForm(forms.Form):
    kind = forms.ChoiceField(label=_("Area"), choices=AreaSubscription.Kind.choices, widget=forms.RadioSelect,
                             initial=AreaSubscription.Kind.DISTRICT)
    district = forms.ModelChoiceField(label=_("District"), queryset=District.objects.all(), required=False,
                                      empty_label=_("Choose a district"))
    latitude = forms.FloatField(label=_("Latitude"), required=False, widget=forms.HiddenInput)
    longitude = forms.FloatField(label=_("Longitude"), required=False, widget=forms.HiddenInput)
    radius_m = forms.IntegerField(label=_("Radius in metres"), required=False, min_value=100, max_value=5000,
                                  initial=500)
    reports = forms.BooleanField(label=_("New reports"), required=False, initial=True)
    consultations = forms.BooleanField(label=_("New consultations"), required=False, initial=True)


class AnnouncementAdminForm(WagtailAdminModelForm):
    """The Wagtail admin form: audience lists as checkboxes, validated against known values."""

    channels = forms.MultipleChoiceField(label=_("Send by"), choices=Channel.choices,
                                         widget=forms.CheckboxSelectMultiple, initial=[Channel.SITE, Channel.EMAIL])
    languages = forms.MultipleChoiceField(label=_("Languages"), choices=settings.LANGUAGES, required=False,
                                          widget=forms.CheckboxSelectMultiple,
                                          help_text=_("Leave empty for residents of every language."))
    roles = forms.MultipleChoiceField(label=_("Roles"), choices=ROLE_LABELS, required=False,
                                      widget=forms.CheckboxSelectMultiple,
                                      help_text=_("Leave empty for everybody."))

    class Meta:
        model = Announcement
        fields = ["title_ja", "title_en", "body_ja", "body_en", "link", "districts", "topics", "languages", "roles",
                  "channels"]
        widgets = {"districts": forms.CheckboxSelectMultiple, "topics": forms.CheckboxSelectMultiple}

    def clean_link(self):
        link = self.cleaned_data.get("link", "").strip()
        if link and not ((link.startswith("/") and not link.startswith("//")) or link.startswith("https://")):
            raise forms.ValidationError(_("The link must be a page on this site (starting with /) or an https address."))
        return link

    def clean(self):
        cleaned = super().clean()
        if self.instance.pk and self.instance.status not in (Announcement.Status.DRAFT, Announcement.Status.SCHEDULED):
            raise forms.ValidationError(_("This announcement was already sent and cannot be changed."))
        return cleaned


class ScheduleForm(forms.Form):
    send_at = forms.DateTimeField(
        label=_("Send at"), required=False,
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M", "%Y-%m-%dT%H:%M:%S"],
        help_text=_("Leave empty to send now. Times are Japan time."),
    )
