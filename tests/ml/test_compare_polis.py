"""ml.compare_polis on small Polis-format exports written here (no real Polis data in the repository)."""

import json

import numpy as np
import pytest

from ml.compare_polis import (
    agreement,
    closest_to_export,
    compare,
    excluded_statements,
    main,
    meta_statements,
    read_participants_votes,
    read_polis_comments,
    read_vote_log,
)


def write_export(folder, *, groups=2, per_group=20, statements=8, with_xid=False, seed=3, sparse=2):
    """A participants-votes.csv like Polis's export: group g agrees with its own statements."""
    rng = np.random.default_rng(seed)
    folder.mkdir(parents=True, exist_ok=True)
    head = (
        ["participant"] + (["xid"] if with_xid else []) + ["group-id", "n-comments", "n-votes", "n-agree", "n-disagree"]
    )
    lines = [",".join(head + [str(s) for s in range(statements)])]
    own = statements // groups
    for p in range(groups * per_group + sparse):
        sparse_voter = p >= groups * per_group
        g = p // per_group if not sparse_voter else 0
        cells = []
        for s in range(statements):
            if sparse_voter and s > 0 or rng.random() < 0.15:
                cells.append("")
                continue
            vote = 1 if s // own == g else -1
            cells.append(str(-vote if rng.random() < 0.05 else vote))
        votes = [c for c in cells if c]
        meta = [str(p)] + ([""] if with_xid else [])
        group_id = "" if sparse_voter else str(g)
        meta += [group_id, "0", str(len(votes)), str(votes.count("1")), str(votes.count("-1"))]
        lines.append(",".join(meta + cells))
    (folder / "participants-votes.csv").write_text("\n".join(lines) + "\n", encoding="utf-8")
    return folder


def test_reads_votes_and_polis_groups(tmp_path):
    folder = write_export(tmp_path / "conv", with_xid=True)
    conversation = read_participants_votes(folder / "participants-votes.csv")
    assert conversation.name == "conv"
    assert conversation.participants == 42 and conversation.statements == 8
    assert len(conversation.polis_groups) == 40  # the two sparse voters were not clustered by "Polis"
    assert all(vote in (1, -1, 0) for _, _, vote in conversation.votes)
    assert {s for _, s, _ in conversation.votes} <= {str(s) for s in range(8)}


def test_agreement_matches_groups_whatever_their_ids():
    theirs = {"a": "0", "b": "0", "c": "1", "d": "1"}
    assert agreement({"a": 7, "b": 7, "c": 3, "d": 3}, theirs) == {"coverage": 1.0, "ari": 1.0, "matched": 1.0}
    # A participant we did not group counts as a mismatch in the matched share, not in the ARI.
    partial = agreement({"a": 1, "b": 1, "c": 2}, theirs)
    assert partial["coverage"] == 0.75 and partial["matched"] == 0.75 and partial["ari"] == pytest.approx(1.0)
    # One of our groups can be matched to only one of theirs.
    assert agreement({"a": 0, "b": 0, "c": 0, "d": 0}, theirs)["matched"] == 0.5


def test_compare_recovers_planted_polis_groups(tmp_path):
    folder = write_export(tmp_path / "planted", groups=3, per_group=20, statements=9)
    result = compare(folder, in_process=True)
    assert result["polis_k"] == 3 and result["our_k"] == 3
    assert result["auto"]["ari"] > 0.9
    # Participants below Polis's vote threshold (7) are not grouped by us and count as mismatches.
    assert result["auto"]["coverage"] > 0.8
    assert result["auto"]["matched"] == pytest.approx(result["auto"]["coverage"], abs=0.02)
    assert result["fixed"]["ari"] > 0.9


def test_command_line_through_manage_py(tmp_path, capsys):
    folder = write_export(tmp_path / "conv")
    work = tmp_path / "work"
    assert main([str(folder), "--work", str(work)]) == 0
    table = capsys.readouterr().out
    assert "| conv (k-means once) | 42 | 8 (0) |" in table and "same k in 1/1" in table
    header = (work / "conv.votes.csv").read_text(encoding="utf-8").splitlines()[0]
    assert header == "participant,statement,vote"
    assert (work / "conv.auto.once.json").is_file()


def test_the_command_line_runs_both_computations_of_an_export_with_its_vote_log(tmp_path, capsys):
    """Through manage.py as well: london.youth.policing's export is replayed and grouped in one update, and one
    update is kept (it grouped Polis's 24 exactly, the replay 25)."""
    work = tmp_path / "work"
    assert main([str(REAL / "london.youth.policing"), "--work", str(work)]) == 0
    assert "| london.youth.policing (one update) |" in capsys.readouterr().out
    assert {path.name for path in work.glob("*.json")} == {
        f"london.youth.policing.{k}.{how}.json" for k, how in (("auto", "replayed"), ("auto", "once"), (3, "once"))
    }


