"""Staff edit results in the Wagtail admin as snippets, and import spreadsheets there.

Why snippets and not pages: a result is a record in a list that departments keep in spreadsheets,
not a page in the site tree. Snippets give the admin list with search and filters, inline places
and links (``InlinePanel`` on a ``ClusterableModel``), and model-level permissions, while keeping
the rows plain database rows that a bulk import can create and update by an external id in one
transaction (page creation with revisions and tree positions costs seconds a row and cannot be
rolled back as one batch cheaply). Public pages are ordinary views, so results need no URL slugs.

The admin form runs ``Model.clean()`` (the same checks as the services); after a save the hooks
below hand over to ``services.result_admin_saved``, which recomputes progress up the parent chain,
keeps the public history and notifies followers.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import render
from django.urls import path, reverse
from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.menu import MenuItem
from wagtail.admin.viewsets.model import ModelViewSetGroup
from wagtail.snippets.models import register_snippet
from wagtail.snippets.views.snippets import SnippetViewSet

from accountability import importer, services
from accountability.forms import ImportForm
from accountability.models import Department, Result, ResultStatus


class ResultViewSet(SnippetViewSet):
    model = Result
    icon = "tasks"
    menu_label = _("Results")
    list_display = ["title", "consultation", "status", "progress", "department", "end_date"]
    list_filter = ["status", "department"]
    search_fields = ["title", "title_en", "description", "external_id"]
    ordering = ["consultation_id", "pk"]


class ResultStatusViewSet(SnippetViewSet):
    model = ResultStatus
    icon = "list-ol"
    menu_label = _("Result statuses")
    list_display = ["name", "name_en", "key", "default_progress", "order"]


class DepartmentViewSet(SnippetViewSet):
    model = Department
    icon = "group"
    menu_label = _("Departments")
    list_display = ["name", "name_en", "slug"]


class AccountabilityGroup(ModelViewSetGroup):
    items = (ResultViewSet, ResultStatusViewSet, DepartmentViewSet)
    menu_icon = "tasks"
    menu_label = _("Results")
    menu_name = "accountability"
    menu_order = 250


register_snippet(AccountabilityGroup)


@hooks.register("after_create_snippet")
@hooks.register("after_edit_snippet")
def after_result_saved(request, instance):
    if isinstance(instance, Result):
        services.result_admin_saved(result=instance, actor=request.user)


@hooks.register("after_delete_snippet")
def after_result_deleted(request, instances):
    for instance in instances:
        if isinstance(instance, Result):
            services.result_after_delete(parent_id=instance.parent_id, actor=request.user)


def import_view(request):
    """Upload a sheet: without "apply" it is a dry run that lists what would change, row by row."""
    if not request.user.has_perm("accountability.import_results"):
        raise PermissionDenied
    form = ImportForm(request.POST or None, request.FILES or None)
    outcome = None
    file_error = None
    status = 200
    if request.method == "POST" and form.is_valid():
        try:
            rows = importer.read_sheet(form.cleaned_data["file"])
            outcome = importer.results_import(rows=rows, actor=request.user, dry_run=not form.cleaned_data["apply"])
        except ValidationError as exc:
            file_error = " ".join(exc.messages)
        if file_error or (outcome and not outcome.ok):
            status = 400
    elif request.method == "POST":
        status = 400
    return render(request, "accountability/admin/import.html", {
        "form": form, "outcome": outcome, "file_error": file_error, "columns": importer.COLUMNS,
        "statuses": ResultStatus.objects.all(), "departments": Department.objects.all(),
    }, status=status)


@hooks.register("register_admin_urls")
def register_import_url():
    return [path("results/import/", import_view, name="accountability_import")]


class ImportMenuItem(MenuItem):
    def is_shown(self, request):
        return request.user.has_perm("accountability.import_results")


@hooks.register("register_admin_menu_item")
def register_import_menu_item():
    return ImportMenuItem(_("Import results"), reverse("accountability_import"), icon_name="upload", order=251)
