"""Permission names of the outreach app, checked by every view and service."""

import rules

from participation.core.predicates import is_member, is_staff_member

rules.add_perm("outreach.manage_preferences", is_member)
rules.add_perm("outreach.send_announcement", is_staff_member)
rules.add_perm("outreach.view_announcement_counts", is_staff_member)
