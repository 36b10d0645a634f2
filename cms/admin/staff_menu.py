"""Wagtail admin menu entries that take staff to the moderation queue, the audit log and the dashboard.

The views themselves live in the kernel (participation); each entry is shown only to users
holding the permission name that the view checks."""

from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.menu import MenuItem


class PermissionMenuItem(MenuItem):
    def __init__(self, *args, permission: str, **kwargs):
        super().__init__(*args, **kwargs)
        self.permission = permission

    def is_shown(self, request):
        return request.user.has_perm(self.permission)


@hooks.register("register_admin_menu_item")
def moderation_queue_menu_item():
    return PermissionMenuItem(_("Moderation queue"), reverse("moderation:queue"), icon_name="warning", name="moderation-queue",
                              order=360, permission="participation.moderate")


@hooks.register("register_admin_menu_item")
def audit_log_menu_item():
    return PermissionMenuItem(_("Audit log"), reverse("moderation:audit_log"), icon_name="history", name="audit-log",
                              order=370, permission="participation.view_audit_log")


@hooks.register("register_admin_menu_item")
def dashboard_menu_item():
    return PermissionMenuItem(_("Council dashboard"), reverse("dashboard:index"), icon_name="crosshairs", name="council-dashboard",
                              order=380, permission="participation.view_dashboard")
