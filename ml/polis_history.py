"""Polis's conversation updates: one over all the votes (``fresh``: what Polis's worker computes on a cold start,
from an empty conversation), or the live conversation's successive updates replayed in time order.

Polis does not cluster the final vote matrix once. Its math worker updates the conversation each time
new votes arrive (``polismath.math.conversation/conv-update``) and every update starts from the last:

- participants once "in the conversation" stay in (``in-conv``), even when the threshold
  ``min(7, n_statements)`` later rises above their vote count;
- the ≤ 100 base clusters are k-means restarted from the previous base clusters
  (``clusters/kmeans`` with ``:last-clusters`` → ``clean-start-clusters``: recentre the old clusters on
  their members' new positions, merge identical ones, split off the most distant point until there are
  enough), and the group clusterings for each k restart from the previous clustering for that k;
- the number of groups changes only after a new k has had the best silhouette in
  ``group-k-buffer`` = 4 updates in a row (``group-k-smoother``);
- but when the math worker restarts, it reloads the conversation from ``math_main``, which keeps the PCA, the
  base clusters and who is in, not the group clusterings per k nor the smoother (``conv_man/prep-main``): the
  first update after a restart clusters the groups afresh and takes its best k at once
  (:meth:`Conversation.restart`; a replay puts one in every quiet spell of ``RESTART_GAP_SECONDS``).

So a conversation's groups depend on its history, and the final matrix alone does not determine them
(on the real conversations of ``tests/ml/fixtures/polis`` a one-shot run misses Polis's k and splits;
ml/README.md). :func:`replay` reproduces the updates from a time-stamped vote log: votes are taken in
windows of ``window_seconds`` (stretched so that there are at most ``max_updates`` updates, if given, and
no more than the SVD budget affords), and each
window is one update. The first clusters, which Polis takes from the first distinct points
(``init-clusters``), are taken in the order participants and statements first appeared.

Pure numpy; no n × n matrix beyond the ≤ 100 base clusters.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from ml.text import natural_key

BASE_K = 100
MAX_GROUPS = 5
GROUP_K_BUFFER = 4
MIN_VOTES = 7
GREEDY_PARTICIPANTS = 15
MAX_ITERS = 100
# Updates are capped so that their SVDs stay within about this many n·m·min(n, m) steps (≈ 30 s here):
# small conversations are replayed update by update, large ones in coarser windows (at least 50).
SVD_BUDGET = 2e10
MIN_UPDATES = 50
SAME_CLUSTERING = 0.01  # Polis's same-clustering? threshold on centre movement
# Polis's math worker restarts (its Heroku worker dyno is cycled at least daily, and deploys restart it); a restarted
# worker reloads a conversation from ``math_main``, which keeps the PCA, the base clusters and who is in the
# conversation but not the group clusterings per k nor the k-smoother (``conv_man/prep-main``). Where the restart
# fell is not in the export; a quiet spell of at least this long between two votes is taken to hold one (a daily
# restart falls in it more likely than not).
RESTART_GAP_SECONDS = 12 * 3600.0


@dataclass
class Clustering:
    """Clusters with stable ids: ``members[i]`` are the names (participant or base-cluster ids) of ``ids[i]``."""

    ids: list[int]
    members: list[list[Any]]
    centres: np.ndarray  # len(ids) × 2


def _distances(points: np.ndarray, centres: np.ndarray) -> np.ndarray:
    return np.sqrt(((points[:, None, :] - centres[None, :, :]) ** 2).sum(axis=2))


def _mean(points: np.ndarray, weights: np.ndarray | None) -> np.ndarray:
    if weights is None:
        return points.mean(axis=0)
    return (points * weights[:, None]).sum(axis=0) / weights.sum()


def _first_distinct(names: list[Any], points: np.ndarray, k: int) -> Clustering:
    """Polis ``init-clusters``: the first k distinct points, in order."""
    seen: set[tuple[float, ...]] = set()
    centres = []
    for point in points:
        key = tuple(np.round(point, 12).tolist())
        if key not in seen:
            seen.add(key)
            centres.append(point)
            if len(centres) == k:
                break
    return Clustering(list(range(len(centres))), [[] for _ in centres], np.asarray(centres, dtype=float).reshape(-1, 2))


def _clean_start(
    names: list[Any], points: np.ndarray, last: Clustering, k: int, weights: dict[Any, float] | None
) -> Clustering:
    """Polis ``clean-start-clusters``: the last clusters recentred on today's data, then grown to k."""
    position = {name: i for i, name in enumerate(names)}

    def centre_of(members: list[Any]) -> np.ndarray | None:
        rows = [position[m] for m in members if m in position]
        if not rows:
            return None
        w = None if weights is None else np.array([weights[names[r]] for r in rows], dtype=float)
        return _mean(points[rows], w)

    ids, members, centres = [], [], []
    seen: dict[bytes, int] = {}
    for cluster_id, cluster_members in zip(last.ids, last.members, strict=True):
        present = [m for m in cluster_members if m in position]
        centre = centre_of(present)
        if centre is None:
            continue
        # uniqify-clusters: a cluster with the same centre as an earlier one is merged into it
        j = seen.get(centre.tobytes())
        if j is not None:
            if len(present) > len(members[j]):
                ids[j] = cluster_id
            members[j] = members[j] + present
        else:
            seen[centre.tobytes()] = len(ids)
            ids.append(cluster_id)
            members.append(present)
            centres.append(centre)
    if not ids:
        return _first_distinct(names, points, k)
    distinct = len({tuple(np.round(p, 12).tolist()) for p in points})
    wanted = min(k, distinct)
    while True:
        centres = [c if (c := centre_of(m)) is not None else old for m, old in zip(members, centres, strict=True)]
        if len(ids) >= wanted:
            break
        nearest = _distances(points, np.asarray(centres)).min(axis=1)
        far = int(nearest.argmax())
        if nearest[far] <= 0:
            break
        outlier = names[far]
        members = [[m for m in cluster if m != outlier] for cluster in members]
        ids.append(max(ids) + 1)
        members.append([outlier])
        centres.append(points[far].copy())
    return Clustering(ids, members, np.asarray(centres, dtype=float))


