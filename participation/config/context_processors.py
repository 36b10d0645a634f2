import rules
from django.conf import settings

from participation.accounts.notifications import notifications_unread_count
from participation.core.predicates import MODERATOR, STAFF, _role_names
from participation.core.registry import registry


def _may(user, permission: str) -> bool:
    """The permission name as user.has_perm checks it, without Django's model backend loading every
    permission of the user (two queries on every page) for names that only django-rules defines."""
    if rules.perm_exists(permission):
        return bool(user.is_active and user.is_superuser) or rules.has_perm(permission, user)
    return user.has_perm(permission)


def site(request):
    user = getattr(request, "user", None)
    nav = [item for item in registry.nav_items if item.permission is None or (user and _may(user, item.permission))]
    return {
        "SITE_NAME": settings.WAGTAIL_SITE_NAME,
        "CITY": settings.CITY,
        "nav_items": nav,
        "unread_notifications": notifications_unread_count(user=user) if user is not None else 0,
        # Wagtail's user bar asks the model backend for "wagtailadmin.access_admin", loading all of a
        # resident's permissions (two queries a page) to learn "no": only roles with admin access see it.
        "show_userbar": bool(user and user.is_authenticated
                             and (user.is_superuser or _role_names(user) & {STAFF, MODERATOR})),
        "DEMO_MODE": settings.DEMO_MODE,
    }
