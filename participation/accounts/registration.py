"""How the accounts room plugs into the kernel: "my data" pages, the notifications menu entry, demo accounts."""

from django.utils.translation import gettext_lazy as _


def register() -> None:
    """Called from ParticipationConfig.ready()."""
    from participation.accounts.demo import seed_accounts
    from participation.core.registry import NavItem, registry

    registry.add_urls("me/data/", "participation.accounts.data_urls", translated=True)
    registry.add_nav_item(NavItem("participation:notifications", _("Notifications"), order=900, permission="participation.act"))
    registry.add_demo_seeder("accounts", seed_accounts, order=10)
    _connect_cache_stamps()


# What a user row shows on pages others see: their public name, and whether their content is shown.
_PUBLIC_FIELDS = {"display_name", "content_hidden_at", "blocked_at", "is_active"}


def _user_saved(sender, instance, update_fields=None, **kwargs):
    # Signing in only writes last_login: nothing any page shows. A save of unknown fields may change anything.
    if update_fields is not None and set(update_fields) <= {"last_login"}:
        return
    from participation.core import freshness

    if update_fields is not None and not set(update_fields) & _PUBLIC_FIELDS:
        freshness.bump(freshness.user(instance.pk))
    else:
        freshness.bump(freshness.user(instance.pk), freshness.SITE)


def _user_deleted(sender, instance, **kwargs):
    from participation.core import freshness

    freshness.bump(freshness.user(instance.pk), freshness.SITE)


def _roles_changed(sender, instance, action, reverse=False, pk_set=None, **kwargs):
    if action not in ("post_add", "post_remove", "post_clear", "pre_clear"):
        return
    from participation.core import freshness

    if reverse:  # group.user_set.add(...): the users in pk_set changed (all of the group's on clear)
        user_ids = pk_set if pk_set is not None else instance.user_set.values_list("pk", flat=True)
    else:
        user_ids = [instance.pk]
    freshness.bump(*(freshness.user(pk) for pk in user_ids))


def _group_changed(sender, instance, **kwargs):
    from participation.core import freshness

    freshness.bump(freshness.ROLES)


def _notification_changed(sender, instance, **kwargs):
    from participation.core import freshness

    freshness.bump(freshness.user(instance.recipient_id))


def _connect_cache_stamps() -> None:
    """Cached reads of a user (roles, unread notifications) are keyed by the user's stamp: these writes bump it
    after commit (participation/core/freshness.py). Bulk writes bump it where they are made."""
    from django.contrib.auth.models import Group
    from django.db.models.signals import m2m_changed, post_delete, post_save

    from participation.models import Notification, User

    post_save.connect(_group_changed, sender=Group, dispatch_uid="freshness-group-saved")
    post_delete.connect(_group_changed, sender=Group, dispatch_uid="freshness-group-deleted")
    post_save.connect(_user_saved, sender=User, dispatch_uid="freshness-user-saved")
    post_delete.connect(_user_deleted, sender=User, dispatch_uid="freshness-user-deleted")
    m2m_changed.connect(_roles_changed, sender=User.groups.through, dispatch_uid="freshness-user-roles")
    post_save.connect(_notification_changed, sender=Notification, dispatch_uid="freshness-notification-saved")
    post_delete.connect(_notification_changed, sender=Notification, dispatch_uid="freshness-notification-deleted")
