import json
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

FIXTURES = Path(__file__).parent / "fixtures"

pytestmark = pytest.mark.django_db


def test_cluster_file_writes_the_contract(tmp_path):
    out = tmp_path / "out.json"
    call_command(
        "cluster_file",
        str(FIXTURES / "opinions_en.csv"),
        "--text-column",
        "text",
        "--id-column",
        "id",
        "--backend",
        "tfidf",
        "--themes",
        "5",
        "--out",
        str(out),
    )
    data = json.loads(out.read_text(encoding="utf-8"))
    assert set(data) == {"themes", "noise", "sentiment", "params", "timings"}
    assert 1 <= len(data["themes"]) <= 5
    theme = data["themes"][0]
    assert set(theme) >= {"id", "label", "keywords", "size", "members", "representatives"}
    members = [m for t in data["themes"] for m in t["members"]] + data["noise"]
    assert sorted(members) == sorted(
        line.split(",")[0] for line in (FIXTURES / "opinions_en.csv").read_text().splitlines()[1:]
    )
    assert set(theme["representatives"]) <= set(theme["members"])
    assert data["params"]["texts"] == 140
    assert theme["title"] and {q["text"] for q in theme["quotes"]} == set(theme["representatives"])
    assert set(theme["sentiment"]) == {"positive", "negative", "neutral"}
    assert data["sentiment"]["method"] == "lexicon" and len(data["sentiment"]["texts"]) == 140


def test_cluster_file_splits_letters_into_opinion_units(tmp_path):
    source = tmp_path / "letters.csv"
    rows = ["id,text"] + [
        f"{i},北町に住んでいる会社員です。1. {a}。2. {b}。以上、よろしくお願いいたします。"
        for i, (a, b) in enumerate(
            [
                ("公園の遊具が古い", "バスの本数が少ない"),
                ("公園のトイレが汚い", "バスの運賃が高い"),
                ("公園の芝生が荒れている", "バスの時刻表が見にくい"),
            ]
            * 2
        )
    ]
    source.write_text("\n".join(rows) + "\n", encoding="utf-8")
    out = tmp_path / "out.json"
    call_command(
        "cluster_file",
        str(source),
        "--text-column",
        "text",
        "--id-column",
        "id",
        "--backend",
        "tfidf",
        "--themes",
        "2",
        "--stop-terms",
        "北町",
        "--out",
        str(out),
    )
    data = json.loads(out.read_text(encoding="utf-8"))
    assert data["params"]["units"] == 12  # two enumerated opinion units per letter, formulas left out
    quotes = [q["quote"] for t in data["themes"] for q in t["quotes"]]
    assert quotes and not any("よろしく" in q or "会社員" in q for q in quotes)
    assert not any("北町" in k for t in data["themes"] for k in t["keywords"])
    # every letter touches both themes: main theme in members, the other in "also"
    for theme in data["themes"]:
        assert set(theme["members"]) | set(theme["also"]) == {str(i) for i in range(6)}


def test_cluster_file_row_numbers_without_id_column(tmp_path):
    source = tmp_path / "in.csv"
    source.write_text("opinion\n公園の遊具\n公園のベンチ\nバスの本数\nバス停の屋根\n\n図書館\n", encoding="utf-8")
    out = tmp_path / "out.json"
    call_command("cluster_file", str(source), "--text-column", "opinion", "--backend", "tfidf", "--out", str(out))
    data = json.loads(out.read_text(encoding="utf-8"))
    members = sorted(m for t in data["themes"] for m in t["members"]) + data["noise"]
    assert sorted(members) == [0, 1, 2, 3, 4]
    assert data["params"]["lang"] == "ja"


