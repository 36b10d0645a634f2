from django.urls import path

from reports_map import views

app_name = "reports_map"

urlpatterns = [
    path("", views.report_list, name="list"),
    path("geojson/", views.report_geojson, name="geojson"),
    path("new/", views.report_new, name="new"),
    path("new/confirm/<uuid:token>/", views.report_confirm, name="confirm"),
    path("new/photo-location/", views.photo_location, name="photo_location"),
    path("nearby/", views.nearby, name="nearby"),
    path("<int:pk>/", views.report_detail, name="detail"),
    path("<int:pk>/follow/", views.report_follow, name="follow"),
    path("<int:pk>/update/", views.report_update, name="update"),
    path("<int:pk>/assign/", views.report_assign, name="assign"),
    path("<int:pk>/move/", views.report_move, name="move"),
    path("<int:pk>/private/", views.report_private, name="private"),
    path("photos/<int:pk>/hide/", views.photo_hide, name="photo_hide"),
    path("photos/<int:pk>/<str:kind>/", views.photo_file, name="photo"),
    path("triage/", views.triage, name="triage"),
    path("triage/export.csv", views.triage_export, name="triage_export"),
    path("open311-keys/", views.api_keys, name="api_keys"),
]
