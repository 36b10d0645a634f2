"""Vote-based opinion groups, reproducing Polis's math (compdemocracy/polis, ``math/src/polismath``).

Input: (participant, statement, vote) with vote 1 agree, -1 disagree, 0 pass. Steps, as in Polis:

1. Participants "in the conversation": at least ``min(7, n_statements)`` votes; if fewer than 15
   qualify, the most active voters are added until 15 (Polis's greedy top-up).
2. PCA (2 components) of the participant × statement matrix with missing votes replaced by the
   statement's mean vote, centred by column means. (Polis fits it on everyone who voted; fitting it on
   step 1's participants measured closer to Polis's groups on real conversations, ml/README.md.)
   Statements moderated out or marked as meta (demographic questions) are Polis's ``mod-out``: their
   column is set to 0 for everyone (``zero-out-columns``), so they shape neither the axes nor the
   groups, and are never representative, consensus or divisive.
3. Sparsity-aware projection: each participant is projected using only the statements they voted
   on, scaled by ``sqrt(n_statements / n_voted)`` so sparse voters are not pulled to the centre.
4. Base clusters: k-means with up to 100 clusters on the projections; group clusters: weighted
   k-means of the base-cluster centres for k = 2..min(5, 2 + n_base // 12) (Polis ``max-k-fn``); the k
   with the best silhouette of the base-cluster centres (Polis's ``bucket-dists``) wins. Both k-means
   are Polis's own (``ml.polis_history``: Lloyd steps from the first distinct points, the votes in the
   order Polis loads them) in one update over all the votes — Polis's cold computation, what the platform's own
   conversations use; scikit-learn's k-means when that finds no two groups. Polis also smooths k over the
   successive updates of a live conversation (``group-k-smoother``); ``history=True`` replays them, which is
   closer to most of Polis's exports (``ml.compare_polis.closest_to_export``, ml/README.md).
5. Per group and statement: na, nd, ns (passes count as seen); pa = (na+1)/(ns+2),
   pd = (nd+1)/(ns+2); pat/pdt one-proportion z (``prop_test``); ra/rd the ratio against everyone
   outside the group with the same pseudocounts; rat/rdt two-proportion z tests. A statement
   represents a group when (rat and pat) or (rdt and pdt) pass the 90% one-sided test (z > 1.2816);
   sorted by ra·rat·pa·pat, best agree first, at most 5, agrees before disagrees; when none pass,
   the best by test (Polis's ``beats-best-by-test?``/``beats-best-agr?``) so every group gets one.
6. Consensus: statements with pa > 0.5 in every group, ranked by Polis's group-aware consensus
   Π_g pa_g; plus Polis's overall agree/disagree consensus (p > 0.5, z significant, top 5).
7. Divisive: statements whose groups disagree most — the spread of (pa − pd) across groups, kept
   when some group's agreement differs significantly from the rest (two-proportion z > 1.2816).
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

import numpy as np

Z_90 = 1.2816
MIN_VOTES = 7
MIN_PARTICIPANTS = 15
MAX_BASE_CLUSTERS = 100
MAX_GROUPS = 5
# Which Polis math to reproduce: today's (CURRENT), or its older one (LEGACY, Polis's ``mat`` before column
# averages): missing votes as 0 in the PCA, and the moderated-out and meta columns, zeroed for everyone, counted
# as votes when deciding who is in the conversation — what computed the exports that grouped everyone who voted
# (ml.compare_polis.rules_for_export). ml/README.md has the measurements.
CURRENT = "current"
LEGACY = "legacy"
# Each update in the math Polis ran on its day (a replay that spans the change): the older math until the change
# reached pol.is (``LEGACY_UNTIL``), today's after it. The date is read off a live export, football-concussions
# (2015–2019): every participant who joined by 2017-12-20 is in (one-vote voters too), none who joined from 2018-01-06
# with fewer than 7 votes; Polis's commit of the change is dated October 2017.
BY_DATE = "by-date"
LEGACY_UNTIL = 1514764800.0  # 2018-01-01 00:00 UTC
RULES = (CURRENT, LEGACY, BY_DATE)


def timed(votes: list[tuple]) -> bool:
    """Whether there are votes and every one carries its time: (participant, statement, vote, unix seconds)."""
    return bool(votes) and all(len(vote) == 4 for vote in votes)


# A statement that holds fewer votes than this share of the median statement's was hardly shown to anyone: in a
# Polis export, almost always one the owner moderated out after a vote or two (the author's own agree), which
# Polis's math leaves out. Measured on plain vote tables (ml/README.md, "Statements nobody was shown").
UNSEEN_SHARE = 0.05


def unseen_statements(votes: Iterable[tuple]) -> list:
    """Statements of a vote table that were hardly shown: fewer votes than UNSEEN_SHARE of the median statement's.
    For a table that says nothing about what was moderated out (no comments.csv, no --exclude)."""
    counts = Counter(vote[1] for vote in votes)
    if not counts:
        return []
    threshold = UNSEEN_SHARE * float(np.median(list(counts.values())))
    return sorted((statement for statement, count in counts.items() if count < threshold), key=str)


def prop_test(successes: float, trials: float) -> float:
    """Polis ``stats/prop-test``: one-proportion z against 0.5 with +1 pseudocounts."""
    successes, trials = successes + 1, trials + 1
    return 2 * math.sqrt(trials) * (successes / trials - 0.5)


def two_prop_test(succ_in: float, succ_out: float, pop_in: float, pop_out: float) -> float:
    """Polis ``stats/two-prop-test`` with +1 pseudocounts on all four counts."""
    succ_in, succ_out, pop_in, pop_out = succ_in + 1, succ_out + 1, pop_in + 1, pop_out + 1
    pi1, pi2 = succ_in / pop_in, succ_out / pop_out
    pi_hat = (succ_in + succ_out) / (pop_in + pop_out)
    if pi_hat >= 1:
        return 0.0
    return (pi1 - pi2) / math.sqrt(pi_hat * (1 - pi_hat) * (1 / pop_in + 1 / pop_out))


def z_sig_90(z: float) -> bool:
    return z > Z_90


@dataclass
class VoteMatrix:
    participants: list[Any]
    statements: list[Any]
    values: np.ndarray  # float, NaN where no vote


def vote_matrix(votes: Iterable[tuple[Any, Any, float]]) -> VoteMatrix:
    """Participants × statements; the latest vote of a participant on a statement wins."""
    cells: dict[tuple[Any, Any], float] = {}
    participants: dict[Any, int] = {}
    statements: dict[Any, int] = {}
    for participant, statement, vote in votes:
        vote = float(vote)
        if vote not in (1.0, -1.0, 0.0):
            raise ValueError(f"vote must be 1, -1 or 0, got {vote!r}")
        participants.setdefault(participant, len(participants))
        statements.setdefault(statement, len(statements))
        cells[(participant, statement)] = vote
    values = np.full((len(participants), len(statements)), np.nan)
    for (participant, statement), vote in cells.items():
        values[participants[participant], statements[statement]] = vote
    return VoteMatrix(list(participants), list(statements), values)


def in_conversation(values: np.ndarray) -> np.ndarray:
    """Boolean mask of participants that count (Polis: ≥ min(7, n_statements) votes, topped up to 15)."""
    counts = (~np.isnan(values)).sum(axis=1)
    threshold = min(MIN_VOTES, values.shape[1])
    mask = counts >= threshold
    if mask.sum() < MIN_PARTICIPANTS:
        order = np.argsort(-counts, kind="stable")
        for index in order:
            if mask.sum() >= MIN_PARTICIPANTS or counts[index] == 0:
                break
            mask[index] = True
    return mask


def zero_out(values: np.ndarray, columns: Iterable[int]) -> np.ndarray:
    """Polis ``nm/zero-out-columns`` for ``mod-out``: the column becomes 0 for every participant."""
    columns = sorted(set(columns))
    if not columns:
        return values
    rated = values.copy()
    rated[:, columns] = 0.0
    return rated


def pca_project(
    values: np.ndarray, previous: np.ndarray | None = None, *, rules: str = CURRENT
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Polis's PCA with column-mean imputation and sparsity-aware projection.

    The axes' signs follow ``previous`` (2 × m' components of an earlier, possibly narrower matrix —
    as Polis's power iteration from the last update's axes keeps them); without it the largest loading
    of each axis is positive. With ``rules=LEGACY`` a missing vote is 0 in the matrix the axes are fitted
    on, and the centre is the column mean of that matrix (Polis's ``mat`` before column averages).
    Returns (projections n×2, components 2×m, centre m).
    """
    voted = ~np.isnan(values)
    if rules == LEGACY:
        filled = np.where(voted, values, 0.0)
        centre = filled.mean(axis=0) if len(values) else np.zeros(values.shape[1])
    else:
        column_sums = np.where(voted, values, 0).sum(axis=0)
        column_counts = voted.sum(axis=0)
        centre = np.divide(column_sums, column_counts, out=np.zeros(values.shape[1]), where=column_counts > 0)
        filled = np.where(voted, values, centre)
    centred = filled - centre
    n_components = min(2, *centred.shape)
    if n_components == 0 or not np.any(centred):
        components = np.zeros((2, values.shape[1]))
    else:
        _, _, vt = np.linalg.svd(centred, full_matrices=False)
        components = np.zeros((2, values.shape[1]))
        components[:n_components] = vt[:n_components]
        if previous is not None:
            aligned = np.zeros((2, values.shape[1]))
            width = min(values.shape[1], previous.shape[1])
            aligned[:, :width] = previous[:, :width]
            for row in range(2):
                if components[row] @ aligned[row] < 0:
                    components[row] = -components[row]
        else:  # deterministic sign: the largest loading of each component is positive
            for row in range(2):
                if components[row].any() and components[row][np.argmax(np.abs(components[row]))] < 0:
                    components[row] = -components[row]
    n_statements = values.shape[1]
    deviations = np.where(voted, values - centre, 0.0)
    projections = deviations @ components.T
    n_voted = voted.sum(axis=1)
    scale = np.sqrt(np.divide(n_statements, n_voted, out=np.ones(len(n_voted)), where=n_voted > 0))
    return projections * scale[:, None], components, centre


