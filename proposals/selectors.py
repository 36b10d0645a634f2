"""Reads for proposals and comments: annotated querysets, constant query counts per page."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import date, datetime

from django.contrib.auth import get_user_model
from django.core.paginator import Paginator
from django.db.models import Count, Exists, IntegerField, OuterRef, Q, Subquery, Sum, Value
from django.db.models.functions import TruncDate
from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy as _

from proposals.models import (
    SHUFFLE_MAX,
    Comment,
    CommentVote,
    ConsultationTally,
    Follow,
    Proposal,
    ProposalState,
    Support,
)

PAGE_SIZE = 20
COMMENT_PAGE_SIZE = 50
# Filtered and searched lists count matches only up to this many (or up to five pages past the one
# asked for): "more than 200 found" instead of a COUNT over every match (a common word in 100,000
# proposals is a scan of all of them, trigram index or not).
COUNT_BOUND = 200
SORTS = {
    "newest": _("Newest"),
    "supported": _("Most supported"),
    "commented": _("Most commented"),
    "random": _("Random"),
}
DEFAULT_SORT = "newest"


class BadQuery(ValueError):
    """An unknown sort or filter value; views show it, the API answers 400."""


def _blocked_author_ids():
    return Subquery(get_user_model().objects.filter(content_hidden_at__isnull=False).values("pk"))


def visible_proposals():
    """``Proposal.objects.visible()`` written so that no query joins the user table per proposal:
    blocked accounts are few, so ``author_id NOT IN (blocked ids)`` is one small lookup."""
    return Proposal.objects.filter(hidden_at__isnull=True).exclude(author_id__in=_blocked_author_ids())


def proposal_queryset(*, user=None):
    qs = visible_proposals().select_related("author", "category")
    if user is not None and user.is_authenticated:
        qs = qs.annotate(
            supported_by_me=Exists(Support.objects.filter(proposal=OuterRef("pk"), user=user)),
            followed_by_me=Exists(Follow.objects.filter(proposal=OuterRef("pk"), user=user)),
        )
    else:
        qs = qs.annotate(supported_by_me=Value(False), followed_by_me=Value(False))
    return qs


@dataclass
class ProposalFilters:
    sort: str = DEFAULT_SORT
    category: str = ""
    state: str = ""
    q: str = ""
    seed: str = "0"

    @property
    def is_unfiltered(self) -> bool:
        return not (self.category or self.state or self.q)


def proposal_filters_clean(*, sort: str | None, category: str | None, state: str | None, q: str | None,
                           seed: str = "0") -> ProposalFilters:
    sort = (sort or DEFAULT_SORT).strip()
    if sort not in SORTS:
        raise BadQuery(_("Unknown sort order “%(sort)s”. Use one of: %(choices)s.") % {
            "sort": sort[:40], "choices": ", ".join(SORTS)})
    state = (state or "").strip()
    if state and state not in ProposalState.values:
        raise BadQuery(_("Unknown state “%(state)s”.") % {"state": state[:40]})
    q = (q or "").strip()[:100]
    return ProposalFilters(sort=sort, category=(category or "").strip()[:40], state=state, q=q, seed=seed)


def proposal_list(*, consultation_id: int, filters: ProposalFilters, user=None):
    """Visible proposals of a consultation, filtered and sorted (random: stable per seed)."""
    qs = proposal_queryset(user=user).filter(consultation_id=consultation_id)
    if filters.category:
        # By id, not through a join on the slug, so the (consultation, category, newest) index applies.
        category_model = Proposal._meta.get_field("category").related_model
        qs = qs.filter(category_id__in=Subquery(
            category_model.objects.filter(page_id=consultation_id, slug=filters.category).values("pk")))
    if filters.state:
        qs = qs.filter(state=filters.state)
    if filters.q:
        qs = qs.filter(Q(title__icontains=filters.q) | Q(body__icontains=filters.q))
    if filters.sort == "supported":
        qs = qs.order_by("-support_count", "-created_at", "-pk")
    elif filters.sort == "commented":
        qs = qs.order_by("-comment_count", "-created_at", "-pk")
    elif filters.sort == "random":
        pivot = int(hashlib.sha256(filters.seed.encode()).hexdigest()[:8], 16) % SHUFFLE_MAX
        return RotatedOrder(qs, pivot)
    else:
        qs = qs.order_by("-created_at", "-pk")
    return qs


def _page_number(page) -> int:
    try:
        number = int(float(page or 1))
    except (TypeError, ValueError, OverflowError):
        number = 1
    return max(1, number)


class RotatedOrder:
    """The random order: proposals by their stored random ``shuffle`` key, starting at the visitor's
    pivot and wrapping around. Every visitor sees one fixed random permutation from their own
    starting point (stable per seed), and a page is two index range scans on (consultation,
    shuffle, id) that stop after 20 rows, instead of a sort of every proposal by a computed key.
    Slicing is all a paginator needs."""

    ordered = True

    def __init__(self, qs, pivot: int):
        self.qs = qs
        self.head = qs.filter(shuffle__gte=pivot).order_by("shuffle", "pk")
        self.tail = qs.filter(shuffle__lt=pivot).order_by("shuffle", "pk")

    def count(self) -> int:
        return self.qs.order_by().count()

    def bounded_count(self, limit: int) -> int:
        return self.qs.order_by()[:limit].count()

    def __len__(self) -> int:
        return self.count()

    def __getitem__(self, key):
        if not isinstance(key, slice):
            return self[key : key + 1][0]
        start, stop = key.start or 0, key.stop
        rows = list(self.head[start:stop])
        wanted = stop - start
        if len(rows) < wanted:
            # Past the end of the head: its size is known from this page unless the page starts
            # beyond it (then one count, no dearer than the OFFSET itself).
            head_size = start + len(rows) if rows else self.head.count()
            tail_start = max(0, start - head_size)
            rows += list(self.tail[tail_start : tail_start + wanted - len(rows)])
        return rows


def paginate(qs, *, page, per_page: int = PAGE_SIZE):
    """Clamp any page number (negative, huge, garbage) into range instead of failing."""
    paginator = Paginator(qs, per_page)
    number = min(_page_number(page), paginator.num_pages)
    return paginator.page(number)


class ProposalPaginator(Paginator):
    """A paginator whose count is either known (the consultation's stored total, for the unfiltered
    list) or counted only up to ``bound`` rows; ``count_is_lower_bound`` says the list goes on."""

    def __init__(self, object_list, per_page, *, known_count: int | None = None, bound: int = COUNT_BOUND):
        super().__init__(object_list, per_page)
        self.known_count = known_count
        self.bound = bound
        self.count_is_lower_bound = False

    @cached_property
    def count(self) -> int:
        if self.known_count is not None:
            return self.known_count
        if isinstance(self.object_list, RotatedOrder):
            counted = self.object_list.bounded_count(self.bound + 1)
        else:
            counted = self.object_list.order_by()[: self.bound + 1].count()
        if counted > self.bound:
            self.count_is_lower_bound = True
            return self.bound
        return counted


def paginate_proposals(qs, *, page, filters: ProposalFilters, consultation_id: int, counts: dict | None = None,
                       per_page: int | None = None):
    """A page of a proposal list without a COUNT over all proposals: the unfiltered list takes its
    total from ``consultation_counts``; a filtered one counts matches up to a bound that always
    reaches past the page asked for (so every page up to it can be reached, then "Next")."""
    number = _page_number(page)
    per_page = per_page or PAGE_SIZE
    if filters.is_unfiltered:
        counts = counts or consultation_counts_cached(consultation_id=consultation_id)
        paginator = ProposalPaginator(qs, per_page, known_count=counts["proposals"])
    else:
        bound = max(COUNT_BOUND, (min(number, 10**6) + 5) * per_page)
        paginator = ProposalPaginator(qs, per_page, bound=bound)
    return paginator.page(min(number, paginator.num_pages))


def proposal_detail(*, proposal_id: int, user=None) -> Proposal | None:
    return (
        proposal_queryset(user=user)
        .select_related("consultation", "answered_by")
        .filter(pk=proposal_id)
        .first()
    )


def _comments_annotated(*, user=None):
    qs = Comment.objects.select_related("author")
    if user is not None and user.is_authenticated:
        qs = qs.annotate(
            my_vote=Subquery(CommentVote.objects.filter(comment=OuterRef("pk"), user=user).values("value")[:1])
        )
    else:
        qs = qs.annotate(my_vote=Value(None, output_field=IntegerField()))
    return qs


def comment_queryset(*, user=None):
    return _comments_annotated(user=user).filter(hidden_at__isnull=True)


# A comment residents may read: not hidden by a moderator, its author not blocked with their past posts.
_SHOWN = Q(hidden_at__isnull=True, author__content_hidden_at__isnull=True)


def _is_concealed(comment: Comment) -> bool:
    return comment.hidden_at is not None or comment.author.content_hidden_at is not None


def comment_thread(*, proposal_id: int, user=None, page=1, per_page: int = COMMENT_PAGE_SIZE, proposal=None,
                   placeholders: bool = False):
    """One page of top-level comments with their replies (depth ≤ 3), in two queries (the roots, then both
    levels of replies), plus the number of roots, kept under the consultation's stamp when ``proposal`` is given
    (every comment and moderation event bumps it after commit; blocking an author bumps the site's).

    Hidden comments (and comments by blocked authors) are dropped with their subtrees; deleted
    ones stay as tombstones so the thread keeps its shape. With ``placeholders`` (the proposal page), a hidden
    comment that has replies residents may read stays in its place with ``concealed = True`` (its text is
    never shown), so those replies do not vanish with it; a hidden comment nobody answered is still dropped.
    """
    from participation.core import freshness

    if placeholders:
        shown_reply = Comment.objects.filter(_SHOWN, parent_id=OuterRef("pk"))
        shown_grandchild = Comment.objects.filter(_SHOWN, parent__parent_id=OuterRef("pk"))
        top = _comments_annotated(user=user).filter(proposal_id=proposal_id, parent__isnull=True).filter(
            _SHOWN | Exists(shown_reply) | Exists(shown_grandchild))
    else:
        top = comment_queryset(user=user).filter(proposal_id=proposal_id, parent__isnull=True,
                                                 author__content_hidden_at__isnull=True)
    paginator = Paginator(top.order_by("created_at", "pk"), per_page)
    if proposal is not None:
        paginator.count = freshness.cached(
            f"proposals:comment-roots{':with-placeholders' if placeholders else ''}:{proposal_id}",
            [freshness.SITE, freshness.consultation(proposal.consultation_id)],
            lambda: top.count(),
        )
    page_obj = paginator.page(min(_page_number(page), paginator.num_pages))
    roots = list(page_obj.object_list)
    root_ids = [c.pk for c in roots]
    children: dict[int, list[Comment]] = {c.pk: [] for c in roots}
    if root_ids:
        in_thread = Q(parent_id__in=root_ids) | Q(parent__parent_id__in=root_ids)
        if placeholders:
            replies = list(_comments_annotated(user=user).filter(in_thread).order_by("created_at", "pk"))
        else:
            replies = list(comment_queryset(user=user).filter(in_thread, author__content_hidden_at__isnull=True)
                           .order_by("created_at", "pk"))
        by_parent: dict[int, list[Comment]] = {}
        for reply in replies:
            by_parent.setdefault(reply.parent_id, []).append(reply)
        if placeholders:
            # Deepest level first: a concealed reply stays only as the placeholder above a reply that is shown.
            kept: set[int] = set()
            for reply in sorted(replies, key=lambda r: -r.depth):
                if not _is_concealed(reply) or any(child.pk in kept for child in by_parent.get(reply.pk, [])):
                    kept.add(reply.pk)
            by_parent = {parent_id: [r for r in found if r.pk in kept] for parent_id, found in by_parent.items()}
        level = root_ids
        for _depth in (2, 3):  # only replies whose whole chain up to a shown root is shown
            found = [reply for parent_id in level for reply in by_parent.get(parent_id, [])]
            for reply in found:
                children.setdefault(reply.parent_id, []).append(reply)
                children.setdefault(reply.pk, [])
            level = [r.pk for r in found]
    for comments in [roots, *children.values()]:
        for comment in comments:
            comment.thread_replies = children.get(comment.pk, [])
            comment.concealed = placeholders and _is_concealed(comment)
            if proposal is not None:
                comment.proposal = proposal  # permission checks read it; no query per comment
    return page_obj, roots


def consultation_link(consultation) -> tuple[str, str]:
    """(title, url) of the consultation's copy in the active language (the Japanese page when no copy is live),
    for the proposal page's way back. English reads of the copy are kept under the site's stamp (publishing)
    and the consultation's, so an English page costs no query more than a Japanese one."""
    from participation.core import freshness, i18n

    if not i18n.is_english():
        return consultation.title, consultation.url

    def read() -> tuple[str, str]:
        here = consultation.localized  # Wagtail: the live copy in the active language, else the page itself
        return here.title, here.url

    from django.utils.translation import get_language

    return freshness.cached(f"proposals:consultation-link:{consultation.pk}:{get_language()}",
                            [freshness.SITE, freshness.consultation(consultation.pk)], read)


def tally_sums() -> dict:
    """The consultation totals as aggregates over ``Proposal`` rows, from the proposals' stored
    counters (keys as ``ConsultationTally``'s columns): the one spelling that
    ``services.tally_recompute`` fills the tally with and ``consultation_counts_many`` counts with.
    New expressions on each call. The migration that created the table keeps its own frozen copy."""
    return {"proposals": Count("pk"), "comments": Sum("comment_count"), "supports": Sum("support_count")}


def consultation_counts(*, consultation_id: int) -> dict[str, int]:
    """Visible proposals, their (visible, not deleted) comments and their supports, as the websocket's
    ``counts`` message: the stored ``ConsultationTally`` minus what blocked authors wrote (see
    ``consultation_counts_many``), two small queries whatever the number of proposals."""
    totals = consultation_counts_many(consultation_ids=[consultation_id])[consultation_id]
    return {"type": "counts", "consultation": consultation_id, **totals}


def consultation_counts_cached(*, consultation_id: int) -> dict[str, int]:
    """``consultation_counts`` for pages and the list API, kept under the consultation's stamp (every proposal,
    comment, support and moderation event bumps it) and the site's (blocking an author removes their share).
    Broadcasts read ``consultation_counts`` itself."""
    from participation.core import freshness

    return freshness.cached(f"proposals:counts:{consultation_id}",
                            [freshness.SITE, freshness.consultation(consultation_id)],
                            lambda: consultation_counts(consultation_id=consultation_id))


def consultation_counts_many(*, consultation_ids: list[int]) -> dict[int, dict[str, int]]:
    """``consultation_counts`` for several consultations in three queries (totals, blocked authors'
    share, live counts for any consultation without totals yet).

    The stored totals count proposals not hidden by a moderator, any author; what blocked authors
    wrote is subtracted, read through the author index. A consultation without a tally row yet is
    counted directly."""
    sums = tally_sums()
    result = {cid: {"proposals": 0, "comments": 0, "supports": 0} for cid in consultation_ids}
    tallies = {t["consultation_id"]: t for t in ConsultationTally.objects.filter(consultation_id__in=consultation_ids)
               .values("consultation_id", "proposals", "comments", "supports")}
    for cid, tally in tallies.items():
        result[cid] = {key: tally[key] for key in sums}
    blocked = (
        Proposal.objects.filter(author_id__in=_blocked_author_ids(), consultation_id__in=list(tallies),
                                hidden_at__isnull=True)
        .values("consultation_id").annotate(**sums).order_by()
    )
    for row in blocked if tallies else []:
        for key in sums:
            result[row["consultation_id"]][key] -= row[key] or 0
    untallied = [cid for cid in consultation_ids if cid not in tallies]
    if untallied:
        rows = visible_proposals().filter(consultation_id__in=untallied).values("consultation_id").annotate(**sums).order_by()
        for row in rows:
            result[row["consultation_id"]] = {key: row[key] or 0 for key in sums}
    return result


def user_supports_left(*, user, consultation) -> int | None:
    """None when the consultation sets no limit."""
    limit = consultation.supports_per_user
    if not limit or not user.is_authenticated:
        return None
    used = Support.objects.filter(user=user, consultation_id=consultation.pk).count()
    return max(0, limit - used)


# --- Metrics --------------------------------------------------------------------------------


def _daily(qs, field: str, since) -> dict[date, int]:
    if isinstance(since, datetime):
        qs = qs.filter(**{f"{field}__gte": since})
    elif since is not None:
        qs = qs.filter(**{f"{field}__date__gte": since})
    rows = qs.annotate(day=TruncDate(field)).values("day").annotate(n=Count("pk")).order_by("day")
    return {row["day"]: row["n"] for row in rows}


def metric_proposals_total() -> int:
    return Proposal.objects.visible().count()


def metric_proposals_per_consultation() -> dict[int, int]:
    rows = Proposal.objects.visible().values("consultation_id").annotate(n=Count("pk"))
    return {r["consultation_id"]: r["n"] for r in rows}


def metric_proposals_daily(since) -> dict[date, int]:
    return _daily(Proposal.objects.visible(), "created_at", since)


def _visible_comments():
    return Comment.objects.visible().filter(deleted_at__isnull=True, proposal__hidden_at__isnull=True)


def metric_comments_total() -> int:
    return _visible_comments().count()


def metric_comments_per_consultation() -> dict[int, int]:
    rows = _visible_comments().values("proposal__consultation_id").annotate(n=Count("pk"))
    return {r["proposal__consultation_id"]: r["n"] for r in rows}


def metric_comments_daily(since) -> dict[date, int]:
    return _daily(_visible_comments(), "created_at", since)


def _supports():
    return Support.objects.filter(proposal__hidden_at__isnull=True)


def metric_supports_total() -> int:
    return _supports().count()


def metric_supports_per_consultation() -> dict[int, int]:
    rows = _supports().values("consultation_id").annotate(n=Count("pk"))
    return {r["consultation_id"]: r["n"] for r in rows}


def metric_supports_daily(since) -> dict[date, int]:
    return _daily(_supports(), "created_at", since)


def _participant_ids_per_consultation() -> dict[int, set[int]]:
    result: dict[int, set[int]] = {}
    for cid, uid in Proposal.objects.values_list("consultation_id", "author_id"):
        result.setdefault(cid, set()).add(uid)
    for cid, uid in Comment.objects.values_list("proposal__consultation_id", "author_id"):
        result.setdefault(cid, set()).add(uid)
    for cid, uid in Support.objects.values_list("consultation_id", "user_id"):
        result.setdefault(cid, set()).add(uid)
    return result


def metric_participants_total() -> int:
    ids: set[int] = set()
    for users in _participant_ids_per_consultation().values():
        ids |= users
    return len(ids)


def metric_participants_per_consultation() -> dict[int, int]:
    return {cid: len(users) for cid, users in _participant_ids_per_consultation().items()}


def metric_participants_daily(since) -> dict[date, int]:
    """New participants per day: the day of each person's first proposal, comment or support."""
    first: dict[int, date] = {}
    for model, user_field in ((Proposal, "author_id"), (Comment, "author_id"), (Support, "user_id")):
        rows = model.objects.values(user_field).annotate(day=TruncDate("created_at")).values_list(user_field, "day")
        for uid, day in rows:
            if uid not in first or day < first[uid]:
                first[uid] = day
    since_day = since.date() if isinstance(since, datetime) else since
    counts: dict[date, int] = {}
    for day in first.values():
        if since_day is None or day >= since_day:
            counts[day] = counts.get(day, 0) + 1
    return dict(sorted(counts.items()))


# --- What became of a resident's posts (issue 12, sharp edge 6) -------------------------------


def proposal_hidden_by_moderation(*, proposal_id: int) -> Proposal | None:
    """The proposal when it exists but is hidden by moderation (itself, or its author's past content), for
    the page that says so instead of a bare 404; ``None`` when there is no such proposal."""
    return (
        Proposal.objects.filter(pk=proposal_id)
        .filter(Q(hidden_at__isnull=False) | Q(author__content_hidden_at__isnull=False))
        .only("pk", "consultation_id", "hidden_at").first()
    )


def activity_proposals(*, user):
    """A resident's own proposals, newest first, hidden ones included (they are told so)."""
    return Proposal.objects.filter(author=user).select_related("author").order_by("-created_at", "-pk")


def activity_comments(*, user):
    """A resident's own comments (not deleted), newest first, with the proposal and the comment they
    answered and those authors, so the page can say when either was hidden by moderation."""
    return (
        Comment.objects.filter(author=user, deleted_at__isnull=True)
        .select_related("author", "proposal__author", "parent__author")
        .order_by("-created_at", "-pk")
    )
