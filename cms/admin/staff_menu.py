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


@hooks.register("construct_help_menu")
def help_menu_in_the_request_language(request, menu_items):
    """Wagtail labels two help-menu entries with ``gettext`` when it first builds the menu, once per process, so
    they stay in the language of that first request: an English admin read 「Wagtail 8.0 の新機能」. They are
    labelled again here in the request's language, on copies (the menu's items are shared by every request)."""
    import copy

    from django.utils.translation import gettext
    from wagtail.utils.version import get_main_version

    version = get_main_version(include_patch=False)
    labels = {
        f"whats-new-in-wagtail-{version}": gettext("What's new in Wagtail %(version)s") % {"version": version},
        "editor-guide": gettext("Editor Guide"),
    }
    for index, item in enumerate(menu_items):
        if item.name in labels:
            relabelled = copy.copy(item)
            relabelled.label = labels[item.name]
            menu_items[index] = relabelled
