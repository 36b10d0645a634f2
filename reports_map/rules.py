"""Permission names for reports. Views, Open311, templates and exports check these same names."""

import rules

from participation.core.predicates import is_author, is_member, is_staff_member


@rules.predicate
def is_public_report(user, report) -> bool:
    """Visible to anyone: not private, not hidden, author not blocked."""
    if report is None or report.private or report.hidden_at is not None:
        return False
    author = report.author if report.author_id else None
    return not (author is not None and author.content_hidden_at is not None)


@rules.predicate
def is_unhidden(user, report) -> bool:
    return report is not None and report.hidden_at is None


@rules.predicate
def is_public_photo(user, photo) -> bool:
    return photo is not None and photo.hidden_at is None and is_public_report(user, photo.report)


@rules.predicate
def is_own_photo_report(user, photo) -> bool:
    return photo is not None and photo.hidden_at is None and is_author(user, photo.report) and is_unhidden(user, photo.report)


can_view_report = is_staff_member | is_public_report | (is_author & is_unhidden)

rules.add_perm("reports_map.add_report", is_member)
rules.add_perm("reports_map.view_report", can_view_report)
rules.add_perm("reports_map.follow_report", is_member & can_view_report)
rules.add_perm("reports_map.view_photo", is_staff_member | is_public_photo | (is_member & is_own_photo_report))
# Residents never change a report after filing it; only staff triage it.
rules.add_perm("reports_map.change_report", is_staff_member)
rules.add_perm("reports_map.triage_report", is_staff_member)
rules.add_perm("reports_map.manage_categories", is_staff_member)
rules.add_perm("reports_map.manage_open311_keys", is_staff_member)
