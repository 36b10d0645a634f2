"""Polis's incremental updates (ml/polis_history.py): what carries over from one update to the next."""

import numpy as np
import pytest

import ml.polis_history as history
from ml.opinion_groups import opinion_groups
from ml.polis_history import Clustering, Conversation, kmeans, replay


def two_camps(participants=40, statements=10, seed=0, start=0.0, step=30.0):
    """Camp of p % 2 agrees with the even statements and disagrees with the odd ones, or the reverse."""
    rng = np.random.default_rng(seed)
    log = []
    for p in range(participants):
        for s in range(statements):
            if rng.random() < 0.2:
                continue
            vote = 1 if (s % 2) == (p % 2) else -1
            log.append((f"u{p}", f"s{s}", vote, start + step * p + s))
    return log


def test_kmeans_starts_from_the_first_distinct_points_and_keeps_ids_across_updates():
    names = ["a", "b", "c", "d", "e", "f"]
    points = np.array([[0.0, 0], [0, 0], [0.1, 0], [5, 5], [5.1, 5], [9, 9]])
    first = kmeans(names, points, 3)
    # Polis starts from the first three distinct points, (0, 0), (0.1, 0) and (5, 5), and stays in the
    # local optimum they lead to — not the best 3-clustering.
    assert sorted(sorted(m) for m in first.members) == [["a", "b"], ["c"], ["d", "e", "f"]]
    # Next update: one more participant near the first cluster; the old ids carry over, nothing is renumbered.
    again = kmeans(names + ["g"], np.vstack([points, [[-0.1, 0.0]]]), 3, last=first)
    assert sorted(again.ids) == sorted(first.ids)
    by_id = dict(zip(again.ids, again.members, strict=True))
    assert "g" in by_id[first.ids[[("a" in m) for m in first.members].index(True)]]


def test_clean_start_grows_to_k_by_splitting_off_the_most_distant_point():
    names = ["a", "b", "c", "d"]
    points = np.array([[0.0, 0], [0.1, 0], [10, 0], [0, 10]])
    last = Clustering([7], [["a", "b", "c", "d"]], np.array([[2.5, 2.5]]))
    grown = kmeans(names, points, 3, last=last)
    assert len(grown.ids) == 3 and 7 in grown.ids
    assert sorted(len(m) for m in grown.members) == [1, 1, 2]


def test_participants_once_in_the_conversation_stay_in():
    conversation = Conversation()
    # Three statements: three votes are enough (min(7, n_statements)).
    conversation.update(
        [
            (
                "early",
                f"s{s}",
                1,
            )
            for s in range(3)
        ]
        + [(f"u{p}", "s0", -1) for p in range(3)]
    )
    assert "early" in conversation.in_conversation
    # Ten statements later, "early" still has 3 votes (< 7) and stays in; a new 3-vote voter does not get in
    # once 15 people qualify.
    later = [(f"v{p}", f"s{s}", 1 if p % 2 else -1) for p in range(16) for s in range(10)]
    conversation.update(later + [("late", f"s{s}", 1) for s in range(3)])
    assert "early" in conversation.in_conversation
    assert "late" not in conversation.in_conversation


def test_the_number_of_groups_changes_only_after_four_updates_in_a_row(monkeypatch):
    """Polis's group-k-smoother: a new best k must win group-k-buffer (4) updates in a row."""
    best = iter([2, 2, 3, 3, 3, 3, 3, 2])
    current = {"k": 2}

    def scripted(points, names, clustering):
        return 1.0 if len(clustering.ids) == current["k"] else 0.0

    monkeypatch.setattr(history, "silhouette", scripted)
    conversation = Conversation()
    log = two_camps(participants=60, statements=8)
    chosen = []
    for update in range(8):
        current["k"] = next(best)
        conversation.update([row[:3] for row in log[update * 50 : (update + 1) * 50]] or [row[:3] for row in log[:5]])
        chosen.append(conversation.smoother.get("smoothed"))
    assert chosen[:5] == [2, 2, 2, 2, 2]  # 3 is best from the 3rd update; after 3 wins it is not yet taken
    assert chosen[5] == 3  # the 4th update in a row where 3 is best
    assert chosen[7] == 3  # one update preferring 2 does not switch back


def test_replay_bounds_the_number_of_updates_and_recovers_two_camps():
    log = two_camps(participants=40, statements=10)
    conversation = replay(log, window_seconds=1, max_updates=25)
    assert 1 < conversation.updates <= 26
    groups = conversation.group_of()
    assert set(groups) == conversation.in_conversation
    camps = {p: int(p[1:]) % 2 for p in groups}
    same = [groups[a] == groups[b] for a in groups for b in groups if a < b]
    truth = [camps[a] == camps[b] for a in groups for b in groups if a < b]
    assert same == truth