def test_the_math_by_date_can_be_asked_for_through_the_command_line(tmp_path, capsys):
    """``--rules by-date`` reaches manage.py; london.youth.policing ran in 2022, all of it in today's math, so its
    groups are the same as with today's rules (Polis's 24 exactly, in one update)."""
    assert main([str(REAL / "london.youth.policing"), "--rules", "by-date", "--work", str(tmp_path)]) == 0
    row = next(line for line in capsys.readouterr().out.splitlines() if line.startswith("| london"))
    assert row.startswith("| london.youth.policing (one update, math by date) |") and "| 1.000 |" in row
    chosen = json.loads((tmp_path / "london.youth.policing.auto.once.json").read_text(encoding="utf-8"))
    assert chosen["params"]["rules"] == "by-date"


PV = "participants-votes.csv"


@pytest.mark.parametrize(
    "name, content, message",
    [
        (PV, "participant,n-votes,0\n1,1,1\n", "no column 'group-id'"),
        (PV, "participant,group-id,n-comments,n-votes,n-agree,n-disagree,0,1\n1,0,0,1,1,0,1\n", "fields"),
        (PV, "participant,group-id,n-comments,n-votes,n-agree,n-disagree,0\n1,0,0,1,1,0,2\n", "not 1, -1 or 0"),
        (PV, "", "empty"),
        ("votes.csv", "timestamp,comment-id,vote\n1,0,1\n", "no column 'voter-id'"),
        ("votes.csv", "timestamp,comment-id,voter-id,vote\nsoon,0,1,1\n", "line 2: timestamp 'soon' is not a number"),
        ("votes.csv", "timestamp,comment-id,voter-id,vote\n1000,0,1,0.5\n", "line 2: vote '0.5'"),
        ("votes.csv", "timestamp,comment-id,voter-id,vote\n1000,0,1,5\n", "line 2: vote '5'"),
        ("comments.csv", "comment-id,author-id,comment-body\n1,0,x\n", "no column 'moderated'"),
        ("comments.csv", "comment-id,moderated\n1,maybe\n", "line 2: moderated 'maybe'"),
    ],
)
def test_bad_exports_are_refused(tmp_path, name, content, message):
    reader = {PV: read_participants_votes, "votes.csv": read_vote_log, "comments.csv": read_polis_comments}[name]
    folder = tmp_path / "bad"
    folder.mkdir()
    (folder / name).write_text(content, encoding="utf-8")
    with pytest.raises(ValueError, match=message):
        reader(folder / name)


def test_missing_folder_is_a_usage_error(tmp_path):
    with pytest.raises(SystemExit):
        main([str(tmp_path / "nowhere")])


REAL = __import__("pathlib").Path(__file__).parent / "fixtures" / "polis"


def test_real_polis_conversations_against_polis_groups():
    """Five real openData conversations (see fixtures/polis/README.md): a record of where we stand.

    Each export is replayed as Polis's successive updates while its votes came, with its worker's restarts in the
    quiet spells, unless one update over all the votes (in the order Polis loads them) grouped exactly whom Polis
    grouped and the replay did not; moderated-out and meta statements are left out as Polis does, and the exports
    whose grouped participants are the older count's are computed with Polis's older math (missing votes as 0 in
    the PCA, zeroed columns counted as votes). london.youth.policing (one update) and scoop-hivemind.freshwater
    1.000 (Polis's groups exactly), brexit-consensus 0.960, scoop-hivemind.ubi 0.950 (Polis's 4 groups),
    15-per-hour-seattle 0.856 — mean 0.953 (one update for all five: 0.785).
    ml/README.md has the steps and the four validation conversations.
    """
    folders = [folder for folder in sorted(REAL.iterdir()) if folder.is_dir()]
    results = {folder.name: compare(folder, in_process=True) for folder in folders}
    assert {name: result["rules"] for name, result in results.items()} == {
        "15-per-hour-seattle": "current",  # Polis grouped the 138 participants today's rule keeps
        "brexit-consensus": "legacy",  # 197 of 204: the older count with its 5 zeroed columns, exactly
        "london.youth.policing": "current",
        "scoop-hivemind.freshwater": "legacy",  # everyone, even with one vote
        "scoop-hivemind.ubi": "legacy",
    }
    assert {name: result["computation"] for name, result in results.items()} == {
        "15-per-hour-seattle": "replayed",  # both grouped the same 138
        "brexit-consensus": "replayed",  # its 197 exactly; one update left out one early voter
        "london.youth.policing": "one update",  # its 24 exactly; the replay put in one more
        "scoop-hivemind.freshwater": "replayed",
        "scoop-hivemind.ubi": "replayed",  # with the restarts: 4 groups (without them 2, ARI 0.062)
    }
    assert results["london.youth.policing"]["grouped_apart"] == {"replayed": 1, "one update": 0}
    ubi = results.pop("scoop-hivemind.ubi")
    assert ubi["our_k"] == ubi["polis_k"] == 4 and ubi["auto"]["ari"] > 0.9
    assert all(result["our_k"] == result["polis_k"] for result in results.values())
    # "I've changed my mind about my vote since the referendum" is the owner's, but an opinion: not meta.
    assert sorted(results["brexit-consensus"]["meta"], key=int) == ["0", "1", "10", "11", "15"]
    assert results["london.youth.policing"]["auto"]["ari"] == pytest.approx(1.0)
    assert results["scoop-hivemind.freshwater"]["auto"]["ari"] == pytest.approx(1.0)
    assert results["brexit-consensus"]["auto"]["ari"] > 0.95
    assert results["15-per-hour-seattle"]["auto"]["ari"] > 0.8
    assert np.mean([result["auto"]["ari"] for result in [*results.values(), ubi]]) > 0.9
    for result in results.values():
        assert result["auto"]["coverage"] > 0.95