def _rows_sorted(centres: np.ndarray) -> np.ndarray:
    """Centres in lexicographic order (Polis ``same-clustering?`` compares ``(sort centres)`` pairwise)."""
    return centres[np.lexsort(centres.T[::-1])] if len(centres) else centres


def kmeans(
    names: list[Any],
    points: np.ndarray,
    k: int,
    *,
    last: Clustering | None = None,
    weights: dict[Any, float] | None = None,
    max_iters: int = MAX_ITERS,
) -> Clustering:
    """Polis ``clusters/kmeans``: Lloyd steps from the last clustering (or the first distinct points),
    empty clusters dropped, until no centre moves more than 0.01."""
    clustering = (
        _clean_start(names, points, last, k, weights) if last is not None else _first_distinct(names, points, k)
    )
    w = np.ones(len(names)) if weights is None else np.array([weights[n] for n in names], dtype=float)
    ids, centres = list(clustering.ids), clustering.centres
    labels = np.zeros(len(names), dtype=int)
    for _ in range(max_iters + 1):
        labels = _distances(points, centres).argmin(axis=1)
        totals = np.bincount(labels, weights=w, minlength=len(ids))
        sums = np.zeros((len(ids), points.shape[1]))
        np.add.at(sums, labels, points * w[:, None])
        kept = np.flatnonzero(np.bincount(labels, minlength=len(ids)) > 0)  # empty clusters are dropped
        moved = sums[kept] / totals[kept][:, None]
        same = len(kept) == len(ids) and bool(
            np.all(np.sqrt(((_rows_sorted(moved) - _rows_sorted(centres)) ** 2).sum(1)) < SAME_CLUSTERING)
        )
        position = np.full(len(ids), -1)
        position[kept] = np.arange(len(kept))
        labels = position[labels]
        ids, centres = [ids[j] for j in kept], moved
        if same:
            break
    members: list[list[Any]] = [[] for _ in ids]
    for name, label in zip(names, labels.tolist(), strict=True):
        members[label].append(name)
    return Clustering(ids, members, centres)


def silhouette(points: np.ndarray, names: list[Any], clustering: Clustering) -> float:
    """Polis ``clusters/silhouette`` over the base-cluster centres (a member alone in its cluster scores 0)."""
    from sklearn.metrics import silhouette_score

    label_of = {name: j for j, members in enumerate(clustering.members) for name in members}
    labels = np.array([label_of[name] for name in names])
    if len(set(labels.tolist())) < 2 or len(set(labels.tolist())) >= len(names):
        return 0.0
    return float(silhouette_score(points, labels))