def test_cluster_file_reads_a_title_column_with_the_text(tmp_path):
    source = tmp_path / "in.csv"
    rows = ["公園,遊具が古い", "公園,ベンチがほしい", "バス,本数が少ない", "バス,", ",屋根がほしい", ","]
    source.write_text("subject,opinion\n" + "\n".join(rows) + "\n", encoding="utf-8")
    out = tmp_path / "out.json"
    call_command(
        "cluster_file", str(source), "--text-column", "opinion", "--title-column", "subject",
        "--backend", "tfidf", "--themes", "2", "--out", str(out),
    )  # fmt: skip
    data = json.loads(out.read_text(encoding="utf-8"))
    members = sorted(m for t in data["themes"] for m in t["members"]) + data["noise"]
    assert sorted(members) == [0, 1, 2, 3, 4]  # a row with only a subject counts; an empty one does not
    quotes = {q["text"]: q["quote"] for t in data["themes"] for q in t["quotes"]}
    assert quotes[0] == "公園 遊具が古い" and quotes[3] == "バス"  # the subject is read as the opinion's first line
    with pytest.raises(CommandError, match="no column 'title'"):
        call_command(
            "cluster_file", str(source), "--text-column", "opinion", "--title-column", "title",
            "--out", str(tmp_path / "o.json"),
        )  # fmt: skip


@pytest.mark.parametrize(
    "content, message",
    [
        (b"", "empty"),
        (b"id,body\n1,x\n", "no column 'text'"),
        (b"id,text\n", "no rows"),
        (b"id,text\n1,only one\n", "at least 2"),
        ("id,text\n1,公園\n2,バス\n".encode("shift_jis"), "not UTF-8"),
    ],
)
def test_cluster_file_bad_input(tmp_path, content, message):
    source = tmp_path / "in.csv"
    source.write_bytes(content)
    out = tmp_path / "out.json"
    with pytest.raises(CommandError, match=message):
        call_command("cluster_file", str(source), "--text-column", "text", "--out", str(out))
    assert not out.exists()


def test_cluster_file_missing_file_and_bad_k(tmp_path):
    with pytest.raises(CommandError, match="no such file"):
        call_command(
            "cluster_file", str(tmp_path / "nope.csv"), "--text-column", "text", "--out", str(tmp_path / "o.json")
        )
    with pytest.raises(CommandError, match="--themes"):
        call_command(
            "cluster_file",
            str(FIXTURES / "opinions_en.csv"),
            "--text-column",
            "text",
            "--themes",
            "0",
            "--out",
            str(tmp_path / "o.json"),
        )


def test_cluster_file_exits_non_zero_without_traceback(tmp_path):
    import subprocess
    import sys

    source = tmp_path / "in.csv"
    source.write_text("a,b\n1,2\n", encoding="utf-8")
    done = subprocess.run(
        [
            sys.executable,
            "manage.py",
            "cluster_file",
            str(source),
            "--text-column",
            "text",
            "--out",
            str(tmp_path / "o.json"),
        ],
        capture_output=True,
        text=True,
        cwd=Path(__file__).parents[2],
    )
    assert done.returncode != 0
    assert "no column 'text'" in done.stderr
    assert "Traceback" not in done.stderr


def write_votes(path, groups=2, per=15):
    lines = ["participant,statement,vote"]
    for p in range(groups * per):
        g = p // per
        for s in range(groups * 3):
            lines.append(f"u{p},s{s},{1 if s // 3 == g else -1}")
        lines.append(f"u{p},common,1")
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


def test_opinion_groups_file_writes_the_contract(tmp_path):
    votes = tmp_path / "votes.csv"
    write_votes(votes)
    out = tmp_path / "groups.json"
    call_command("opinion_groups_file", str(votes), "--out", str(out))
    data = json.loads(out.read_text(encoding="utf-8"))
    assert {"groups", "consensus", "divisive"} <= set(data)
    assert len(data["groups"]) == 2
    assert sorted(len(g["members"]) for g in data["groups"]) == [15, 15]
    assert all(set(g) >= {"id", "members", "representative"} for g in data["groups"])
    assert data["consensus"][0] == "common"
    assert "common" not in data["divisive"]


def test_opinion_groups_file_reads_a_polis_export(tmp_path):
    votes = tmp_path / "votes.csv"
    write_votes(votes)
    text = votes.read_text().replace("participant,statement,vote", "voter-id,comment-id,vote")
    votes.write_text(text)
    out = tmp_path / "groups.json"
    call_command("opinion_groups_file", str(votes), "--out", str(out))
    assert len(json.loads(out.read_text())["groups"]) == 2


