"""Forms for residents (file a report) and staff (updates, triage). They shape input; the services
clean the text and process the photos (``report_create``, ``report_update_post``)."""

from __future__ import annotations

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from participation.core.photos import photo_gps
from reports_map.geo import inside_city, validate_location
from reports_map.models import Category, CategoryQuestion, Status
from reports_map.services import MAX_DESCRIPTION, validate_attributes


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultiplePhotoField(forms.FileField):
    widget = MultipleFileInput

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("required", False)
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        files = data if isinstance(data, (list, tuple)) else ([data] if data else [])
        return [f for f in files if f]


def question_field_name(question: CategoryQuestion) -> str:
    return f"q_{question.category_id}_{question.code}"


def _question_field(question: CategoryQuestion) -> forms.Field:
    label = question.localized_description
    choices = question.localized_values()
    common = {"label": label, "required": False}
    if question.datatype == "number":
        return forms.CharField(widget=forms.NumberInput(attrs={"step": "any"}), **common)
    if question.datatype == "datetime":
        return forms.CharField(widget=forms.DateInput(attrs={"type": "date"}), **common)
    if question.datatype == "text":
        return forms.CharField(widget=forms.Textarea(attrs={"rows": 3}), max_length=4000, **common)
    if question.datatype == "singlevaluelist":
        return forms.ChoiceField(choices=[("", "—")] + choices, **common)
    if question.datatype == "multivaluelist":
        return forms.MultipleChoiceField(choices=choices, widget=forms.CheckboxSelectMultiple, **common)
    return forms.CharField(max_length=200, **common)


