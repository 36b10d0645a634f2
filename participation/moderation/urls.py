from django.urls import path

from participation.moderation import views as moderation_views

app_name = "moderation"

urlpatterns = [
    path("", moderation_views.queue, name="queue"),
    path("flag/<slug:kind>/<int:object_id>/", moderation_views.flag_create, name="flag"),
    path("item/<slug:kind>/<int:object_id>/", moderation_views.item_detail, name="item"),
    path("audit-log/", moderation_views.audit_log, name="audit_log"),
    path("audit-log.csv", moderation_views.audit_log, {"fmt": "csv"}, name="audit_log_csv"),
]