@dataclass
class Conversation:
    """The state Polis carries from one update of a conversation to the next."""

    excluded: frozenset[Any] = frozenset()
    fixed_k: int | None = None
    rules: str = "current"  # ml.opinion_groups.CURRENT or LEGACY
    participants: list[Any] = field(default_factory=list)
    statements: list[Any] = field(default_factory=list)
    in_conversation: set[Any] = field(default_factory=set)
    base: Clustering | None = None
    groups: dict[int, Clustering] = field(default_factory=dict)
    silhouettes: dict[int, float] = field(default_factory=dict)
    smoother: dict[str, int] = field(default_factory=dict)
    projections: np.ndarray | None = None  # of ``participants``, from the last update
    updates: int = 0
    restarts: int = 0
    _rows: dict[Any, int] = field(default_factory=dict)
    _columns: dict[Any, int] = field(default_factory=dict)
    _values: np.ndarray = field(default_factory=lambda: np.full((0, 0), np.nan))
    _components: np.ndarray | None = None

    def add(self, votes: Iterable[tuple[Any, Any, float]]) -> None:
        new = list(votes)
        for participant, statement, _ in new:
            if participant not in self._rows:
                self._rows[participant] = len(self.participants)
                self.participants.append(participant)
            if statement not in self._columns:
                self._columns[statement] = len(self.statements)
                self.statements.append(statement)
        values = np.full((len(self.participants), len(self.statements)), np.nan)
        values[: self._values.shape[0], : self._values.shape[1]] = self._values
        for participant, statement, vote in new:
            values[self._rows[participant], self._columns[statement]] = vote
        self._values = values

    @property
    def values(self) -> np.ndarray:
        return self._values

    def update(self, votes: Iterable[tuple[Any, Any, float]]) -> None:
        """One Polis ``conv-update`` with the votes that arrived since the last one."""
        self.add(votes)
        self.updates += 1
        values = self._values
        n, m = values.shape
        counted = self._zeroed(values) if self.rules == "legacy" else values  # legacy: mod-out cells count
        counts = (~np.isnan(counted)).sum(axis=1)
        self.in_conversation |= {self.participants[i] for i in np.flatnonzero(counts >= min(MIN_VOTES, m))}
        if len(self.in_conversation) < GREEDY_PARTICIPANTS:
            others = [i for i in np.argsort(-counts, kind="stable") if self.participants[i] not in self.in_conversation]
            for i in others[: GREEDY_PARTICIPANTS - len(self.in_conversation)]:
                self.in_conversation.add(self.participants[i])
        if m < 2 or n < 2:
            return
        self.projections = self._project(values)
        names = [p for p in self.participants if p in self.in_conversation]
        if len(names) < 2:
            return
        points = self.projections[[self._rows[p] for p in names]]
        self.base = kmeans(names, points, BASE_K, last=self.base)
        base_names, base_points = self.base.ids, self.base.centres
        sizes = {
            cluster_id: float(len(members))
            for cluster_id, members in zip(self.base.ids, self.base.members, strict=True)
        }
        candidates = [self.fixed_k] if self.fixed_k else range(2, min(MAX_GROUPS, 2 + len(base_names) // 12) + 1)
        scores = {}
        for k in candidates:
            if len(base_names) < k:
                continue
            self.groups[k] = kmeans(base_names, base_points, k, last=self.groups.get(k), weights=sizes)
            scores[k] = silhouette(base_points, base_names, self.groups[k])
        self.silhouettes = scores
        if not scores:  # no k fits the base clusters of this update: no groups now
            self.smoother = {}
            return
        this_k = max(scores, key=lambda k: (scores[k], k))  # Polis's max-key: of equal scores the higher k
        count = self.smoother.get("count", 0) + 1 if self.smoother.get("last_k") == this_k else 1
        smoothed = this_k if count >= GROUP_K_BUFFER else self.smoother.get("smoothed", this_k)
        if smoothed not in scores:  # the kept k is out of this update's range (fewer base clusters)
            smoothed = this_k
        self.smoother = {"last_k": this_k, "count": count, "smoothed": smoothed}

    def restart(self) -> None:
        """A restarted Polis worker reloading this conversation from ``math_main``: the group clusterings per k
        and the k-smoother are not stored there, so the next update clusters the groups afresh (from the first
        distinct base clusters) and takes the best k at once; the rest carries on."""
        self.groups = {}
        self.smoother = {}
        self.restarts += 1

    def _project(self, values: np.ndarray) -> np.ndarray:
        """PCA of everyone's votes (Polis's ``mat``; mod-out columns zeroed), signs kept from the last
        update, then the sparsity-aware projection — :func:`ml.opinion_groups.pca_project`.

        The axes come from an exact SVD: a block power iteration from the last axes (what Polis runs)
        halved the time but moved london.youth.policing from 0.963 to 0.573, where the second and third
        eigenvalues are close (ml/README.md)."""
        from ml.opinion_groups import pca_project

        projections, self._components, _ = pca_project(
            self._zeroed(values), previous=self._components, rules=self.rules
        )
        return projections

    def _zeroed(self, values: np.ndarray) -> np.ndarray:
        """The matrix with the mod-out (moderated-out, meta) columns set to 0 for everyone (``zero-out-columns``)."""
        from ml.opinion_groups import zero_out

        return zero_out(values, [self._columns[s] for s in self.excluded if s in self._columns])

    def group_of(self) -> dict[Any, int]:
        """Each participant in the conversation → index of its group in the smoothed-k clustering."""
        k = self.smoother.get("smoothed")
        if k is None or self.base is None:
            return {}
        members_of_base = dict(zip(self.base.ids, self.base.members, strict=True))
        return {
            participant: group
            for group, base_ids in enumerate(self.groups[k].members)
            for base_id in base_ids
            for participant in members_of_base.get(base_id, [])
        }


def polis_order(votes: Iterable[tuple]) -> list[tuple[Any, Any, float]]:
    """Votes in the order Polis loads a conversation (``conv-poll``: ``ORDER BY zid, tid, pid, created``): by
    statement, then participant, then time — so participants enter the matrix in the order they appear there,
    and of one participant's votes on a statement the latest counts. Untimed votes keep their given order
    among the same participant's votes on the same statement."""
    rows = list(votes)
    keyed = sorted(
        range(len(rows)),
        key=lambda i: (
            natural_key(rows[i][1]),
            natural_key(rows[i][0]),
            float(rows[i][3]) if len(rows[i]) > 3 else 0.0,
            i,
        ),
    )
    return [tuple(rows[i][:3]) for i in keyed]


def fresh(
    votes: Iterable[tuple],
    *,
    excluded: Iterable[Any] = (),
    k: int | None = None,
    rules: str = "current",
) -> Conversation:
    """One Polis update over all the votes, from an empty conversation — what Polis computes when it loads a
    conversation afresh (its ``recompute``): the votes in the order Polis loads them (:func:`polis_order`),
    whose first distinct points are Polis's first clusters."""
    conversation = Conversation(excluded=frozenset(excluded), fixed_k=k, rules=rules)
    conversation.update(polis_order(votes))
    return conversation


def replay(
    timed_votes: Iterable[tuple[Any, Any, float, float]],
    *,
    window_seconds: float = 60.0,
    max_updates: int | None = None,
    excluded: Iterable[Any] = (),
    k: int | None = None,
    rules: str = "current",
    restart_gap_seconds: float | None = RESTART_GAP_SECONDS,
    progress: Callable[[float], None] = lambda fraction: None,
) -> Conversation:
    """Replay (participant, statement, vote, unix time in seconds) in time order, one update per window.

    The window is ``window_seconds`` but never so short that there would be more than ``max_updates``
    updates (when given), nor more than the SVD budget affords for a conversation of this size (``SVD_BUDGET``; at
    least ``MIN_UPDATES``); a later vote by the same participant on the same statement replaces the
    earlier one. A quiet spell of at least ``restart_gap_seconds`` between two votes holds a restart of Polis's
    worker (:meth:`Conversation.restart`; ``None``: never). ``rules="by-date"`` replays each update in the math Polis
    ran on its day: the older math until ``ml.opinion_groups.LEGACY_UNTIL``, then a restart into today's.
    ``progress`` is told the share of the votes replayed after each update.
    """
    from ml.opinion_groups import BY_DATE, CURRENT, LEGACY, LEGACY_UNTIL

    ordered = sorted(timed_votes, key=lambda row: float(row[3]))
    by_date = rules == BY_DATE
    if by_date:
        rules = LEGACY if ordered and float(ordered[0][3]) < LEGACY_UNTIL else CURRENT
    conversation = Conversation(excluded=frozenset(excluded), fixed_k=k, rules=rules)
    if not ordered:
        return conversation
    n, m = len({row[0] for row in ordered}), len({row[1] for row in ordered})
    affordable = int(SVD_BUDGET / max(1, n * m * min(n, m)))
    updates = max(MIN_UPDATES, affordable)
    if max_updates is not None:
        updates = min(updates, max_updates)
    span = float(ordered[-1][3]) - float(ordered[0][3])
    window = max(float(window_seconds), span / updates)
    batch: list[tuple[Any, Any, float]] = []
    started = previous = None
    for done, (participant, statement, vote, when) in enumerate(ordered):
        when = float(when)
        if started is not None and when - started >= window:
            conversation.update(batch)
            progress(done / len(ordered))
            batch, started = [], None
        # Polis deployed today's math: its worker restarted, and went on in the new math from the state it kept.
        deployed = by_date and conversation.rules == LEGACY and when >= LEGACY_UNTIL
        quiet = restart_gap_seconds is not None and previous is not None and when - previous >= restart_gap_seconds
        if deployed or quiet:
            if batch:
                conversation.update(batch)
                batch, started = [], None
            if deployed:
                conversation.rules = CURRENT
            conversation.restart()
        if started is None:
            started = when
        batch.append((participant, statement, float(vote)))
        previous = when
    conversation.update(batch)
    progress(1.0)
    return conversation
