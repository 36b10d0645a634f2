"""Staff edit report categories, with their extra questions inline, in the Wagtail admin: the same admin as
consultations and the analysis, in Japanese, checked by the one permission name
``reports_map.manage_categories`` (the Django admin is no longer needed for them).

Categories are never deleted here (reports point to them): staff untick "active" instead. Questions can be
added, changed and removed inline; answers already given stay on the reports that hold them."""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from wagtail.admin.panels import FieldPanel, FieldRowPanel, InlinePanel, MultiFieldPanel
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


CategoryQuestion.panels = [
    FieldRowPanel([FieldPanel("code"), FieldPanel("datatype"), FieldPanel("required"), FieldPanel("order")]),
    FieldPanel("description_ja"),
    FieldPanel("description_en"),
    FieldPanel("values"),
]


class CategoryViewSet(SnippetViewSet):
    model = Category
    icon = "tag"
    menu_label = _("Report categories")
    menu_name = "report-categories"
    menu_order = 390
    add_to_admin_menu = True
    list_display = ["name_ja", "name_en", "service_code", "group", "active", "order"]
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
