"""Wagtail admin hooks for the opinion analysis (themes, opinion groups, summaries)."""

from django.urls import include, path, reverse
from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.menu import MenuItem

from cms.admin import analysis_views as views

app_name = "ml_analysis"
urlpatterns = [
    path("", views.analysis_index, name="index"),
    path("<int:consultation_id>/", views.analysis_detail, name="detail"),
    path("<int:consultation_id>/run/", views.analysis_run, name="run"),
    path("<int:consultation_id>/merge/", views.theme_merge, name="merge"),
    path("<int:consultation_id>/summary/", views.summary_edit, name="summary"),
    path("<int:consultation_id>/publish/", views.summary_publish, name="publish"),
    path("themes/<int:theme_id>/rename/", views.theme_rename, name="rename"),
    path("runs/<int:run_id>/status/", views.analysis_status, name="status"),
    path("runs/<int:run_id>/report/", views.council_report, name="report"),
    path("runs/<int:run_id>/report.pdf", views.council_report_pdf, name="report_pdf"),
    path("<int:consultation_id>/import/", views.import_upload, name="import"),
    path("<int:consultation_id>/import/<str:token>/", views.import_columns, name="import_columns"),
    path("imports/<int:source_id>/delete/", views.import_delete, name="import_delete"),
    path("import-jobs/<int:job_id>/", views.import_progress, name="import_progress"),
    path("import-jobs/<int:job_id>/status/", views.import_status, name="import_status"),
]


@hooks.register("register_admin_urls")
def register_analysis_urls():
    return [path("analysis/", include((urlpatterns, "ml_analysis"), namespace="ml_analysis"))]


class AnalysisMenuItem(MenuItem):
    def is_shown(self, request):
        return request.user.has_perm("ml.view_analysis")


@hooks.register("register_admin_menu_item")
def register_analysis_menu_item():
    return AnalysisMenuItem(_("Opinion analysis"), reverse("ml_analysis:index"), icon_name="table", name="opinion-analysis",
                            order=350)
