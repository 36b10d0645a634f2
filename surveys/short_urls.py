"""Short links printed on posters (/s/<id>/): no language prefix, redirect to the survey in the
visitor's language."""

from django.urls import path

from surveys import views

app_name = "surveys_short"

urlpatterns = [path("<int:survey_id>/", views.short_redirect, name="short")]
