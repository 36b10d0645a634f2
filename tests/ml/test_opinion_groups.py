import math

import numpy as np
import pytest
from sklearn.metrics import adjusted_rand_score, silhouette_score

from ml.opinion_groups import (
    base_clusters,
    cluster_participants,
    in_conversation,
    max_groups,
    opinion_groups,
    pca_project,
    prop_test,
    two_prop_test,
    vote_matrix,
)


def planted(groups=3, per_group=25, statements_per_group=4, missing=0.3, noise=0.08, seed=1):
    """Group g agrees with its own statements and disagrees with the others; everyone agrees with "shared"."""
    rng = np.random.default_rng(seed)
    votes, truth = [], {}
    for p in range(groups * per_group):
        g = p // per_group
        truth[f"u{p}"] = g
        for s in range(groups * statements_per_group):
            if rng.random() < missing:
                continue
            vote = 1 if s // statements_per_group == g else -1
            if rng.random() < noise:
                vote = -vote
            votes.append((f"u{p}", f"s{s}", vote))
        votes.append((f"u{p}", "shared", 1))
        if rng.random() < 0.5:
            votes.append((f"u{p}", "pass", 0))
    return votes, truth


def test_polis_tests_match_the_published_formulas():
    # prop-test: 2·sqrt(n+1)·((succ+1)/(n+1) − 0.5)
    assert prop_test(9, 10) == pytest.approx(2 * math.sqrt(11) * (10 / 11 - 0.5))
    assert prop_test(0, 0) == pytest.approx(1.0)
    # two-prop-test with +1 pseudocounts
    pi1, pi2, pihat = 9 / 11, 3 / 21, 12 / 32
    expected = (pi1 - pi2) / math.sqrt(pihat * (1 - pihat) * (1 / 11 + 1 / 21))
    assert two_prop_test(8, 2, 10, 20) == pytest.approx(expected)


def test_finds_the_planted_groups_and_their_statements():
    votes, truth = planted()
    result = opinion_groups(votes, seed=0)
    assert len(result["groups"]) == 3
    found = {m: g["id"] for g in result["groups"] for m in g["members"]}
    assert adjusted_rand_score([truth[p] for p in found], list(found.values())) > 0.9
    for group in result["groups"]:
        planted_group = np.bincount([truth[m] for m in group["members"]]).argmax()
        own = {f"s{s}" for s in range(planted_group * 4, planted_group * 4 + 4)}
        agreed = [r["statement"] for r in group["repness"] if r["repful_for"] == "agree"]
        assert agreed and set(agreed) <= own | {"shared"}
        assert 1 <= len(group["representative"]) <= 5
    assert result["consensus"][0] == "shared"
    assert "shared" not in result["divisive"]
    assert set(result["divisive"]) <= {f"s{s}" for s in range(12)} and result["divisive"]


def test_two_groups_and_determinism():
    votes, truth = planted(groups=2, per_group=30)
    a = opinion_groups(votes, seed=5)
    b = opinion_groups(votes, seed=5)
    assert [g["members"] for g in a["groups"]] == [g["members"] for g in b["groups"]]
    assert len(a["groups"]) == 2


def test_fixed_number_of_groups():
    votes, _ = planted(groups=3)
    assert len(opinion_groups(votes, k=2)["groups"]) == 2


def test_participants_with_too_few_votes_are_left_out():
    votes, _ = planted(groups=2, per_group=20, missing=0.0)
    votes += [("lurker", "s0", 1), ("lurker", "s1", -1)]
    result = opinion_groups(votes)
    members = {m for g in result["groups"] for m in g["members"]}
    assert "lurker" not in members
    assert result["params"]["participants_total"] == 41
    assert result["params"]["participants_in_conversation"] == 40


def test_sparse_voters_are_scaled_not_pulled_to_the_centre():
    values = np.array([[1, 1, -1, -1], [1, np.nan, np.nan, np.nan], [-1, -1, 1, 1], [-1, -1, 1, np.nan]], dtype=float)
    projections, _, _ = pca_project(values)
    # Participant 1 voted once, like participant 0: the sqrt(4/1) scaling keeps it on the same side, away from 0.
    assert np.sign(projections[1, 0]) == np.sign(projections[0, 0])
    assert abs(projections[1, 0]) > 0.5 * abs(projections[0, 0])


def test_vote_matrix_keeps_the_last_vote_and_rejects_bad_votes():
    matrix = vote_matrix([("a", "s", 1), ("a", "s", -1), ("b", "t", 0)])
    assert matrix.values[0, 0] == -1 and np.isnan(matrix.values[0, 1])
    with pytest.raises(ValueError):
        vote_matrix([("a", "s", 2)])


def test_in_conversation_tops_up_to_fifteen():
    values = np.full((20, 10), np.nan)
    values[:, 0] = 1  # everyone voted once: nobody reaches 7 votes
    assert in_conversation(values).sum() == 15


def test_too_few_participants_is_a_value_error():
    with pytest.raises(ValueError):
        opinion_groups([("a", "s1", 1), ("b", "s1", -1)])


def test_group_count_follows_polis_max_k():
    # Polis max-k-fn: at most 5 groups, and at most 2 + one per 12 base clusters.
    assert [max_groups(n) for n in (4, 12, 23, 24, 36, 100)] == [2, 3, 3, 4, 5, 5]
    votes, _ = planted(groups=2, per_group=10, missing=0.0, noise=0.0)
    projections, _, _ = pca_project(vote_matrix(votes).values)
    _, scores = cluster_participants(projections)
    labels, centres = base_clusters(projections)
    assert set(scores) <= set(range(2, max_groups(len(centres)) + 1))


