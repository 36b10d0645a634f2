"""Small predicates that every app composes into its permission names (django-rules).

Object predicates accept a consultation (anything with ``phase_allows``) or an object with a
``consultation`` attribute, so feature apps need not import each other.
"""

from __future__ import annotations

import rules

RESIDENT, MODERATOR, STAFF, COUNCIL = "resident", "moderator", "staff", "council"
ROLES = (RESIDENT, MODERATOR, STAFF, COUNCIL)


def _stored_role_names(user) -> frozenset[str]:
    """The user's roles, kept under their stamp: adding or removing a role bumps it after commit (signals on
    the groups relation in participation/accounts/registration.py), so a change shows on the next request."""
    from participation.core import freshness

    return freshness.cached(f"roles:{user.pk}", [freshness.user(user.pk), freshness.ROLES],
                            lambda: frozenset(user.groups.values_list("name", flat=True)))


def _role_names(user) -> frozenset[str]:
    cached = getattr(user, "_role_names_cache", None)
    if cached is None:
        cached = _stored_role_names(user) if user.is_authenticated else frozenset()
        user._role_names_cache = cached
    return cached


@rules.predicate
def is_member(user) -> bool:
    """A signed-in, active, not blocked account."""
    return bool(user and user.is_authenticated and user.is_active and getattr(user, "blocked_at", None) is None)


@rules.predicate
def is_superuser(user) -> bool:
    return bool(user and user.is_authenticated and user.is_superuser)


def has_role(name: str):
    @rules.predicate(name=f"has_role:{name}")
    def _has_role(user) -> bool:
        return is_member(user) and name in _role_names(user)

    return _has_role


is_moderator = is_member & (has_role(MODERATOR) | has_role(STAFF) | is_superuser)
is_staff_member = is_member & (has_role(STAFF) | is_superuser)
is_council = is_member & (has_role(COUNCIL) | has_role(STAFF) | is_superuser)


def _consultation_of(obj):
    if obj is None:
        return None
    return obj if hasattr(obj, "phase_allows") else getattr(obj, "consultation", None)


def phase_allows(feature: str):
    """True while the consultation's current phase opens ``feature`` (create / comment / support)."""

    @rules.predicate(name=f"phase_allows:{feature}")
    def _phase_allows(user, obj) -> bool:
        consultation = _consultation_of(obj)
        return consultation is not None and consultation.phase_allows(feature)

    return _phase_allows


@rules.predicate
def is_author(user, obj) -> bool:
    author_id = getattr(obj, "author_id", None)
    return bool(user and user.is_authenticated and author_id is not None and author_id == user.pk)


@rules.predicate
def is_visible(user, obj) -> bool:
    """Not hidden by moderation and not by an account whose past content a moderator hid."""
    if obj is None:
        return False
    if getattr(obj, "hidden_at", None) is not None:
        return False
    author = getattr(obj, "author", None)
    return not (author is not None and getattr(author, "content_hidden_at", None) is not None)
