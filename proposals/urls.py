from django.urls import path

from proposals import views

app_name = "proposals"

urlpatterns = [
    path("new/<int:consultation_id>/", views.proposal_create_view, name="create"),
    path("<int:proposal_id>/", views.proposal_detail_view, name="detail"),
    path("<int:proposal_id>/edit/", views.proposal_edit_view, name="edit"),
    path("<int:proposal_id>/withdraw/", views.proposal_withdraw_view, name="withdraw"),
    path("<int:proposal_id>/withdraw/undo/", views.proposal_withdraw_undo_view, name="withdraw_undo"),
    path("<int:proposal_id>/answer/", views.proposal_answer_view, name="answer"),
    path("<int:proposal_id>/support/", views.support_view, name="support"),
    path("<int:proposal_id>/follow/", views.follow_view, name="follow"),
    path("<int:proposal_id>/comment/", views.comment_create_view, name="comment"),
    path("comments/<int:comment_id>/edit/", views.comment_edit_view, name="comment_edit"),
    path("comments/<int:comment_id>/delete/", views.comment_delete_view, name="comment_delete"),
    path("comments/<int:comment_id>/vote/", views.comment_vote_view, name="comment_vote"),
]
