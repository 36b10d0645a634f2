"""Root URLconf. Feature apps register their URL modules in ``AppConfig.ready()``.

Japanese is served without a prefix, English under /en/. Machine interfaces (API, Open311,
websockets, health) have no language prefix.
"""

from django.conf import settings
from django.conf.urls.i18n import i18n_patterns
from django.contrib import admin
from django.urls import include, path, re_path
from wagtail import urls as wagtail_urls
from wagtail.admin import urls as wagtailadmin_urls
from wagtail.documents import urls as wagtaildocs_urls

from participation.accounts import views as account_views
from participation.config import views
from participation.config.api import build_api
from participation.core.registry import registry

api = build_api()

account_patterns = (
    [
        path("profile/", account_views.profile, name="profile"),
        path("notifications/", account_views.notification_list, name="notifications"),
        path("notifications/read/", account_views.notification_mark_all_read, name="notifications_read"),
    ],
    "participation",
)

urlpatterns = [
    path("healthz", views.healthz, name="healthz"),
    path("readyz", views.readyz, name="readyz"),
    # Django's admin: only what installed libraries register (allauth, django-tasks, auth groups, taggit, Wagtail
    # images/documents), for a superuser; no project app registers here (README, "The two commands").
    path("django-admin/", admin.site.urls),
    path("admin/", include(wagtailadmin_urls)),
    path("documents/", include(wagtaildocs_urls)),
    path("i18n/setlang/", views.set_language, name="set_language"),
    path("api/v1/", api.urls),
    *[path(m.prefix, include(m.module)) for m in registry.url_modules if not m.translated],
]
if settings.SERVE_MEDIA:
    urlpatterns.append(
        # public/: photos anyone may see; images/: Wagtail's renditions (consultation card pictures), public by
        # Wagtail's design. Originals (original_images/) and private/ are never served.
        re_path(r"^media/(?P<path>(?:public|images)/.*)$", views.public_media, name="public_media")
    )

urlpatterns += i18n_patterns(
    path("accounts/", include("allauth.urls")),
    path("me/", include(account_patterns)),
    *[path(m.prefix, include(m.module)) for m in registry.url_modules if m.translated],
    path("", include(wagtail_urls)),
    prefix_default_language=False,
)

handler403 = "participation.config.views.permission_denied"
handler404 = "participation.config.views.page_not_found"
handler500 = "participation.config.views.server_error"
