from django.urls import path

from participation.accounts import data_views as account_data_views

app_name = "mydata"

urlpatterns = [
    path("", account_data_views.overview, name="overview"),
    path("download/", account_data_views.download, name="download"),
    path("delete/", account_data_views.delete, name="delete"),
]