@pytest.mark.parametrize(
    "content, message",
    [
        (b"", "empty"),
        (b"participant,statement\nu1,s1\n", "no column 'vote'"),
        (b"participant,statement,vote\n", "no rows"),
        (b"participant,statement,vote\nu1,s1,1\n", "more than one vote"),
        (b"participant,statement,vote\nu1,s1,yes\nu2,s1,1\n", "line 2: vote must be 1, -1 or 0"),
        (b"participant,statement,vote\nu1,s1,2\nu2,s1,1\n", "vote must be 1, -1 or 0"),
        (b"participant,statement,vote\nu1,s1,1\nu2,s1,-1\n", "too few participants"),
        (b"participant,statement,vote\n\xff\xfe,s,1\n", "not UTF-8"),
    ],
)
def test_opinion_groups_file_bad_input(tmp_path, content, message):
    source = tmp_path / "votes.csv"
    source.write_bytes(content)
    out = tmp_path / "out.json"
    with pytest.raises(CommandError, match=message):
        call_command("opinion_groups_file", str(source), "--out", str(out))
    assert not out.exists()


def test_opinion_groups_file_leaves_out_excluded_statements(tmp_path):
    votes = tmp_path / "votes.csv"
    write_votes(votes)
    out = tmp_path / "groups.json"
    call_command("opinion_groups_file", str(votes), "--out", str(out), "--exclude", "common, not-a-statement")
    data = json.loads(out.read_text(encoding="utf-8"))
    assert data["excluded_statements"] == ["common"]
    assert "common" not in data["consensus"] and "common" not in data["divisive"]
    assert all("common" not in g["representative"] for g in data["groups"])
    assert data["params"]["statements_excluded"] == 1


def test_opinion_groups_file_reads_mod_out_from_a_polis_comments_csv(tmp_path):
    votes = tmp_path / "votes.csv"
    write_votes(votes)
    comments = tmp_path / "comments.csv"
    comments.write_text("timestamp,comment-id,author-id,moderated,comment-body\n1,common,0,-1,Spam\n", encoding="utf-8")
    out = tmp_path / "groups.json"
    call_command("opinion_groups_file", str(votes), "--out", str(out), "--comments", str(comments))
    assert json.loads(out.read_text(encoding="utf-8"))["excluded_statements"] == ["common"]


@pytest.mark.parametrize(
    "content, message",
    [
        (None, "no such file"),
        (b"comment-id,body\n1,x\n", "no column 'moderated'"),
        (b"comment-id,moderated\n\xff,1\n", "utf-8"),
    ],
)
def test_opinion_groups_file_bad_comments_csv(tmp_path, content, message):
    votes = tmp_path / "votes.csv"
    write_votes(votes)
    comments = tmp_path / "comments.csv"
    if content is not None:
        comments.write_bytes(content)
    out = tmp_path / "groups.json"
    with pytest.raises(CommandError, match=message):
        call_command("opinion_groups_file", str(votes), "--out", str(out), "--comments", str(comments))
    assert not out.exists()


@pytest.mark.parametrize(
    "column, times",
    [
        ("timestamp", [1_700_000_000_000 + 5000 * i for i in range(60)]),  # Polis: milliseconds
        ("created_at", [f"2026-12-01T10:{i // 60:02d}:{i % 60:02d}+09:00" for i in range(60)]),
        ("time", [1_700_000_000 + 5 * i for i in range(60)]),
    ],
)
def test_opinion_groups_file_replays_votes_with_a_time_column(tmp_path, column, times):
    votes = tmp_path / "votes.csv"
    lines = [f"participant,statement,vote,{column}"]
    for i in range(60):
        participant, statement = f"u{i // 2}", f"s{i % 2}"
        lines.append(f"{participant},{statement},{1 if (i // 2) % 2 == i % 2 else -1},{times[i]}")
    for p in range(30):
        lines += [f"u{p},t{s},{1 if p % 2 == s % 2 else -1},{times[-1]}" for s in range(8)]
    votes.write_text("\n".join(lines) + "\n", encoding="utf-8")
    out = tmp_path / "groups.json"
    call_command("opinion_groups_file", str(votes), "--out", str(out), "--replay")
    data = json.loads(out.read_text(encoding="utf-8"))
    assert data["params"]["history"]["updates"] >= 1
    assert len(data["groups"]) == 2
    call_command("opinion_groups_file", str(votes), "--out", str(out))  # one update over all of them
    data = json.loads(out.read_text(encoding="utf-8"))
    assert data["params"]["computation"] == "k-means once" and data["params"]["history"] is None
    assert len(data["groups"]) == 2
    call_command("opinion_groups_file", str(votes), "--out", str(out), "--start", "polis")  # Polis's own start
    data = json.loads(out.read_text(encoding="utf-8"))
    assert data["params"]["computation"] == "one update" and len(data["groups"]) == 2