def test_opinion_groups_with_times_replays_and_reports_it():
    log = two_camps(participants=40, statements=10)
    result = opinion_groups(log, history=True)
    assert result["params"]["history"]["updates"] > 1 and result["params"]["computation"] == "replayed"

    def camps_of(groups):  # each group is one camp, and both camps are found
        return sorted(tuple(sorted({int(member[1:]) % 2 for member in group["members"]})) for group in groups)

    assert camps_of(result["groups"]) == [(0,), (1,)]
    assert sum(len(g["members"]) for g in result["groups"]) == result["params"]["participants_in_conversation"] > 30
    fixed = opinion_groups(log, k=3, history=True)
    assert len(fixed["groups"]) == 3
    once = opinion_groups(log)  # the default: one Polis update over all the votes, in time order
    assert once["params"]["history"] is None and once["params"]["computation"] == "one update"
    assert camps_of(once["groups"]) == [(0,), (1,)]
    untimed = opinion_groups([row[:3] for row in log], history=True)  # nothing to replay
    assert untimed["params"]["history"] is None
    assert camps_of(untimed["groups"]) == [(0,), (1,)]


def test_times_may_come_in_any_order_and_a_later_vote_replaces_an_earlier_one():
    log = two_camps(participants=30, statements=8)
    changed = [("u0", "s0", -1, 10_000.0)]  # u0 first agreed with s0 (at time 0), then disagreed
    shuffled = list(reversed(log)) + changed
    result = opinion_groups(shuffled)
    projections = result["projections"]
    assert "u0" in projections
    with pytest.raises(ValueError, match="vote must be 1, -1 or 0"):
        opinion_groups([("a", "s", 2, 1.0)] * 5)


def test_large_conversations_are_replayed_in_coarser_windows(monkeypatch):
    log = two_camps(participants=80, statements=10, step=30)
    fine = replay(log, window_seconds=0.001)  # no cap but the SVD budget
    monkeypatch.setattr(history, "SVD_BUDGET", 1.0)  # as if the matrix were huge
    coarse = replay(log, window_seconds=0.001)
    assert coarse.updates <= history.MIN_UPDATES + 1 < fine.updates
    assert replay(log, window_seconds=0.001, max_updates=1000).updates == coarse.updates  # the budget still binds


def test_votes_cast_at_one_time_are_clustered_once():
    """An import or a demo with every vote at the same moment has no history to replay."""
    log = [(p, s, v, 1_700_000_000.0) for p, s, v, _ in two_camps(participants=40, statements=10)]
    result = opinion_groups(log, history=True)
    assert result["params"]["history"] is None
    assert sorted(tuple(sorted({int(m[1:]) % 2 for m in g["members"]})) for g in result["groups"]) == [(0,), (1,)]


def test_the_kept_k_gives_way_when_an_update_has_too_few_base_clusters_for_it():
    conversation = Conversation()
    conversation.groups = {5: Clustering([0], [[999]], np.zeros((1, 2)))}  # from an earlier, larger update
    conversation.smoother = {"last_k": 5, "count": 9, "smoothed": 5}
    conversation.update([row[:3] for row in two_camps(participants=20, statements=6)])
    assert conversation.smoother["smoothed"] in conversation.silhouettes  # 20 voters: k ≤ 3 this update
    groups = conversation.group_of()
    assert set(groups) == conversation.in_conversation


def test_a_replay_reports_its_progress():
    """A long replay tells how far it has come (the analysis run shows it live), ending at all votes."""
    log = two_camps(participants=30, statements=8)
    shares = []
    replay(log, window_seconds=1, progress=shares.append)
    assert shares == sorted(shares) and shares[-1] == 1.0 and len(shares) > 10
    stages = []
    opinion_groups(log, history=True, progress=lambda percent, stage: stages.append((percent, stage)))
    history = [percent for percent, stage in stages if stage == "history"]
    assert history == sorted(set(history)) and history[0] >= 10 and history[-1] == 65


def test_polis_loads_the_votes_by_statement_then_participant():
    """Polis's ``conv-poll`` orders a conversation's votes by tid, pid, created: participants enter the matrix in
    that order (its first distinct points are the first clusters), and the latest of a participant's votes on a
    statement counts."""
    from ml.polis_history import fresh, polis_order

    votes = [("10", "2", 1, 5.0), ("2", "2", -1, 1.0), ("7", "1", 1, 9.0), ("2", "1", 1, 3.0), ("2", "1", -1, 8.0)]
    assert polis_order(votes) == [("2", "1", 1), ("2", "1", -1), ("7", "1", 1), ("2", "2", -1), ("10", "2", 1)]
    assert polis_order([("b", "x", 1), ("a", "x", 0), ("a", "x", 1)]) == [("a", "x", 0), ("a", "x", 1), ("b", "x", 1)]
    conversation = fresh(votes)
    assert conversation.participants == ["2", "7", "10"] and conversation.statements == ["1", "2"]
    assert conversation.values[0].tolist() == [-1.0, -1.0]  # participant 2: the later vote on statement 1
    assert [row[1] for row in polis_order([("1", "c10", 1), ("1", "c2", 1), ("1", "c1", 1)])] == ["c1", "c2", "c10"]


