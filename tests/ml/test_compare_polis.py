"""ml.compare_polis on small Polis-format exports written here (no real Polis data in the repository)."""

import numpy as np
import pytest

from ml.compare_polis import agreement, compare, main, read_participants_votes


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
    assert "| conv | 42 | 8 |" in table and "same k in 1/1" in table
    header = (work / "conv.votes.csv").read_text(encoding="utf-8").splitlines()[0]
    assert header == "participant,statement,vote"
    assert (work / "conv.auto.json").is_file()


@pytest.mark.parametrize(
    "content, message",
    [
        ("participant,n-votes,0\n1,1,1\n", "no column 'group-id'"),
        ("participant,group-id,n-comments,n-votes,n-agree,n-disagree,0,1\n1,0,0,1,1,0,1\n", "fields"),
        ("participant,group-id,n-comments,n-votes,n-agree,n-disagree,0\n1,0,0,1,1,0,2\n", "not 1, -1 or 0"),
        ("", "empty"),
    ],
)
def test_bad_exports_are_refused(tmp_path, content, message):
    folder = tmp_path / "bad"
    folder.mkdir()
    (folder / "participants-votes.csv").write_text(content, encoding="utf-8")
    with pytest.raises(ValueError, match=message):
        read_participants_votes(folder / "participants-votes.csv")


def test_missing_folder_is_a_usage_error(tmp_path):
    with pytest.raises(SystemExit):
        main([str(tmp_path / "nowhere")])


REAL = __import__("pathlib").Path(__file__).parent / "fixtures" / "polis"


def test_real_polis_conversations_against_polis_groups():
    """Three real openData conversations (see fixtures/polis/README.md): a record of where we stand.

    brexit-consensus is reproduced (Polis's k = 2, ARI 0.876); london.youth.policing (24 clustered
    participants, k within silhouette noise) and scoop-hivemind.freshwater (Polis grouped 1-vote
    participants and kept its history) are not — see ml/README.md.
    """
    results = {folder.name: compare(folder, in_process=True) for folder in sorted(REAL.iterdir()) if folder.is_dir()}
    assert set(results) == {"brexit-consensus", "london.youth.policing", "scoop-hivemind.freshwater"}
    brexit = results["brexit-consensus"]
    assert brexit["polis_k"] == brexit["our_k"] == 2
    assert brexit["auto"]["ari"] > 0.85 and brexit["auto"]["matched"] > 0.9
    assert results["scoop-hivemind.freshwater"]["our_k"] == 2
    for result in results.values():
        assert 0.8 < result["auto"]["coverage"] <= 1.0