def test_real_polis_conversations_replayed():
    """Replayed as Polis's successive updates while the votes arrived (``--replay``): further from the exports
    (ml/README.md); london.youth.policing 0.963."""
    folder = REAL / "london.youth.policing"
    result = compare(folder, in_process=True, replay=True)
    assert result["computation"] == "replayed" and result["our_k"] == result["polis_k"] == 3
    assert result["auto"]["ari"] > 0.95


def result_grouping(*members):
    return {"groups": [{"members": list(group)} for group in members], "params": {}}


@pytest.mark.parametrize(
    "replayed, once, chosen",
    [
        ((["a", "b"], ["c", "d"]), (["a", "b"], ["c"]), "replayed"),  # the replay grouped whom Polis grouped
        ((["a", "b"], ["c", "d", "e"]), (["a", "b"], ["c", "d"]), "once"),  # only one update did
        ((["a", "b"], ["c", "d"]), (["a", "b"], ["c", "d"]), "replayed"),  # both: the live state
        ((["a", "b"], ["c"]), (["a"], ["c", "d", "e"]), "replayed"),  # neither: the live state
        ((["a"], ["c"]), (["a", "b"], ["c", "d", "e"]), "replayed"),  # one update 1 off, the replay 2: still
    ],
)
def test_an_export_is_the_replay_unless_only_one_update_grouped_whom_polis_grouped(replayed, once, chosen):
    replayed, once = result_grouping(*replayed), result_grouping(*once)
    result = closest_to_export(replayed, once, {"a", "b", "c", "d"})
    assert result is (replayed if chosen == "replayed" else once)
    assert set(result["params"]["chosen"]["grouped apart from Polis"]) == {"replayed", "one update"}


def test_one_update_does_not_depend_on_the_vote_log():
    """Polis loads the votes by statement and participant, not by time: with or without the export's vote log
    (``--no-log``) one update gives the same groups."""
    for name in ("scoop-hivemind.ubi", "london.youth.policing"):
        with_log = compare(REAL / name, in_process=True, replay=False)
        without = compare(REAL / name, in_process=True, use_log=False)
        assert with_log["log"] and not without["log"]
        assert with_log["auto"] == without["auto"] and with_log["our_k"] == without["our_k"]


def test_the_vote_log_is_read_with_polis_export_columns(tmp_path):
    path = tmp_path / "votes.csv"
    path.write_text(
        "timestamp,datetime,comment-id,voter-id,vote\n1500232652930,Mon Jul 17 02:17:32 WIB 2017,0,7,-1\n",
        encoding="utf-8",
    )
    assert read_vote_log(path) == [("7", "0", -1, 1500232652.93)]


def comment_rows(*rows, meta_column=False):
    head = "timestamp,comment-id,author-id,moderated," + ("is-meta," if meta_column else "") + "comment-body"
    return "\n".join([head, *rows]) + "\n"


def test_meta_statements_are_the_owners_self_descriptions(tmp_path):
    path = tmp_path / "comments.csv"
    path.write_text(
        comment_rows(
            '100,0,0,1,"Parking on the high street should be free."',
            "101,1,0,1,I live in a city",
            "102,2,0,1,My ethnicity is White.",
            "103,3,0,1,English is my first language.",
            "104,4,0,1,I think we should support the result.",
            "105,5,7,1,I am opposed to the new road.",
            "106,6,0,-1,I am between 25 and 29 years old.",
            "107,7,0,1,私は市内に住んでいます",
            "108,8,0,1,私はこの計画に反対すべきだと思います",
            "109,9,0,1,I imagine new businesses opening will run counter operations",
            "110,10,0,1,I am against the new road",
            "111,11,0,1,I've changed my mind about the road since the vote.",
            "112,12,0,1,I've lived here for over ten years.",
        ),
        encoding="utf-8",
    )
    comments = read_polis_comments(path)
    # The owner (author of the first statement) describing the voter; not an opinion, not a participant's.
    assert meta_statements(comments) == ["1", "2", "3", "6", "7", "12"]
    assert excluded_statements(comments) == ["1", "2", "3", "6", "7", "12"]


