"""Deleting a user row in the Wagtail admin (one or in bulk) cascades to what the person wrote and
supported, past the services that keep the counters. Counting everything again afterwards is the
explicit step that keeps them equal to COUNT(*); the site's own account deletion anonymises instead."""

from __future__ import annotations

from django.contrib.auth import get_user_model
from wagtail import hooks


@hooks.register("after_delete_user")
def recount_after_user_deleted(request, user) -> None:
    from proposals.tally import counts_reconcile

    counts_reconcile(fix=True)


@hooks.register("after_bulk_action")
def recount_after_users_deleted(request, action_type, objects, action_class_instance) -> None:
    if action_type == "delete" and getattr(action_class_instance, "model", None) is get_user_model():
        from proposals.tally import counts_reconcile

        counts_reconcile(fix=True)