@pytest.mark.parametrize(
    "time, message",
    [
        ("", "line 3: no time"),
        ("tomorrow", "line 3: time 'tomorrow' is neither"),
        ("-5", "line 3: time '-5' is not a time"),
    ],
)
def test_opinion_groups_file_bad_times(tmp_path, time, message):
    votes = tmp_path / "votes.csv"
    votes.write_text(f"participant,statement,vote,timestamp\nu1,s1,1,100\nu2,s1,-1,{time}\n", encoding="utf-8")
    out = tmp_path / "out.json"
    with pytest.raises(CommandError, match=message):
        call_command("opinion_groups_file", str(votes), "--out", str(out))
    assert not out.exists()


def polis_votes_csv(folder, with_comments):
    """A Polis-export-like votes.csv: a demographic statement 'd' everyone answered first, then two camps."""
    folder.mkdir(parents=True, exist_ok=True)
    lines = ["timestamp,datetime,comment-id,voter-id,vote"]
    for p in range(30):
        lines.append(f"{1_700_000_000_000 + p * 1000},x,d,{p},{1 if p % 3 else -1}")
        for s in range(8):
            lines.append(f"{1_700_000_100_000 + p * 60_000 + s * 1000},x,{s},{p},{1 if (s % 2) == (p % 2) else -1}")
    (folder / "votes.csv").write_text("\n".join(lines) + "\n", encoding="utf-8")
    if with_comments:
        (folder / "comments.csv").write_text(
            "timestamp,comment-id,author-id,moderated,comment-body\n1,d,0,1,I live in a city\n"
            + "".join(f"{2 + s},{s},0,1,Statement {s}\n" for s in range(8)),
            encoding="utf-8",
        )
    return folder / "votes.csv"


def test_a_polis_export_is_read_with_the_comments_csv_beside_it(tmp_path, capsys):
    """A Polis vote log is Polis's worker's history: replayed, each update in the math of its day (2023 here:
    today's), with the statements its comments.csv leaves out; ``--once`` groups it in one update."""
    votes = polis_votes_csv(tmp_path / "conv", with_comments=True)
    out = tmp_path / "groups.json"
    call_command("opinion_groups_file", str(votes), "--out", str(out))
    data = json.loads(out.read_text(encoding="utf-8"))
    assert data["excluded_statements"] == ["d"]
    assert data["params"]["computation"] == "replayed" and data["params"]["rules"] == "by-date"
    assert data["params"]["history"]["updates"] >= 3
    assert sorted(len(g["members"]) for g in data["groups"]) == [15, 15]
    printed = capsys.readouterr().out
    assert "replayed as Polis's successive updates" in printed and "in the math of its day" in printed
    call_command("opinion_groups_file", str(votes), "--out", str(out), "--once")
    data = json.loads(out.read_text(encoding="utf-8"))
    assert data["params"]["computation"] == "one update" and data["params"]["history"] is None
    call_command("opinion_groups_file", str(votes), "--out", str(out), "--rules", "current")
    assert json.loads(out.read_text(encoding="utf-8"))["params"]["rules"] == "current"


def test_a_polis_export_without_its_comments_is_grouped_once_from_k_means_best_start(tmp_path, capsys):
    """Without its comments.csv nothing says which statements Polis left out: one update, k-means at its best of
    several starts (Polis's own start measured fragile on such votes); ``--replay`` still replays."""
    votes = polis_votes_csv(tmp_path / "alone", with_comments=False)
    out = tmp_path / "groups.json"
    call_command("opinion_groups_file", str(votes), "--out", str(out))
    data = json.loads(out.read_text(encoding="utf-8"))
    assert data["params"]["computation"] == "k-means once" and data["excluded_statements"] == []
    assert "nothing says which statements to leave out" in capsys.readouterr().out
    call_command("opinion_groups_file", str(votes), "--out", str(out), "--replay")
    assert json.loads(out.read_text(encoding="utf-8"))["params"]["history"]["updates"] >= 3
    call_command("opinion_groups_file", str(votes), "--out", str(out), "--exclude", "d")
    data = json.loads(out.read_text(encoding="utf-8"))
    assert data["params"]["computation"] == "replayed" and data["excluded_statements"] == ["d"]


