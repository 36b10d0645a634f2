from django.urls import path

from accountability import views

app_name = "accountability"

urlpatterns = [
    path("", views.results_index, name="index"),
    path("consultation/<int:consultation_id>/", views.consultation_results, name="consultation"),
    path("<int:result_id>/", views.result_detail, name="detail"),
    path("<int:result_id>/update/", views.result_update_view, name="update"),
    path("<int:result_id>/follow/", views.result_follow_view, name="follow"),
    path("<int:result_id>/link-report/", views.result_link_report_view, name="link_report"),
    path("<int:result_id>/link-proposal/", views.result_link_proposal_view, name="link_proposal"),
    path("from-proposal/<int:proposal_id>/", views.proposal_result_create_view, name="from_proposal"),
    path("link-proposal/<int:proposal_id>/", views.proposal_result_link_view, name="proposal_link"),
]
