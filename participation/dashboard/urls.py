from django.urls import path, re_path

from participation.dashboard import views as dashboard_views

app_name = "dashboard"

urlpatterns = [
    path("", dashboard_views.index, name="index"),
    re_path(r"^export/(?P<table>[a-z0-9_]+)\.(?P<fmt>csv|json)$", dashboard_views.export, name="export"),
]
