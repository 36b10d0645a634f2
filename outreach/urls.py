from django.urls import path

from outreach import feeds, views

app_name = "outreach"

urlpatterns = [
    path("settings/", views.preferences, name="settings"),
    path("push/subscribe/", views.push_subscribe, name="push_subscribe"),
    path("push/unsubscribe/", views.push_unsubscribe, name="push_unsubscribe"),
    path("push/test/", views.push_test, name="push_test"),
    path("areas/", views.area_add, name="area_add"),
    path("areas/<int:pk>/delete/", views.area_delete, name="area_delete"),
    path("consultations/<int:consultation_id>/follow/", views.consultation_follow, name="consultation_follow"),
    path("announcements/", views.announcement_list, name="announcements"),
    path("announcements/<int:pk>/", views.announcement_detail, name="announcement"),
    path("feeds/announcements.atom", feeds.announcement_feed, name="feed_announcements"),
    path("feeds/reports.atom", feeds.report_feed, name="feed_reports"),
    path("feeds/consultations/<int:page_id>.atom", feeds.consultation_feed, name="feed_consultation"),
]
