from django.urls import path

from surveys import staff_views

app_name = "surveys"

urlpatterns = [
    path("<int:survey_id>/manage/", staff_views.manage, name="manage"),
    path("<int:survey_id>/manage/codes/", staff_views.codes_create, name="codes_create"),
    path("<int:survey_id>/manage/codes.csv", staff_views.codes_csv, name="codes_csv"),
    path("<int:survey_id>/manage/codes/print/", staff_views.codes_sheet, name="codes_sheet"),
    path("<int:survey_id>/manage/responses.csv", staff_views.export_csv, name="export_csv"),
    path("<int:survey_id>/manage/responses.json", staff_views.export_json, name="export_json"),
    path("<int:survey_id>/manage/structure.json", staff_views.structure_json, name="structure_json"),
    path("<int:survey_id>/manage/results.json", staff_views.results_json_view, name="results_json"),
    path("<int:survey_id>/manage/paper/", staff_views.paper_entry, name="paper"),
    path("<int:survey_id>/manage/paper/import/", staff_views.paper_import, name="paper_import"),
    path("<int:survey_id>/manage/paper/template.csv", staff_views.paper_template_csv, name="paper_template"),
]