def test_a_vote_log_that_is_not_a_polis_export_is_grouped_once(tmp_path):
    """The contract's columns with a time column: one update over all the votes unless ``--replay`` is asked."""
    polis = polis_votes_csv(tmp_path / "conv", with_comments=False).read_text(encoding="utf-8").splitlines()
    plain = tmp_path / "plain.csv"
    rows = [line.split(",") for line in polis[1:]]
    plain.write_text(
        "participant,statement,vote,timestamp\n" + "".join(f"{p},{s},{v},{t}\n" for t, _, s, p, v in rows),
        encoding="utf-8",
    )
    out = tmp_path / "groups.json"
    call_command("opinion_groups_file", str(plain), "--out", str(out))
    data = json.loads(out.read_text(encoding="utf-8"))
    assert data["params"]["computation"] == "k-means once" and data["params"]["rules"] == "current"


def participants_votes_csv(folder, votes_csv=None, rows=None):
    """A Polis participants-votes.csv: the latest vote of each participant on each statement of votes_csv."""
    latest = {}
    for line in votes_csv.read_text(encoding="utf-8").splitlines()[1:] if votes_csv else []:
        _, _, statement, participant, vote = line.split(",")
        latest.setdefault(participant, {})[statement] = vote
    statements = sorted({s for votes in latest.values() for s in votes})
    lines = ["participant,group-id,n-comments,n-votes,n-agree,n-disagree," + ",".join(statements)]
    for participant, votes in latest.items():
        cells = [votes.get(s, "") for s in statements]
        lines.append(f"{participant},,0,{len(votes)},0,0," + ",".join(cells))
    (folder / "participants-votes.csv").write_text("\n".join(rows or lines) + "\n", encoding="utf-8")
    return folder / "participants-votes.csv"


def test_a_polis_participants_votes_csv_is_read_with_the_vote_log_beside_it(tmp_path, capsys):
    folder = tmp_path / "conv"
    matrix = participants_votes_csv(folder, polis_votes_csv(folder, with_comments=True))
    out = tmp_path / "groups.json"
    call_command("opinion_groups_file", str(matrix), "--out", str(out), "--replay")
    data = json.loads(out.read_text(encoding="utf-8"))
    assert data["excluded_statements"] == ["d"]
    assert data["params"]["history"]["updates"] >= 3
    assert sorted(len(g["members"]) for g in data["groups"]) == [15, 15]
    assert "votes read with their times" in capsys.readouterr().out


def test_a_polis_participants_votes_csv_alone_is_clustered_once(tmp_path):
    folder = tmp_path / "conv"
    matrix = participants_votes_csv(folder, polis_votes_csv(folder, with_comments=False))
    (folder / "votes.csv").unlink()
    out = tmp_path / "groups.json"
    call_command("opinion_groups_file", str(matrix), "--out", str(out))
    data = json.loads(out.read_text(encoding="utf-8"))
    assert data["params"]["history"] is None and len(data["groups"]) == 2


def test_a_vote_log_that_does_not_end_in_the_matrix_is_not_replayed(tmp_path, capsys):
    folder = tmp_path / "conv"
    votes = polis_votes_csv(folder, with_comments=True)
    matrix = participants_votes_csv(folder, votes)
    lines = votes.read_text(encoding="utf-8").splitlines()
    head, vote = lines[-1].rsplit(",", 1)
    lines[-1] = f"{head},{-int(vote)}"  # the log's last vote is no longer the matrix's
    votes.write_text("\n".join(lines) + "\n", encoding="utf-8")
    out = tmp_path / "groups.json"
    call_command("opinion_groups_file", str(matrix), "--out", str(out), "--replay")
    assert json.loads(out.read_text(encoding="utf-8"))["params"]["history"] is None
    assert "does not end in this file's votes" in capsys.readouterr().out


