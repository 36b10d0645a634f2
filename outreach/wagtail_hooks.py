"""Wagtail admin: staff write announcements (snippets), manage districts and topics, preview the audience,
schedule and see delivery counts per channel."""

from __future__ import annotations

from django.urls import path, reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.panels import FieldPanel, MultiFieldPanel, ObjectList
from wagtail.admin.ui.tables import Column
from wagtail.snippets.models import register_snippet
from wagtail.snippets.views.snippets import SnippetViewSet, SnippetViewSetGroup

from outreach import admin_views
from outreach.forms import AnnouncementAdminForm
from outreach.models import Announcement, District, Topic


class SendColumn(Column):
    def get_value(self, instance):
        if instance.status in (Announcement.Status.DRAFT, Announcement.Status.SCHEDULED):
            label = _("Preview and send")
        else:
            label = _("Delivery counts")
        return format_html('<a href="{}">{}</a>', reverse("outreach_admin_send", args=[instance.pk]), label)


class AnnouncementViewSet(SnippetViewSet):
    model = Announcement
    icon = "mail"
    menu_label = _("Announcements")
    add_to_admin_menu = False
    list_display = ["__str__", "status", "scheduled_at", "recipients", SendColumn("send", label=_("Sending"))]
    list_filter = ["status"]
    search_fields = ["title_ja", "title_en", "body_ja"]
    edit_handler = ObjectList([
        MultiFieldPanel([FieldPanel("title_ja"), FieldPanel("body_ja")], heading=_("In Japanese")),
        MultiFieldPanel([FieldPanel("title_en"), FieldPanel("body_en")], heading=_("In English")),
        FieldPanel("link"),
        MultiFieldPanel([FieldPanel("districts"), FieldPanel("topics"), FieldPanel("languages"), FieldPanel("roles")],
                        heading=_("Audience")),
        FieldPanel("channels"),
    ], base_form_class=AnnouncementAdminForm)


class DistrictViewSet(SnippetViewSet):
    model = District
    icon = "site"
    menu_label = _("Districts")
    list_display = ["name_ja", "name_en", "order"]
    panels = [FieldPanel("name_ja"), FieldPanel("name_en"), FieldPanel("boundary"), FieldPanel("order")]


class TopicViewSet(SnippetViewSet):
    model = Topic
    icon = "tag"
    menu_label = _("Topics")
    list_display = ["name_ja", "name_en", "slug"]
    panels = [FieldPanel("slug"), FieldPanel("name_ja"), FieldPanel("name_en"), FieldPanel("order")]


class OutreachGroup(SnippetViewSetGroup):
    menu_label = _("Reaching residents")
    menu_icon = "mail"
    menu_order = 350
    items = (AnnouncementViewSet, DistrictViewSet, TopicViewSet)


register_snippet(OutreachGroup)


@hooks.register("register_admin_urls")
def outreach_admin_urls():
    return [
        path("outreach/announcements/<int:pk>/send/", admin_views.announcement_send,
             name="outreach_admin_send"),
    ]
