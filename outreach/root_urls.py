"""Served at the site root, without a language prefix: the service worker's scope must be "/"."""

from django.urls import path

from outreach import views

app_name = "outreach_root"

urlpatterns = [
    path("manifest.webmanifest", views.manifest, name="manifest"),
    path("sw.js", views.service_worker, name="service_worker"),
    path("outreach/unsubscribe/<str:token>/", views.unsubscribe, name="unsubscribe"),
    path("outreach/line/webhook", views.line_webhook, name="line_webhook"),
]
