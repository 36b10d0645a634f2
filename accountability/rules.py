"""Permission names for results. Views, the API, templates and the admin check these."""

from __future__ import annotations

import rules

from participation.core.predicates import is_member, is_staff_member


@rules.predicate
def result_public(user, result) -> bool:
    """City-wide results are public; a consultation's results are public while its page is."""
    if result is None:
        return False
    page = result.consultation
    if page is None:
        return True
    return bool(page.live and not page.get_view_restrictions().exists())


rules.add_perm("accountability.view_result", result_public)
rules.add_perm("accountability.follow_result", is_member & result_public)
rules.add_perm("accountability.change_result", is_staff_member)
rules.add_perm("accountability.import_results", is_staff_member)
rules.add_perm("accountability.link_proposal", is_staff_member)  # a hidden proposal: a clear ValidationError

# The Wagtail admin (snippets) asks for Django's model permission names; the same rule answers them.
for _model in ("result", "resultstatus", "department"):
    for _action in ("add", "delete") + (("change", "view") if _model != "result" else ()):
        rules.add_perm(f"accountability.{_action}_{_model}", is_staff_member)
