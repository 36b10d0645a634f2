"""Staff edit report categories, with their extra questions inline, in the Wagtail admin: the same admin as
consultations and the analysis, in Japanese, checked by the one permission name
``reports_map.manage_categories`` (the Django admin is no longer needed for them).

Categories are never deleted here (reports point to them): staff untick "active" instead. Questions can be
added, changed and removed inline; answers already given stay on the reports that hold them."""

from __future__ import annotations

import json

from django import forms
from django.contrib.auth import get_user_model
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from wagtail.admin.panels import FieldPanel, FieldRowPanel, InlinePanel, MultiFieldPanel
from wagtail.admin.ui.tables import Column
from wagtail.permission_policies.base import BasePermissionPolicy
from wagtail.permissions import register_permission_policy
from wagtail.snippets.models import register_snippet
from wagtail.snippets.views.snippets import SnippetViewSet

from participation.core.predicates import STAFF
from reports_map.models import Category, CategoryQuestion

PERMISSION = "reports_map.manage_categories"
ALLOWED_ACTIONS = frozenset({"add", "change", "view"})  # never "delete"


class CategoryPermissionPolicy(BasePermissionPolicy):
    """Every action but delete is allowed to whoever holds ``reports_map.manage_categories``."""

    def user_has_permission(self, user, action):
        return action in ALLOWED_ACTIONS and user.has_perm(PERMISSION)

    def user_has_any_permission(self, user, actions):
        return bool(ALLOWED_ACTIONS & set(actions)) and user.has_perm(PERMISSION)

    def users_with_any_permission(self, actions):
        if not ALLOWED_ACTIONS & set(actions):
            return get_user_model().objects.none()
        return get_user_model().objects.filter(
            Q(is_superuser=True) | Q(groups__name=STAFF), is_active=True, blocked_at__isnull=True,
        ).distinct()


class ChoiceLinesWidget(forms.Textarea):
    """The choices of a question as lines staff can type, ``key | 日本語 | English``, stored as the JSON list
    the model keeps ([{"key", "name_ja", "name_en"}]). A line with fewer parts is kept as typed, so the
    model's clean() names what is missing instead of the line being lost."""

    def __init__(self, attrs=None):
        super().__init__(attrs={"rows": 4, "placeholder": "small | 小さい | Small", **(attrs or {})})

    def format_value(self, value):
        try:
            items = json.loads(value) if isinstance(value, str) else value
        except ValueError:
            return value  # what was typed, shown again with its error
        if not isinstance(items, list):
            return value
        lines = []
        for item in items:
            if isinstance(item, dict):
                parts = [str(item.get("key") or ""), str(item.get("name_ja") or ""), str(item.get("name_en") or "")]
                lines.append(" | ".join(parts).rstrip(" |"))
        return "\n".join(lines)

    def value_from_datadict(self, data, files, name):
        text = data.get(name)
        if text is None:
            return None
        items = []
        for line in str(text).splitlines():
            if not line.strip():
                continue
            parts = [part.strip() for part in line.split("|")]
            item = {"key": parts[0]}
            if len(parts) > 1 and parts[1]:
                item["name_ja"] = parts[1]
            if len(parts) > 2 and parts[2]:
                item["name_en"] = parts[2]
            items.append(item)
        return json.dumps(items, ensure_ascii=False)


CategoryQuestion.panels = [
    FieldRowPanel([FieldPanel("code"), FieldPanel("datatype"), FieldPanel("required"), FieldPanel("order")]),
    FieldPanel("description_ja"),
    FieldPanel("description_en"),
    FieldPanel("values", widget=ChoiceLinesWidget()),
]


class CategoryViewSet(SnippetViewSet):
    model = Category
    icon = "tag"
    menu_label = _("Report categories")
    menu_name = "report-categories"
    menu_order = 390
    add_to_admin_menu = True
    list_display = [
        "name_ja",
        "name_en",
        "service_code",
        "group",
        # Wagtail shows a bare field's True / False as written, in English, in a Japanese listing
        Column("active", label=_("active"), accessor=lambda category: _("yes") if category.active else _("no")),
        "order",
    ]
    list_filter = ["active"]
    ordering = ["order", "pk"]
    panels = [
        MultiFieldPanel([
            FieldRowPanel([FieldPanel("name_ja"), FieldPanel("name_en")]),
            FieldRowPanel([FieldPanel("description_ja"), FieldPanel("description_en")]),
            FieldRowPanel([FieldPanel("service_code"), FieldPanel("group"), FieldPanel("order"), FieldPanel("active")]),
        ], heading=_("Category")),
        InlinePanel("questions", heading=_("Extra questions"), label=_("extra question")),
    ]


register_permission_policy(Category, CategoryPermissionPolicy(Category), exact_class=True)
register_snippet(CategoryViewSet)