@pytest.mark.parametrize(
    "rows, message",
    [
        (["participant,group-id,n-comments,n-votes,n-agree,n-disagree,0,1", "1,,0,2,0,0,1,yes"], "line 2: vote 'yes'"),
        (["participant,group-id,n-comments,n-votes,n-agree,n-disagree,0,1", "1,,0,2,0,0,1,2"], "line 2: vote '2'"),
        (["participant,group-id,n-comments,n-votes,n-agree,n-disagree,0,1", "1,,0,2,0,0,1"], "line 2: 7 fields"),
        (["participant,n-votes,n-disagree,0,1", "1,2,0,1,-1"], "no column 'group-id'"),
        (["participant,group-id,n-comments,n-votes,n-agree,n-disagree,0,1", "1,,0,2,0,0,1,-1"], "not UTF-8"),
    ],
)
def test_a_bad_participants_votes_csv_is_refused(tmp_path, rows, message):
    folder = tmp_path / "conv"
    folder.mkdir()
    matrix = participants_votes_csv(folder, rows=rows)
    if message == "not UTF-8":
        matrix.write_bytes(matrix.read_bytes().replace(b"\n1,", b"\n\xff,"))
    out = tmp_path / "out.json"
    with pytest.raises(CommandError, match=message):
        call_command("opinion_groups_file", str(matrix), "--out", str(out))
    assert not out.exists()


def test_a_real_polis_export_is_read_as_it_is(tmp_path, capsys):
    """london.youth.policing's participants-votes.csv, with its votes.csv and comments.csv beside it (a real
    openData export, tests/ml/fixtures/polis): the log ends in the matrix's votes, so the votes are read from it
    with their times; one Polis update over them finds Polis's three groups exactly (0.963 replayed)."""
    from ml.compare_polis import agreement, read_participants_votes

    matrix = Path(__file__).parent / "fixtures" / "polis" / "london.youth.policing" / "participants-votes.csv"
    out = tmp_path / "groups.json"
    call_command("opinion_groups_file", str(matrix), "--out", str(out))
    assert "votes read with their times" in capsys.readouterr().out
    data = json.loads(out.read_text(encoding="utf-8"))
    ours = {str(member): group["id"] for group in data["groups"] for member in group["members"]}
    assert agreement(ours, read_participants_votes(matrix).polis_groups)["ari"] == pytest.approx(1.0)
    assert data["params"]["computation"] == "one update" and data["params"]["rules"] == "current"
    call_command("opinion_groups_file", str(matrix), "--out", str(out), "--replay")
    data = json.loads(out.read_text(encoding="utf-8"))
    ours = {str(member): group["id"] for group in data["groups"] for member in group["members"]}
    assert agreement(ours, read_participants_votes(matrix).polis_groups)["ari"] > 0.95
    assert data["params"]["history"]["updates"] > 100


def test_a_real_polis_vote_log_is_read_with_the_export_beside_it(tmp_path, capsys):
    """london.youth.policing's votes.csv: with its participants-votes.csv beside it, who Polis grouped picks one
    update, Polis's three groups exactly (as when the export is read from participants-votes.csv); copied without it,
    the log is replayed in the math of its day (2022: today's)."""
    import shutil

    from ml.compare_polis import agreement, read_participants_votes

    folder = Path(__file__).parent / "fixtures" / "polis" / "london.youth.policing"
    polis_groups = read_participants_votes(folder / "participants-votes.csv").polis_groups
    out = tmp_path / "groups.json"

    def ari():
        data = json.loads(out.read_text(encoding="utf-8"))
        ours = {str(member): group["id"] for group in data["groups"] for member in group["members"]}
        return data["params"], agreement(ours, polis_groups)["ari"]

    call_command("opinion_groups_file", str(folder / "votes.csv"), "--out", str(out))
    assert "read with the export's" in capsys.readouterr().out
    params, score = ari()
    assert params["computation"] == "one update" and params["rules"] == "current" and score == pytest.approx(1.0)
    alone = tmp_path / "log"
    alone.mkdir()
    for name in ("votes.csv", "comments.csv"):
        shutil.copy(folder / name, alone / name)
    call_command("opinion_groups_file", str(alone / "votes.csv"), "--out", str(out))
    params, score = ari()
    assert params["computation"] == "replayed" and params["rules"] == "by-date" and score > 0.95
    matrix = (folder / "participants-votes.csv").read_text(encoding="utf-8").splitlines()
    fields = matrix[1].split(",")
    fields[7] = str(-int(fields[7]))  # participant 1's vote on statement 1 is no longer the log's
    (alone / "participants-votes.csv").write_text(
        "\n".join([matrix[0], ",".join(fields), *matrix[2:]]) + "\n", encoding="utf-8"
    )
    call_command("opinion_groups_file", str(alone / "votes.csv"), "--out", str(out))
    assert "does not hold this log's latest votes" in capsys.readouterr().out
    assert ari()[0]["computation"] == "replayed"


