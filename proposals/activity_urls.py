"""/me/activity/: the resident's own proposals and comments (a page of the account area, served by proposals)."""

from django.urls import path

from proposals import views

app_name = "proposals_activity"

urlpatterns = [
    path("", views.activity_view, name="index"),
]