def test_a_restarted_worker_forgets_the_group_clusterings_and_the_k_smoother_but_keeps_the_rest(monkeypatch):
    """Polis's math_main keeps the PCA, base clusters and who is in, not the group clusterings per k nor the
    k-smoother: after a restart the next update clusters the groups afresh and takes its best k at once."""
    conversation = Conversation()
    log = two_camps(participants=60, statements=8)
    conversation.update([row[:3] for row in log[:200]])
    conversation.smoother = {"last_k": 3, "count": 2, "smoothed": 3}  # k = 3 kept from an earlier update
    base, members = list(conversation.base.ids), set(conversation.in_conversation)
    conversation.restart()
    assert conversation.groups == {} and conversation.smoother == {} and conversation.restarts == 1
    assert conversation.base.ids == base and conversation.in_conversation == members
    conversation.update([row[:3] for row in log[200:]])
    assert conversation.smoother["smoothed"] == conversation.smoother["last_k"]  # this update's best k, at once


def test_a_quiet_spell_between_votes_holds_a_restart():
    day = 86_400.0
    log = two_camps(participants=30, statements=8, step=60.0)
    late = [(p, s, v, t + 3 * day) for p, s, v, t in two_camps(participants=10, statements=8, seed=1, step=60.0)]
    restarted = replay(log + [(f"late{p}", s, v, t) for p, s, v, t in late], window_seconds=5)
    assert restarted.restarts == 1  # the three quiet days; the minutes between votes are not restarts
    never = replay(log + [(f"late{p}", s, v, t) for p, s, v, t in late], window_seconds=5, restart_gap_seconds=None)
    assert never.restarts == 0
    # a daily restart falls in a quiet spell of 12 hours or more more likely than not
    assert history.RESTART_GAP_SECONDS == 12 * 3600


def test_of_equally_good_k_polis_keeps_the_higher(monkeypatch):
    """Polis's max-key over the silhouettes returns the last of equal scores, in ascending k: the higher k."""
    monkeypatch.setattr(history, "silhouette", lambda points, names, clustering: 0.5)
    conversation = Conversation()
    conversation.update([row[:3] for row in two_camps(participants=60, statements=8)])
    assert conversation.smoother["last_k"] == max(conversation.silhouettes)


def test_a_replay_by_date_counts_in_the_older_math_until_polis_changed_it():
    """Polis's older math counted the zeroed mod-out columns as votes for who is in; today's does not. A live
    conversation that ran on both sides of the change kept whom the older math let in, and let in by today's count
    after it (football-concussions, 2015–2019)."""
    from ml.compare_polis import Conversation, rules_for_export
    from ml.opinion_groups import BY_DATE, CURRENT, LEGACY, LEGACY_UNTIL

    day = 86_400.0
    log = two_camps(participants=40, statements=10, start=LEGACY_UNTIL - 30 * day)
    meta = [f"m{j}" for j in range(4)]
    log += [(f"u{p}", m, 1, LEGACY_UNTIL - 29 * day + p) for p in range(40) for m in meta]
    log += [("early", f"s{s}", 1, LEGACY_UNTIL - 10 * day + s) for s in range(3)]  # 3 votes + 4 zeroed = 7
    log += [("late", f"s{s}", 1, LEGACY_UNTIL + 10 * day + s) for s in range(3)]
    log += [(f"u{p}", "s0", 1, LEGACY_UNTIL + 11 * day + p) for p in range(0, 40, 2)]

    def in_set(rules):
        return replay(log, excluded=meta, rules=rules).in_conversation

    by_date = replay(log, excluded=meta, rules=BY_DATE)
    assert "early" in by_date.in_conversation and "late" not in by_date.in_conversation
    assert by_date.rules == CURRENT and by_date.restarts >= 1  # the deploy restarted the worker
    assert {"early", "late"} <= in_set(LEGACY) and not {"early", "late"} & in_set(CURRENT)
    result = opinion_groups(log, history=True, rules=BY_DATE, excluded_statements=meta)
    grouped = {m for g in result["groups"] for m in g["members"]}
    assert "early" in grouped and "late" not in grouped and result["params"]["rules"] == BY_DATE
    once = opinion_groups(log, rules=BY_DATE, excluded_statements=meta)  # computed after the last vote: today's math
    assert not {"early", "late"} & {m for g in once["groups"] for m in g["members"]}

    # The export shows it: whom Polis grouped is that history's count, not either math's alone.
    votes = [row[:3] for row in log]
    polis = {f"u{p}": str(p % 2) for p in range(40)} | {"early": "0"}
    export = Conversation("c", votes, polis, 42, 14)
    assert rules_for_export(export, meta, log) == BY_DATE
    assert rules_for_export(export, meta) != BY_DATE  # without the times, no history to read
    before_only = [row for row in log if row[3] < LEGACY_UNTIL]
    assert rules_for_export(Conversation("c", [r[:3] for r in before_only], polis, 41, 14), meta, before_only) == LEGACY