def test_a_broken_participants_votes_csv_beside_a_vote_log_is_named_and_left_aside(tmp_path, capsys):
    """A participants-votes.csv beside the vote log that cannot be read (a vote that is not 1, -1 or 0): the command
    says so and groups the log without it, as a Polis vote log with its comments.csv."""
    votes = polis_votes_csv(tmp_path / "conv", with_comments=True)
    participants_votes_csv(
        tmp_path / "conv", rows=["participant,group-id,n-comments,n-votes,n-agree,n-disagree,0,1", "1,,0,2,0,0,1,yes"]
    )
    out = tmp_path / "groups.json"
    call_command("opinion_groups_file", str(votes), "--out", str(out))
    assert "participants-votes.csv not read" in capsys.readouterr().out
    data = json.loads(out.read_text(encoding="utf-8"))
    assert data["params"]["computation"] == "replayed" and sorted(len(g["members"]) for g in data["groups"]) == [15, 15]


def test_a_plain_vote_table_with_polis_s_left_out_statements_still_in_is_grouped_from_k_means_best_start(tmp_path):
    """brexit-consensus's final votes in the contract's columns, its five demographic statements ("I voted to
    Remain") still in: from Polis's own start one update finds three groups (ARI 0.542 against Polis's two), from
    k-means' best start Polis's two (0.876) — the default when nothing says what to leave out."""
    grouped = _plain_table_groups(tmp_path, "brexit-consensus")
    data, ari = grouped()
    assert data["params"]["computation"] == "k-means once" and len(data["groups"]) == 2 and ari > 0.85
    data, ari = grouped("--start", "polis")
    assert data["params"]["computation"] == "one update" and len(data["groups"]) == 3 and ari < 0.6


def _plain_table_groups(tmp_path, conversation_name):
    """A fixture conversation's final votes in the contract's columns, and a function that runs the command on
    them with some options and returns its output and its ARI against Polis's groups."""
    from ml.compare_polis import agreement, read_participants_votes

    conversation = read_participants_votes(FIXTURES / "polis" / conversation_name / "participants-votes.csv")
    plain = tmp_path / f"{conversation_name}.csv"
    plain.write_text(
        "participant,statement,vote\n" + "".join(f"{p},{s},{v}\n" for p, s, v in conversation.votes), encoding="utf-8"
    )
    out = tmp_path / "groups.json"

    def grouped(*option):
        call_command("opinion_groups_file", str(plain), "--out", str(out), *option)
        data = json.loads(out.read_text(encoding="utf-8"))
        ours = {str(member): group["id"] for group in data["groups"] for member in group["members"]}
        return data, agreement(ours, conversation.polis_groups)["ari"]

    return grouped


def _polis_matrix(path, *, low_voter_grouped):
    """A Polis participants-votes.csv of two camps of 15 and one participant with 2 votes, who has a group-id
    only when Polis's older math grouped them."""
    lines = ["participant,group-id,n-comments,n-votes,n-agree,n-disagree," + ",".join(str(s) for s in range(8))]
    for p in range(30):
        cells = [str(1 if p % 2 == s % 2 else -1) for s in range(8)]
        lines.append(f"{p},{p % 2},0,8,{cells.count('1')},{cells.count('-1')}," + ",".join(cells))
    group = "0" if low_voter_grouped else ""
    lines.append(f"30,{group},0,2,2,0,1,,1,,,,,")
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