def test_an_is_meta_column_is_used_as_given(tmp_path):
    path = tmp_path / "comments.csv"
    path.write_text(
        comment_rows(
            "1,0,0,1,false,I live in a city", "2,1,0,1,true,Parking should be free", "3,2,0,-1,,Spam", meta_column=True
        ),
        encoding="utf-8",
    )
    comments = read_polis_comments(path)
    assert meta_statements(comments) == ["1"]
    assert excluded_statements(comments) == ["1", "2"]


def test_compare_leaves_out_what_comments_csv_moderated_out_or_marked_meta(tmp_path):
    """A demographic question that splits the room across the opinion groups must not decide them."""
    folder = write_export(tmp_path / "conv", groups=2, per_group=20, statements=8, sparse=0)
    rows = (folder / "participants-votes.csv").read_text(encoding="utf-8").splitlines()
    rng = np.random.default_rng(0)
    lines = [rows[0] + ",90,91,92"]
    for row in rows[1:]:
        # "I live in a city" / "in a town" / "rural": half the room in each opinion group says yes to each.
        place = rng.integers(0, 2)
        lines.append(row + "," + ",".join(["1" if place else "-1", "-1" if place else "1", "-1"]))
    (folder / "participants-votes.csv").write_text("\n".join(lines) + "\n", encoding="utf-8")
    body = ["1,0,0,1,Statement zero"] + [f"{2 + s},{s},5,1,Statement {s}" for s in range(1, 8)]
    body += ["20,90,0,1,I live in a city", "21,91,0,1,I live in a town", "22,92,0,-1,Spam link"]
    (folder / "comments.csv").write_text(comment_rows(*body), encoding="utf-8")
    result = compare(folder, in_process=True)
    assert result["statements_left_out"] == 3
    assert result["meta"] == ["90", "91"]
    assert result["auto"]["ari"] > 0.9
    through_manage = compare(folder)
    assert through_manage["auto"]["ari"] == pytest.approx(result["auto"]["ari"])


def test_an_export_that_grouped_low_vote_participants_is_reproduced_with_the_legacy_math(tmp_path):
    """Today's Polis leaves participants with fewer than 7 votes out of the groups; its older math counted the
    zeroed mod-out columns as votes and grouped everyone. Only who was grouped is read, not into which group."""
    from ml.compare_polis import rules_for_export

    folder = write_export(tmp_path / "today", statements=12)  # the two sparse voters (one vote each): no group
    today = read_participants_votes(folder / "participants-votes.csv")
    assert rules_for_export(today) == "current"
    sticky = today.__class__(**{**today.__dict__, "polis_groups": {**today.polis_groups, "40": "0"}})
    assert rules_for_export(sticky) == "current"  # one below the threshold: once in, a participant stays in
    older = today.__class__(**{**today.__dict__, "polis_groups": {**today.polis_groups, "40": "0", "41": "1"}})
    assert rules_for_export(older) == "legacy"  # everyone grouped, one-vote participants too
    assert compare(folder, in_process=True)["rules"] == "current"
    assert compare(folder, in_process=True, rules="legacy")["rules"] == "legacy"


def test_the_older_count_is_recognised_by_who_was_grouped_when_the_left_out_statements_are_known():
    """brexit-consensus's shape: not everyone grouped, yet exactly whom the older math counted in — with 5 zeroed
    columns a participant with 2 votes is in (2 + 5 = 7) and one with 1 vote is out."""
    from ml.compare_polis import Conversation, rules_for_export

    votes = [(f"p{p}", str(s), 1 if (p + s) % 2 else -1) for p in range(20) for s in range(12)]
    votes += [("one", "6", 1), ("two", "6", 1), ("two", "7", -1)]
    regulars = {f"p{p}": str(p % 2) for p in range(20)}
    left_out = ["0", "1", "2", "3", "4"]
    older = Conversation("c", votes, {**regulars, "two": "0"}, 22, 12)
    assert rules_for_export(older, left_out) == "legacy"
    assert rules_for_export(older) == "current"  # left-out statements unknown: "two" may be an early, sticky voter
    assert rules_for_export(Conversation("c", votes, regulars, 22, 12), left_out) == "current"  # today's count
