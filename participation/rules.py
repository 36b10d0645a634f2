"""Permission names owned by the kernel. Views, API, templates and consumers check these names."""

import rules

from participation.core.predicates import is_council, is_member, is_moderator, is_staff_member

rules.add_perm("participation.act", is_member)
rules.add_perm("participation.view_dashboard", is_council | is_staff_member)
rules.add_perm("participation.moderate", is_moderator)
# Moderators read the log of what they and others did (issue 12); is_moderator includes staff.
rules.add_perm("participation.view_audit_log", is_moderator)
rules.add_perm("participation.staff_tools", is_staff_member)
# Moderation, dashboard, open data and account data (issue 6).
rules.add_perm("participation.flag", is_member)
rules.add_perm("participation.manage_own_data", is_member)