@pytest.mark.parametrize(
    "low_voter_grouped, option, rules",
    [
        (True, [], "legacy"),  # Polis grouped everyone, a participant with 2 votes too: its older math
        (False, [], "current"),
        (True, ["--rules", "current"], "current"),
        (False, ["--rules", "legacy"], "legacy"),
    ],
)
def test_opinion_groups_file_picks_the_polis_math_the_export_shows(tmp_path, capsys, low_voter_grouped, option, rules):
    matrix = tmp_path / "participants-votes.csv"
    _polis_matrix(matrix, low_voter_grouped=low_voter_grouped)
    out = tmp_path / "groups.json"
    call_command("opinion_groups_file", str(matrix), "--out", str(out), *option)
    data = json.loads(out.read_text(encoding="utf-8"))
    assert data["params"]["rules"] == rules and len(data["groups"]) == 2
    assert ("its older math counted in" in capsys.readouterr().out) == (rules == "legacy" and not option)


def test_opinion_groups_file_refuses_unknown_rules(tmp_path):
    votes = tmp_path / "votes.csv"
    write_votes(votes)
    out = tmp_path / "out.json"
    with pytest.raises(CommandError, match="invalid choice: '2017'"):
        call_command("opinion_groups_file", str(votes), "--out", str(out), "--rules", "2017")
    assert not out.exists()


def test_a_polis_export_with_its_vote_log_is_replayed_unless_only_one_update_grouped_whom_polis_grouped(
    tmp_path, capsys
):
    """scoop-hivemind.ubi (2017), with its votes.csv and comments.csv beside it: the replay and one update both
    grouped everyone, as Polis did, so the export is the replay (Polis's 4 groups, with the worker's restarts);
    ``--once`` groups it in one update."""
    folder = Path(__file__).parent / "fixtures" / "polis" / "scoop-hivemind.ubi"
    out = tmp_path / "groups.json"
    call_command("opinion_groups_file", str(folder / "participants-votes.csv"), "--out", str(out))
    data = json.loads(out.read_text(encoding="utf-8"))
    assert data["params"]["rules"] == "legacy" and data["params"]["computation"] == "replayed"
    assert len(data["groups"]) == 4 and data["params"]["history"]["restarts"] > 0
    assert "replayed 0, one update 0;" in capsys.readouterr().out
    call_command("opinion_groups_file", str(folder / "participants-votes.csv"), "--out", str(out), "--once")
    assert json.loads(out.read_text(encoding="utf-8"))["params"]["computation"] == "one update"
    with pytest.raises(CommandError, match="not allowed with argument"):
        call_command(
            "opinion_groups_file", str(folder / "participants-votes.csv"), "--out", str(out), "--once", "--replay"
        )


def test_a_plain_vote_table_leaves_out_the_statements_nobody_was_shown(tmp_path, capsys):
    """15-per-hour-seattle's final votes in the contract's columns: 24 of its statements hold one or two votes (the
    author's own; Polis moderated 23 of them out, and its math leaves them out). Left out as unseen — fewer votes
    than 5% of the median statement's — one update groups as Polis did (ARI 0.912; 0.802 with them kept)."""
    grouped = _plain_table_groups(tmp_path, "15-per-hour-seattle")
    data, ari = grouped()
    assert len(data["excluded_statements"]) == 24 and ari > 0.9
    assert "24 statements hold fewer votes than 5% of the median statement's" in capsys.readouterr().out
    data, ari = grouped("--keep-unseen")
    assert data["excluded_statements"] == [] and ari < 0.85
    # what the table names to leave out is all that is left out
    data, _ = grouped("--exclude", "3")
    assert data["excluded_statements"] == ["3"]


def test_unseen_statements_are_those_with_a_small_share_of_the_median_statement_s_votes():
    from ml.opinion_groups import unseen_statements

    votes = [(p, s, 1) for s in ("a", "b", "c", "d") for p in range(40)] + [(0, "e", 1), (1, "f", 1), (2, "f", -1)]
    assert unseen_statements(votes) == ["e"]  # median 40 votes: fewer than 2 is unseen, "f" (2 votes) is not
    assert unseen_statements([(0, "a", 1), (1, "b", 1)]) == []  # a small table: nothing stands out
    assert unseen_statements([]) == []
