from django.urls import path, re_path

from participation.opendata import views as opendata_views

app_name = "opendata"

urlpatterns = [
    path("", opendata_views.index, name="index"),
    re_path(r"^(?P<key>[a-z0-9_]+)\.(?P<fmt>csv|json|geojson)$", opendata_views.download, name="download"),
]