def test_k_is_chosen_by_the_silhouette_of_the_base_cluster_centres():
    votes, _ = planted(groups=3, per_group=30, seed=4)
    projections, _, _ = pca_project(vote_matrix(votes).values)
    groups, scores = cluster_participants(projections, seed=0)
    base_labels, centres = base_clusters(projections, seed=0)
    # Every participant of a base cluster is in the same group, and the reported score is the
    # silhouette of the base-cluster centres under that grouping (Polis's bucket-dists).
    group_of_base = {}
    for base, group in zip(base_labels, groups, strict=True):
        assert group_of_base.setdefault(base, group) == group
    expected = silhouette_score(centres, [group_of_base[b] for b in range(len(centres))])
    assert scores[len(set(groups.tolist()))] == pytest.approx(expected)
    assert len(set(groups.tolist())) == max(scores, key=scores.get) == 3


def test_excluded_statements_are_polis_mod_out():
    """A meta statement that splits everyone by place does not shape the groups, and is never reported."""
    votes, truth = planted(groups=2, per_group=30, seed=4)
    rng = np.random.default_rng(9)
    for participant in truth:
        city = bool(rng.integers(0, 2))
        votes += [(participant, "city", 1 if city else -1), (participant, "town", -1 if city else 1)]
        votes += [(participant, "rural", -1 if city else 1), (participant, "suburb", 1 if city else -1)]
    meta = ["city", "town", "rural", "suburb"]
    with_meta = opinion_groups(votes, seed=0, k=2)
    left_out = opinion_groups(votes, seed=0, k=2, excluded_statements=meta)

    def ari(result):
        found = {m: g["id"] for g in result["groups"] for m in g["members"]}
        return adjusted_rand_score([truth[p] for p in found], [found[p] for p in found])

    assert ari(left_out) == pytest.approx(1.0)
    assert ari(with_meta) < ari(left_out)
    reported = set(left_out["consensus"]) | set(left_out["divisive"])
    reported |= {s for g in left_out["groups"] for s in g["representative"]}
    reported |= {d["statement"] for key in ("agree", "disagree") for d in left_out["consensus_detail"][key]}
    assert not reported & set(meta)
    assert left_out["params"]["statements_excluded"] == 4


def test_excluded_statements_count_as_seen_like_polis_zero_out():
    from ml.opinion_groups import zero_out

    values = np.array([[1.0, np.nan, -1.0], [np.nan, np.nan, 1.0]])
    rated = zero_out(values, [1])
    assert rated[:, 1].tolist() == [0.0, 0.0]
    assert np.isnan(values[0, 1])  # the input is not changed
    assert zero_out(values, []) is values


def test_legacy_rules_fit_the_axes_with_missing_votes_as_zero():
    """Polis's ``mat`` before column averages: a missing vote is 0 where the axes are fitted, and the centre is
    the mean of that matrix; the projection itself still reads only the votes cast (sparsity-aware)."""
    from ml.opinion_groups import LEGACY

    values = np.array([[1.0, 1.0, np.nan], [1.0, np.nan, -1.0], [-1.0, -1.0, 1.0], [np.nan, -1.0, 1.0]])
    _, _, centre = pca_project(values)
    assert centre.tolist() == pytest.approx([1 / 3, -1 / 3, 1 / 3])  # the mean of the votes cast
    projections, components, centre = pca_project(values, rules=LEGACY)
    assert centre.tolist() == pytest.approx([0.25, -0.25, 0.25])  # the mean with missing votes as 0
    filled = np.nan_to_num(values) - centre
    top = np.linalg.svd(filled)[2][0]
    assert abs(components[0] @ top) == pytest.approx(1.0)
    scale = np.sqrt(3 / (~np.isnan(values)).sum(axis=1))[:, None]
    np.testing.assert_allclose(projections, np.where(np.isnan(values), 0.0, values - centre) @ components.T * scale)


def test_legacy_rules_count_zeroed_statements_as_votes_for_who_is_in():
    """Under the legacy rules the mod-out columns, zeroed for everyone, count towards the 7 votes: a participant
    with 3 votes is grouped when 4 meta statements are left out (as Polis's exports up to 2019 grouped them)."""
    from ml.opinion_groups import LEGACY

    votes, truth = planted(groups=2, per_group=20, seed=5)
    votes += [("late", "s0", 1), ("late", "s1", 1), ("late", "s2", 1)]
    votes += [(p, f"meta{j}", 1) for p in truth for j in range(4)]
    meta = [f"meta{j}" for j in range(4)]
    current = opinion_groups(votes, seed=0, excluded_statements=meta)
    legacy = opinion_groups(votes, seed=0, excluded_statements=meta, rules=LEGACY)
    grouped = {m for g in legacy["groups"] for m in g["members"]}
    assert "late" in grouped and "late" not in {m for g in current["groups"] for m in g["members"]}
    assert legacy["params"]["rules"] == "legacy" and current["params"]["rules"] == "current"
    found = {m: g["id"] for g in legacy["groups"] for m in g["members"] if m in truth}
    assert adjusted_rand_score([truth[p] for p in found], [found[p] for p in found]) == pytest.approx(1.0)


def test_unknown_rules_are_a_value_error():
    votes, _ = planted(groups=2, per_group=10)
    with pytest.raises(ValueError, match="rules must be one of current, legacy"):
        opinion_groups(votes, rules="2017")
