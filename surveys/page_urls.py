"""``<survey page URL>qr.svg`` and ``qr.png``. Wagtail's page route only serves paths ending in a slash,
so these two live beside it (before Wagtail's catch-all) and find the page the same way Wagtail does."""

from django.urls import re_path

from surveys import views

app_name = "surveys_pages"

urlpatterns = [
    re_path(r"^(?P<page_path>(?:[\w\-]+/)+)qr\.(?P<kind>svg|png)$", views.survey_qr_by_path, name="qr"),
]