def _weighted_kmeans(points: np.ndarray, weights: np.ndarray, k: int, seed: int) -> np.ndarray:
    from sklearn.cluster import KMeans

    return KMeans(n_clusters=k, n_init=10, random_state=seed).fit_predict(points, sample_weight=weights)


def max_groups(n_base: int) -> int:
    """Polis ``max-k-fn``: at most 5 groups, and at most 2 + one per 12 base clusters."""
    return min(MAX_GROUPS, 2 + n_base // 12)


def base_clusters(projections: np.ndarray, *, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """Polis's base clusters: k-means with up to 100 clusters on the projections. Returns (labels, centres)."""
    import warnings

    from sklearn.cluster import KMeans

    unique_points = np.unique(np.round(projections, 9), axis=0)
    n_base = min(MAX_BASE_CLUSTERS, len(unique_points))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # fewer distinct points than clusters is expected with identical voters
        model = KMeans(n_clusters=n_base, n_init=1, random_state=seed).fit(projections)
    return model.labels_, model.cluster_centers_


def cluster_participants(
    projections: np.ndarray, *, seed: int = 0, k: int | None = None
) -> tuple[np.ndarray, dict[int, float]]:
    """Base clusters (≤ 100), then group clusters of the base-cluster centres weighted by their sizes.

    As in Polis (``group-clusterings``, ``group-clusterings-silhouettes``): k runs over
    2..min(5, 2 + n_base // 12) and the silhouette is computed on the base-cluster centres (Polis's
    ``bucket-dists``), not on the participants. Returns (group per participant, silhouette per k).
    """
    from sklearn.metrics import silhouette_score

    n = len(projections)
    if n < 4:
        return np.zeros(n, dtype=int), {}
    base_labels, centres = base_clusters(projections, seed=seed)
    n_base = len(centres)
    weights = np.bincount(base_labels, minlength=n_base).astype(float)
    scores: dict[int, float] = {}
    candidates = [k] if k else list(range(2, max_groups(n_base) + 1))
    best = None
    for candidate in candidates:
        if candidate > n_base or candidate >= n:
            continue
        groups_of_base = _weighted_kmeans(centres, weights, candidate, seed)
        if len(set(groups_of_base.tolist())) < 2:
            continue
        labels = groups_of_base[base_labels]
        if len(set(groups_of_base.tolist())) < n_base:
            score = float(silhouette_score(centres, groups_of_base))
        else:  # one base cluster per group (only with a fixed k): the silhouette is undefined
            score = 0.0
        scores[candidate] = score
        if best is None or score > best[0] + 1e-9:
            best = (score, labels)
    if best is None:
        return np.zeros(n, dtype=int), scores
    return _relabel(best[1], projections), scores


def _relabel(labels: np.ndarray, projections: np.ndarray) -> np.ndarray:
    """Largest group first (ties: smaller mean first coordinate), so ids are stable across runs."""
    groups = sorted(set(labels.tolist()), key=lambda g: (-(labels == g).sum(), projections[labels == g, 0].mean()))
    mapping = {g: i for i, g in enumerate(groups)}
    return np.array([mapping[g] for g in labels], dtype=int)


def _counts(block: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    na = (block == 1).sum(axis=0).astype(float)
    nd = (block == -1).sum(axis=0).astype(float)
    ns = (~np.isnan(block)).sum(axis=0).astype(float)
    return na, nd, ns


def repness(values: np.ndarray, groups: np.ndarray) -> list[list[dict[str, float]]]:
    """Polis ``conv-repness``: per group, per statement, the counts, probabilities, ratios and tests."""
    stats = []
    for group in range(int(groups.max()) + 1 if len(groups) else 0):
        inside = values[groups == group]
        outside = values[groups != group]
        na, nd, ns = _counts(inside)
        na_o, nd_o, ns_o = _counts(outside)
        rows = []
        for j in range(values.shape[1]):
            pa = (na[j] + 1) / (ns[j] + 2)
            pd = (nd[j] + 1) / (ns[j] + 2)
            rows.append(
                {
                    "na": na[j],
                    "nd": nd[j],
                    "ns": ns[j],
                    "pa": pa,
                    "pd": pd,
                    "pat": prop_test(na[j], ns[j]),
                    "pdt": prop_test(nd[j], ns[j]),
                    "ra": pa / ((na_o[j] + 1) / (ns_o[j] + 2)),
                    "rd": pd / ((nd_o[j] + 1) / (ns_o[j] + 2)),
                    "rat": two_prop_test(na[j], na_o[j], ns[j], ns_o[j]),
                    "rdt": two_prop_test(nd[j], nd_o[j], ns[j], ns_o[j]),
                }
            )
        stats.append(rows)
    return stats


def _finalize(j: int, s: dict[str, float]) -> dict[str, Any]:
    agree = s["rat"] > s["rdt"]
    return {
        "statement": j,
        "repful_for": "agree" if agree else "disagree",
        "n_success": int(s["na"] if agree else s["nd"]),
        "n_trials": int(s["ns"]),
        "p_success": round(s["pa"] if agree else s["pd"], 4),
        "p_test": round(s["pat"] if agree else s["pdt"], 4),
        "repness": round(s["ra"] if agree else s["rd"], 4),
        "repness_test": round(s["rat"] if agree else s["rdt"], 4),
    }


def _metric(item: dict[str, Any]) -> float:
    return item["repness"] * item["repness_test"] * item["p_success"] * item["p_test"]


def _beats_best_agree(s: dict[str, float], best: dict[str, float] | None) -> bool:
    if s["na"] == 0 and s["nd"] == 0:
        return False
    if best is not None and best["ra"] > 1.0:
        return s["ra"] * s["rat"] * s["pa"] * s["pat"] > best["ra"] * best["rat"] * best["pa"] * best["pat"]
    if best is not None:
        return s["pa"] * s["pat"] > best["pa"] * best["pat"]
    return z_sig_90(s["pat"]) or (s["ra"] > 1.0 and s["pa"] > 0.5)


def select_representative(
    stats_for_group: list[dict[str, float]], *, excluded: set[int] = frozenset()
) -> list[dict[str, Any]]:
    """Polis ``select-rep-comments`` for one group."""
    sufficient: list[dict[str, Any]] = []
    best: dict[str, Any] | None = None
    best_agree: tuple[int, dict[str, float]] | None = None
    for j, s in enumerate(stats_for_group):
        if j in excluded:
            continue
        if (z_sig_90(s["rat"]) and z_sig_90(s["pat"])) or (z_sig_90(s["rdt"]) and z_sig_90(s["pdt"])):
            sufficient.append(_finalize(j, s))
        if not sufficient and (best is None or max(s["rat"], s["rdt"]) > best["repness_test"]):
            best = _finalize(j, s)
        if _beats_best_agree(s, best_agree[1] if best_agree else None):
            best_agree = (j, s)
    head: list[dict[str, Any]] = []
    if best_agree is not None:
        j, s = best_agree
        item = _finalize(j, s)
        item.update(
            repful_for="agree",
            n_success=int(s["na"]),
            p_success=round(s["pa"], 4),
            p_test=round(s["pat"], 4),
            repness=round(s["ra"], 4),
            repness_test=round(s["rat"], 4),
            best_agree=True,
        )
        head = [item]
    elif best is not None:
        head = [best]
    if not sufficient:
        return head
    rest = sorted(
        (x for x in sufficient if not head or x["statement"] != head[0]["statement"]), key=lambda x: -_metric(x)
    )
    chosen = (head + rest)[:5]
    return [x for x in chosen if x["repful_for"] == "agree"] + [x for x in chosen if x["repful_for"] == "disagree"]


def consensus(values: np.ndarray, groups: np.ndarray, *, top: int = 5) -> dict[str, list[dict[str, Any]]]:
    """Group-aware consensus (pa > 0.5 in every group, ranked by Π pa_g) and Polis's overall consensus."""
    n_groups = int(groups.max()) + 1 if len(groups) else 0
    per_group = [_counts(values[groups == g]) for g in range(n_groups)]
    across = []
    for j in range(values.shape[1]):
        pas = [(na[j] + 1) / (ns[j] + 2) for na, _, ns in per_group]
        if pas and all(p > 0.5 for p in pas) and all(ns[j] > 0 for _, _, ns in per_group):
            across.append(
                {
                    "statement": j,
                    "group_aware_consensus": round(float(np.prod(pas)), 4),
                    "p_agree_by_group": [round(p, 4) for p in pas],
                }
            )
    across.sort(key=lambda x: -x["group_aware_consensus"])
    na, nd, ns = _counts(values)
    overall = {"agree": [], "disagree": []}
    for direction, counts in (("agree", na), ("disagree", nd)):
        rows = []
        for j in range(values.shape[1]):
            p = (counts[j] + 1) / (ns[j] + 2)
            z = prop_test(counts[j], ns[j])
            if p > 0.5 and z_sig_90(z):
                rows.append(
                    {
                        "statement": j,
                        "n_success": int(counts[j]),
                        "n_trials": int(ns[j]),
                        "p_success": round(p, 4),
                        "p_test": round(z, 4),
                        "_m": p * z,
                    }
                )
        rows.sort(key=lambda x: -x["_m"])
        overall[direction] = [{k: v for k, v in r.items() if k != "_m"} for r in rows[:top]]
    return {"across_groups": across[:top], "agree": overall["agree"], "disagree": overall["disagree"]}


def divisive(
    values: np.ndarray,
    groups: np.ndarray,
    stats: list[list[dict[str, float]]],
    *,
    top: int = 5,
    excluded: frozenset[int] | set[int] = frozenset(),
) -> list[dict[str, Any]]:
    """Statements the groups split on: spread of (pa − pd) across groups, with a significant group difference."""
    n_groups = len(stats)
    if n_groups < 2:
        return []
    rows = []
    for j in range(values.shape[1]):
        if j in excluded:
            continue
        leanings = [stats[g][j]["pa"] - stats[g][j]["pd"] for g in range(n_groups)]
        significant = any(
            z_sig_90(abs(stats[g][j]["rat"])) or z_sig_90(abs(stats[g][j]["rdt"])) for g in range(n_groups)
        )
        spread = max(leanings) - min(leanings)
        if significant and spread > 0.3:
            rows.append(
                {
                    "statement": j,
                    "spread": round(float(spread), 4),
                    "agree_minus_disagree_by_group": [round(float(x), 4) for x in leanings],
                }
            )
    rows.sort(key=lambda x: -x["spread"])
    return rows[:top]


HISTORY_WINDOW_SECONDS = 5.0  # one Polis update per 5 s of votes (Polis updates within seconds of a vote)
# No cap on the number of updates beyond what the SVD budget affords (ml.polis_history.SVD_BUDGET, which
# keeps a replay to seconds): a cap of 1,000 cut canadian-electoral-reform's history too coarsely (ARI 0.180
# against 0.898 uncapped; ml/README.md).
HISTORY_MAX_UPDATES = None
HISTORY_MIN_UPDATES = 3  # fewer updates than this is no history: the final matrix is clustered once


def opinion_groups(
    votes: Iterable[tuple[Any, Any, float] | tuple[Any, Any, float, float]],
    *,
    seed: int = 0,
    k: int | None = None,
    excluded_statements: Iterable[Any] = (),
    rules: str = CURRENT,
    history: bool = False,
    polis_start: bool = True,
    progress: Callable[[int, str], None] = lambda percent, stage: None,
) -> dict[str, Any]:
    """Polis-style groups. Returns participant and statement ids as given:

    {"groups": [{"id", "members", "representative": [ids], "repness": [...]}], "consensus": [ids],
     "divisive": [ids], "consensus_detail", "divisive_detail", "projections": {pid: [x, y]},
     "params": {...}, "k_scores": {...}}

    The groups are those of one Polis update over all the votes (``ml.polis_history.fresh``: Polis's own
    k-means from the first distinct points, the votes in the order Polis loads them — by statement, then
    participant, then time when the votes carry it: (participant, statement, vote, unix seconds)). With
    ``history=True`` timed votes are replayed instead as Polis's successive updates while they arrived
    (``ml.polis_history.replay``). When Polis's update finds no two groups, k-means once on the final matrix
    (steps 1–4 above). ``rules`` picks today's Polis math (``CURRENT``), its older one (``LEGACY``; see
    ``RULES``) or each update's by its date (``BY_DATE``: a replay switches at ``LEGACY_UNTIL``).
    With ``polis_start=False`` one update is k-means at its best of several starts (steps 1–4 above, "k-means
    once") instead of Polis's own start: Polis's start reproduces Polis only on Polis's own matrix, and on votes
    that still hold what Polis left out (demographic questions) it measured fragile (ml/README.md, fifteenth round).
    """
    if rules not in RULES:
        raise ValueError(f"rules must be one of {', '.join(RULES)}, not {rules!r}")
    rows = list(votes)
    with_times = timed(rows)
    if with_times:
        rows.sort(key=lambda row: float(row[3]))
    once_rules = rules  # of one update: by date, the math of the last vote's day (a computation can be no earlier)
    if rules == BY_DATE:
        once_rules = LEGACY if with_times and float(rows[-1][3]) < LEGACY_UNTIL else CURRENT
    matrix = vote_matrix(row[:3] for row in rows)
    progress(10, "matrix")
    if matrix.values.size == 0:
        raise ValueError("no votes")
    excluded = {matrix.statements.index(s) for s in excluded_statements if s in matrix.statements}
    excluded_ids = [matrix.statements[j] for j in excluded]
    from ml.polis_history import fresh, replay

    computation = "one update"
    if history and with_times:
        reported = [None]

        def replayed(fraction: float) -> None:  # 10 → 65 %, once per percent
            percent = 10 + int(55 * fraction)
            if percent != reported[0]:
                reported[0] = percent
                progress(percent, "history")

        state = replay(
            rows,
            window_seconds=HISTORY_WINDOW_SECONDS,
            max_updates=HISTORY_MAX_UPDATES,
            excluded=excluded_ids,
            k=k,
            rules=rules,
            progress=replayed,
        )
        computation = "replayed"
    if computation != "replayed" or state.updates < HISTORY_MIN_UPDATES:
        # No history asked for, or none to speak of (votes imported or cast at one time): one update.
        if polis_start:
            state, computation = fresh(rows, excluded=excluded_ids, k=k, rules=once_rules), "one update"
        else:
            state, computation = None, "k-means once"
    if state is not None:
        grouped = state.group_of()
        if not all(p in grouped for p in state.in_conversation) or len(set(grouped.values())) < 2:
            # Polis's update found no two groups (too few voters or base clusters for them): k-means once.
            state, computation = None, "k-means once"
    if state is not None:
        mask = np.array([p in state.in_conversation for p in matrix.participants])
    else:
        # Who counts is decided on the votes as cast (Polis's user-vote-counts use the raw matrix); under the
        # legacy rules on the matrix with the mod-out columns zeroed, as Polis counted them then.
        mask = in_conversation(zero_out(matrix.values, excluded) if once_rules == LEGACY else matrix.values)
    values = matrix.values[mask]
    participants = [p for p, keep in zip(matrix.participants, mask, strict=False) if keep]
    if len(participants) < 4 or values.shape[1] - len(excluded) < 2:
        raise ValueError("too few participants or statements for opinion groups (need ≥ 4 voters and ≥ 2 statements)")
    if state is not None:
        row_of = {participant: i for i, participant in enumerate(state.participants)}
        projections = state.projections[[row_of[p] for p in participants]]
        groups = _relabel(np.array([grouped[p] for p in participants], dtype=int), projections)
        scores = state.silhouettes
        progress(70, "groups")
    else:
        projections = pca_project(zero_out(values, excluded), rules=once_rules)[0]
        progress(40, "pca")
        groups, scores = cluster_participants(projections, seed=seed, k=k)
        progress(70, "groups")
    stats = repness(values, groups)
    statement_ids = matrix.statements
    result_groups = []
    for g in range(len(stats)):
        reps = select_representative(stats[g], excluded=excluded)
        for item in reps:
            item["statement"] = statement_ids[item["statement"]]
        result_groups.append(
            {
                "id": g,
                "members": [participants[i] for i in np.where(groups == g)[0]],
                "representative": [item["statement"] for item in reps],
                "repness": reps,
            }
        )
    counted = values.copy()
    counted[:, sorted(excluded)] = np.nan  # moderated-out / meta statements: no consensus, not divisive
    cons = consensus(counted, groups)
    for key in cons:
        for item in cons[key]:
            item["statement"] = statement_ids[item["statement"]]
    div = divisive(values, groups, stats, excluded=excluded)
    for item in div:
        item["statement"] = statement_ids[item["statement"]]
    progress(95, "store")
    return {
        "groups": result_groups,
        "consensus": [item["statement"] for item in cons["across_groups"]],
        "divisive": [item["statement"] for item in div],
        "consensus_detail": cons,
        "divisive_detail": div,
        "projections": {
            str(p): [round(float(x), 4), round(float(y), 4)]
            for p, (x, y) in zip(participants, projections, strict=False)
        },
        "params": {
            "seed": seed,
            "k": k,
            "min_votes": min(MIN_VOTES, values.shape[1]),
            "participants_total": len(matrix.participants),
            "participants_in_conversation": len(participants),
            "statements": values.shape[1],
            "statements_excluded": len(excluded),
            "rules": rules,
            "computation": computation,
            "history": (
                {
                    "updates": state.updates,
                    "restarts": state.restarts,
                    "window_seconds": HISTORY_WINDOW_SECONDS,
                    "smoother": state.smoother,
                }
                if computation == "replayed"
                else None
            ),
        },
        "k_scores": {str(key): round(v, 4) for key, v in scores.items()},
    }
