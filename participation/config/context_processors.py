from django.conf import settings

from participation.accounts.notifications import notifications_unread_count
from participation.core.registry import registry


def site(request):
    user = getattr(request, "user", None)
    nav = [item for item in registry.nav_items if item.permission is None or (user and user.has_perm(item.permission))]
    return {
        "SITE_NAME": settings.WAGTAIL_SITE_NAME,
        "CITY": settings.CITY,
        "nav_items": nav,
        "unread_notifications": notifications_unread_count(user=user) if user is not None else 0,
        "DEMO_MODE": settings.DEMO_MODE,
    }