class ReportForm(forms.Form):
    """Category, location, photos, description — works without JavaScript (plain lat/long fields)."""

    category = forms.ModelChoiceField(
        queryset=Category.objects.none(), label=_("What is the problem?"), widget=forms.RadioSelect, empty_label=None,
        error_messages={"required": _("Please choose a category."), "invalid_choice": _("Please choose a category.")},
    )
    latitude = forms.CharField(
        label=_("Latitude"), required=False, widget=forms.TextInput(attrs={"inputmode": "decimal", "autocomplete": "off"}),
        help_text=_("For example 35.6812. Leave both empty to use the position saved in your first photo."),
    )
    longitude = forms.CharField(
        label=_("Longitude"), required=False, widget=forms.TextInput(attrs={"inputmode": "decimal", "autocomplete": "off"}),
        help_text=_("For example 139.5600."),
    )
    address = forms.CharField(
        label=_("Address or landmark"), required=False, max_length=200,
        help_text=_("Helps the city find the place, e.g. “in front of the north exit of the station”."),
    )
    photos = MultiplePhotoField(
        label=_("Photos (up to 3)"),
        help_text=_("JPEG, PNG or WebP, up to 10 MB each. Location data in the photo is removed before it is stored."),
        widget=MultipleFileInput(attrs={"accept": "image/jpeg,image/png,image/webp,image/heic"}),
    )
    description = forms.CharField(
        label=_("Describe the problem"), widget=forms.Textarea(attrs={"rows": 4, "maxlength": MAX_DESCRIPTION}),
        max_length=MAX_DESCRIPTION * 2,
        error_messages={"required": _("Please describe the problem.")},
    )
    show_name = forms.BooleanField(
        label=_("Show my display name with this report"), required=False,
        help_text=_("Off by default: the report is shown without your name."),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        categories = list(Category.objects.filter(active=True).prefetch_related("questions"))
        self.fields["category"].queryset = Category.objects.filter(active=True)
        self.question_groups = []
        for category in categories:
            names = []
            for question in category.questions.all():
                name = question_field_name(question)
                self.fields[name] = _question_field(question)
                names.append(name)
            if names:
                self.question_groups.append((category, names))

    def question_fieldsets(self):
        return [(category, [self[name] for name in names]) for category, names in self.question_groups]

    def base_fields_in_order(self):
        return [self[name] for name in ("category", "latitude", "longitude", "address", "photos", "description",
                                        "show_name")]

    def _gps_from_photos(self, uploads) -> tuple[float, float] | None:
        """The first position saved in a photo, to suggest the place (the service stores the photos)."""
        for upload in uploads:
            try:
                gps = photo_gps(upload)
            except ValidationError as exc:
                # The code says why (a too large photo makes the answer a 413).
                self.add_error("photos", ValidationError(f"{upload.name[:60]}: {exc.messages[0]}",
                                                         code=exc.error_list[0].code))
                return None
            if gps:
                return gps
        return None

    def clean(self):
        cleaned = super().clean()
        lat, lon = cleaned.get("latitude", ""), cleaned.get("longitude", "")
        self.location_from_photo = False
        gps = self._gps_from_photos(cleaned.get("photos") or []) if not lat and not lon else None
        if not lat and not lon and "photos" not in self.errors:
            if gps and inside_city(*gps):
                lat, lon = gps
                self.location_from_photo = True
            elif not gps:
                self.add_error("latitude", _("Please choose the place on the map or enter its latitude and longitude."))
            else:
                self.add_error("latitude", _("The position saved in your photo is outside the city. Please choose the place."))
        if lat != "" or lon != "":
            try:
                cleaned["latitude"], cleaned["longitude"] = validate_location(lat, lon)
            except ValidationError as exc:
                self.add_error("latitude", exc)
        category = cleaned.get("category")
        if category is not None:
            raw = {}
            for question in category.questions.all():
                value = self.data.getlist(question_field_name(question)) if hasattr(self.data, "getlist") else []
                raw[question.code] = value
            try:
                cleaned["attributes"] = validate_attributes(category, raw)
            except ValidationError as exc:
                for message in exc.messages:
                    self.add_error(None, message)
        return cleaned


class ConfirmForm(forms.Form):
    action = forms.ChoiceField(choices=[("submit", "submit"), ("follow", "follow")])
    report = forms.IntegerField(required=False)


class StaffUpdateForm(forms.Form):
    status = forms.ChoiceField(label=_("Status"), choices=Status.choices)
    text = forms.CharField(label=_("Public update"), widget=forms.Textarea(attrs={"rows": 3}), required=False,
                           max_length=MAX_DESCRIPTION * 2)
    duplicate_of = forms.IntegerField(label=_("Duplicate of report number"), required=False, min_value=1)
    photo = forms.FileField(label=_("Photo (optional)"), required=False,
                            widget=forms.ClearableFileInput(attrs={"accept": "image/jpeg,image/png,image/webp"}))



class MoveForm(forms.Form):
    latitude = forms.CharField(label=_("Latitude"))
    longitude = forms.CharField(label=_("Longitude"))

    def clean(self):
        cleaned = super().clean()
        if "latitude" in cleaned and "longitude" in cleaned:
            try:
                cleaned["latitude"], cleaned["longitude"] = validate_location(cleaned["latitude"], cleaned["longitude"])
            except ValidationError as exc:
                self.add_error("latitude", exc)
        return cleaned


class TriageFilterForm(forms.Form):
    status = forms.ChoiceField(label=_("Status"), required=False,
                               choices=[("", _("All")), ("unresolved", _("Not yet resolved"))] + list(Status.choices))
    category = forms.ChoiceField(label=_("Category"), required=False)
    older_than_days = forms.IntegerField(label=_("Older than (days)"), required=False, min_value=0, max_value=3650)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["category"].choices = [("", _("All"))] + [
            (c.service_code, c.localized_name) for c in Category.objects.all()
        ]


class PublicFilterForm(forms.Form):
    category = forms.ChoiceField(label=_("Category"), required=False)
    status = forms.ChoiceField(
        label=_("Status"), required=False,
        choices=[("", _("All")), ("unresolved", _("Not yet resolved"))] + list(Status.choices),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["category"].choices = [("", _("All"))] + [
            (c.service_code, c.localized_name) for c in Category.objects.filter(active=True)
        ]


class ApiKeyForm(forms.Form):
    name = forms.CharField(label=_("Name of the client"), max_length=100)
