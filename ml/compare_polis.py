"""Compare our opinion groups with Polis's own on exported Polis conversations.

    python -m ml.compare_polis DIR [DIR ...] [--in-process] [--work WORKDIR] [--seed N]

Each DIR is a conversation folder of the public Polis export (github.com/compdemocracy/openData)
holding ``participants-votes.csv``: columns participant, [xid,] group-id (Polis's group; empty when
Polis did not cluster the participant), n-comments, n-votes, n-agree, n-disagree, then one column
per comment id with 1 (agree), -1 (disagree), 0 (pass) or empty.

When the folder also holds the export's ``comments.csv``, the statements Polis left out of its math
are left out here too (Polis's ``mod-out``): those moderated out (``moderated`` = -1) and the
moderator's *meta* statements — demographic questions such as "I live in a city" or "My ethnicity is
…", which Polis shows and counts but keeps out of the groups. The export has no meta flag (an
``is-meta`` column is used when present), so meta statements are recognised by :func:`meta_statements`:
first-person self-descriptions written by the conversation's owner.

When the folder holds the export's ``votes.csv`` (every vote with its time) and its ``comments.csv``, the votes
are read from it and grouped twice (ml/polis_history.py): replayed as Polis's successive updates while they arrived,
with its worker's restarts in the quiet spells (``replay``), and in one update over all the votes in the order Polis
loads them (``fresh``: Polis's cold computation). The export is taken to hold the replay — the live state of Polis's
worker — unless one update grouped exactly the participants Polis grouped and the replay did not
(:func:`closest_to_export`); ``--replay`` or ``--once`` forces one, ``--no-log`` reads ``participants-votes.csv``
alone (one update).

Polis's math changed over the years, and an export holds the groups of the math that computed it. The
export shows which: Polis's older math counted the zeroed mod-out columns as votes when deciding who is in
the conversation, so it grouped participants with fewer votes than today's threshold — every one who voted, where
many statements were left out. An export whose grouped participants are that count's is grouped here with the
legacy rules (``ml.opinion_groups.LEGACY``: that count, and missing votes as 0 in the PCA), the others with
today's — and a live state that ran on both sides of the change, read with its vote log, in the math of each
update's day (``BY_DATE``) when its grouped participants are that history's count (:func:`rules_for_export`;
``--rules current``, ``legacy`` or ``by-date`` forces one).

For each folder the votes are converted to the ``opinion_groups_file`` input
(``participant,statement,vote``), grouped by ``python manage.py opinion_groups_file`` (or, with
``--in-process``, by calling :func:`ml.opinion_groups.opinion_groups` directly — the same code), and
compared with Polis's group-id over the participants Polis clustered:

- number of groups (ours / Polis's),
- coverage: share of Polis-clustered participants that we put in some group,
- adjusted Rand index over the participants both clustered,
- matched share: participants in the "same" group after the best one-to-one matching of our groups
  to Polis's (Hungarian matching); participants we did not group count as mismatches,
- the same two figures when our run is given Polis's number of groups (``k fixed``), which separates
  "chose another k" from "split the participants differently".

Pure: no project app imports (the command is run in a subprocess). Prints a Markdown table.
"""

from __future__ import annotations

import argparse
import csv
import json
import re
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

MATH_NOTE = {"legacy": ", legacy math", "by-date": ", math by date"}
META_COLUMNS = {"participant", "xid", "group-id", "n-comments", "n-votes", "n-agree", "n-disagree"}


@dataclass
class Conversation:
    name: str
    votes: list[tuple[str, str, int]]
    polis_groups: dict[str, str]  # participant -> Polis group-id (only participants Polis clustered)
    participants: int
    statements: int


def vote_value(raw: str) -> int:
    """A vote cell as 1 (agree), -1 (disagree) or 0 (pass); ValueError for anything else ("yes", 0.5, 2)."""
    try:
        number = float(raw)
    except ValueError:
        raise ValueError(f"vote {raw!r} is not 1, -1 or 0") from None
    if number not in (1.0, -1.0, 0.0):
        raise ValueError(f"vote {raw!r} is not 1, -1 or 0")
    return int(number)


def read_participants_votes(path: Path) -> Conversation:
    """Parse a Polis ``participants-votes.csv`` into votes and Polis's group assignment."""
    with open(path, encoding="utf-8-sig", newline="") as handle:
        rows = list(csv.reader(handle))
    if not rows:
        raise ValueError(f"{path}: empty file")
    header = [h.strip() for h in rows[0]]
    for required in ("participant", "group-id", "n-disagree"):
        if required not in header:
            raise ValueError(f"{path}: no column {required!r}")
    first_vote = header.index("n-disagree") + 1
    statements = header[first_vote:]
    participant_at, group_at = header.index("participant"), header.index("group-id")
    votes: list[tuple[str, str, int]] = []
    groups: dict[str, str] = {}
    participants = 0
    for line, row in enumerate(rows[1:], start=2):
        if not any(cell.strip() for cell in row):
            continue
        if len(row) != len(header):
            raise ValueError(f"{path}, line {line}: {len(row)} fields, the header has {len(header)}")
        participants += 1
        participant = row[participant_at].strip()
        if row[group_at].strip():
            groups[participant] = row[group_at].strip()
        for statement, cell in zip(statements, row[first_vote:], strict=True):
            cell = cell.strip()
            if not cell:
                continue
            try:
                votes.append((participant, statement, vote_value(cell)))
            except ValueError as exc:
                raise ValueError(f"{path}, line {line}: {exc}") from None
    return Conversation(path.parent.name, votes, groups, participants, len(statements))


# "I live in a city", "I am 55 years of age or older", "I voted to Remain", "My ethnicity is …",
# "English is my first language": the voter describing themself, not an opinion on the question. A
# closed list of how such statements begin ("I imagine new businesses will …" is an opinion).
_SELF = re.compile(
    r"^\W*(?:i\s+(?:am|was|live|lived|work|worked|have|had|voted|identify|consider\s+myself|can\s+speak|speak"
    r"|do\s+now|access|own|rent|use|drive|ride|commute|grew\s+up|was\s+born|moved|study|attend|belong)\b"
    r"|i'm\b|i’m\b|i've\b|i’ve\b|my\s+(?:age|gender|ethnicity|race|income|household|first\s+language|job|family|children"
    r"|postcode|zip|neighbou?rhood)\b)"
    r"|\bmy first language\b|^\W*(?:私は|わたしは).{0,30}(?:です|住んでいます|在住です|歳|代)[。．]?$",
    re.IGNORECASE,
)
# … unless it takes a side: "I am opposed to …", "I have no doubt that …", "I've changed my mind about …",
# 「…べきだと思います」.
_OPINION = re.compile(
    r"^\W*(?:i\s+(?:am|'m)|i'm|i’m)\s+(?:not\s+)?(?:opposed|against|for\b|in\s+favou?r|concerned|worried|sure|convinced"
    r"|happy|unhappy|glad|afraid|tired)|\bi\s+have\s+no\s+doubt|\bchanged\s+my\s+(?:mind|view|opinion)"
    r"|(?:思う|思います|考える|考えます|べき|反対|賛成)",
    re.IGNORECASE,
)


@dataclass
class Comment:
    id: str
    author: str
    moderated: int
    text: str
    is_meta: bool | None  # from an is-meta column; None when the export has none
    timestamp: float


def _export_rows(path: Path, required: tuple[str, ...]) -> tuple[list[str], list[tuple[int, dict[str, str]]]]:
    """The header and the (line number, row with stripped names and values) of one export CSV file."""
    with open(path, encoding="utf-8-sig", newline="") as handle:
        reader = csv.DictReader(handle)
        header = [h.strip() for h in reader.fieldnames or []]
        for column in required:
            if column not in header:
                raise ValueError(f"{path}: no column {column!r}")
        rows = [
            (line, {(k or "").strip(): (v or "").strip() for k, v in row.items()})
            for line, row in enumerate(reader, start=2)
        ]
    return header, rows


def read_polis_comments(path: Path) -> list[Comment]:
    """Parse a Polis ``comments.csv`` (comment-id, author-id, moderated, comment-body; is-meta if present)."""
    header, rows = _export_rows(path, ("comment-id", "moderated"))
    meta_column = next((h for h in ("is-meta", "is_meta") if h in header), None)
    comments = []
    for line, row in rows:
        try:
            moderated = int(float(row["moderated"] or 0))
        except ValueError:
            raise ValueError(f"{path}, line {line}: moderated {row['moderated']!r} is not a number") from None
        try:
            timestamp = float(row.get("timestamp") or 0)
        except ValueError:
            timestamp = 0.0
        comments.append(
            Comment(
                id=row["comment-id"],
                author=row.get("author-id", ""),
                moderated=moderated,
                text=row.get("comment-body", ""),
                is_meta=row[meta_column].lower() in {"1", "true", "t", "yes"} if meta_column else None,
                timestamp=timestamp,
            )
        )
    return comments


def meta_statements(comments: list[Comment]) -> list[str]:
    """Statements Polis would treat as meta: the export's flag, or else the owner's self-descriptions.

    Polis lets only the moderator mark a statement as meta, and moderators use it for demographic
    questions; the owner is the author of the conversation's first statement.
    """
    if any(c.is_meta is not None for c in comments):
        return [c.id for c in comments if c.is_meta]
    if not comments:
        return []
    owner = min(comments, key=lambda c: (c.timestamp, _numeric(c.id))).author
    return [c.id for c in comments if c.author == owner and _SELF.search(c.text) and not _OPINION.search(c.text)]


def excluded_statements(comments: list[Comment]) -> list[str]:
    """Polis's ``mod-out``: moderated out (-1) or meta."""
    meta = set(meta_statements(comments))
    return [c.id for c in comments if c.moderated == -1 or c.id in meta]


def _numeric(value: str) -> float:
    try:
        return float(value)
    except ValueError:
        return float("inf")


def read_vote_log(path: Path) -> list[tuple[str, str, int, float]]:
    """Polis's ``votes.csv`` (timestamp in ms, comment-id, voter-id, vote; a datetime column is ignored)
    as (participant, statement, vote, unix seconds), in file order."""
    _, rows = _export_rows(path, ("timestamp", "comment-id", "voter-id", "vote"))
    log = []
    for line, row in rows:
        try:
            when = float(row["timestamp"]) / 1000
        except ValueError:
            raise ValueError(f"{path}, line {line}: timestamp {row['timestamp']!r} is not a number") from None
        try:
            log.append((row["voter-id"], row["comment-id"], vote_value(row["vote"]), when))
        except ValueError as exc:
            raise ValueError(f"{path}, line {line}: {exc}") from None
    return log


def rules_for_export(
    conversation: Conversation, excluded: list[str] = (), log: list[tuple[str, str, int, float]] | None = None
) -> str:
    """The Polis math an export's groups came from, read from *who* Polis grouped (never into which group).

    Polis's older math counted the zeroed mod-out columns as votes when deciding who is in the conversation. Its
    mark: every participant who voted grouped, some below today's threshold (fewer than ``min(7, n_statements)``
    votes, beyond the top-up to 15) — or, with the export's left-out statements known (``excluded``), a grouped set
    closer to the older count's than to today's (brexit-consensus: 5 zeroed columns, so participants with 1 vote
    stayed out and those with 2 were in). A few grouped participants below the threshold alone are not the mark:
    once in, a participant stays in (they voted on every statement while there were fewer than 7).

    With the vote log (``log``: participant, statement, vote, unix seconds) of a conversation that ran on both sides
    of the change (``LEGACY_UNTIL``), a live state counted in the older math until then and in today's after, and
    whoever was in stayed in: ``BY_DATE`` when that count is closer to Polis's grouped set than either math alone
    (football-concussions, 2015–2019: exactly its 1,434 of 1,487 voters; the older count 53 off, today's 841)."""
    from ml.opinion_groups import BY_DATE, CURRENT, LEGACY, LEGACY_UNTIL, in_conversation, vote_matrix, zero_out

    matrix = vote_matrix(conversation.votes)
    if matrix.values.size == 0:
        return CURRENT

    def counted(votes, *, older: bool) -> set[str]:  # who is in: today's count, or the older one's
        columns = [votes.statements.index(s) for s in excluded if s in votes.statements] if older else []
        values = zero_out(votes.values, columns) if columns else votes.values
        return {p for p, kept in zip(votes.participants, in_conversation(values), strict=True) if kept}

    grouped = set(conversation.polis_groups)
    today, older = counted(matrix, older=False), counted(matrix, older=True)
    before = sorted((vote for vote in log or () if float(vote[3]) < LEGACY_UNTIL), key=lambda vote: float(vote[3]))
    if before and len(before) < len(log):
        by_date = counted(vote_matrix(vote[:3] for vote in before), older=True) | today
        if len(by_date ^ grouped) < min(len(older ^ grouped), len(today ^ grouped)):
            return BY_DATE
    if grouped >= set(matrix.participants) and grouped - today:
        return LEGACY
    return LEGACY if len(older ^ grouped) < len(today ^ grouped) else CURRENT


def grouped_apart(result: dict[str, Any], polis_grouped: set[str]) -> int:
    """How many participants a computation and Polis did not both group. Who is in the conversation is a
    fingerprint of the computation: once in, a participant stays in, so a live history keeps early voters whom a
    computation afresh leaves out."""
    ours = {str(member) for group in result["groups"] for member in group["members"]}
    return len(ours ^ polis_grouped)


def closest_to_export(replayed: dict[str, Any], once: dict[str, Any], polis_grouped: set[str]) -> dict[str, Any]:
    """The replay — an export holds the live state of Polis's worker (a conversation with both of Polis's own
    states showed it, ml/README.md) — unless one update grouped exactly whom Polis grouped and the replay did not.
    The test is one-sided on purpose: one update is determined by the votes, so its participants are exactly a cold
    computation's, while a replay's depend on when Polis's updates fell, which the export does not hold — a replay
    a few participants off can still be the history. Only *who* was grouped is read, never into which group; the
    chosen result's ``params["chosen"]`` says how each fared."""
    apart = {"replayed": grouped_apart(replayed, polis_grouped), "one update": grouped_apart(once, polis_grouped)}
    chosen = once if apart["one update"] == 0 < apart["replayed"] else replayed
    chosen["params"]["chosen"] = {"grouped apart from Polis": apart}
    return chosen


def group_export(
    votes: list[tuple],
    polis_grouped: set[str],
    *,
    rules: str,
    excluded: list[str] = (),
    seed: int = 0,
    k: int | None = None,
    replay: bool | None = None,
    polis_start: bool = True,
    progress: Any = None,
) -> dict[str, Any]:
    """Polis's groups of an export, reproduced: one update (``replay=False``), the replay of its vote log with
    the worker's restarts (``True``), or — ``None``, with timed votes — both, and the one :func:`closest_to_export`
    picks. ``polis_start=False``: one update is k-means at its best of several starts (``opinion_groups``)."""
    from ml.opinion_groups import opinion_groups, timed

    common = {"seed": seed, "k": k, "excluded_statements": excluded, "rules": rules}
    if progress is not None:
        common["progress"] = progress
    if replay is False or not timed(votes):
        return opinion_groups(votes, history=False, polis_start=polis_start, **common)
    replayed = opinion_groups(votes, history=True, **common)
    if replay:
        return replayed
    once = opinion_groups(votes, history=False, polis_start=polis_start, **common)
    return closest_to_export(replayed, once, polis_grouped)


def write_votes_csv(votes: list[tuple], path: Path) -> None:
    with open(path, "w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["participant", "statement", "vote"] + (["timestamp"] if votes and len(votes[0]) == 4 else []))
        writer.writerows(votes)


def run_command(
    votes_csv: Path,
    out: Path,
    *,
    seed: int,
    k: int | None,
    manage: Path,
    comments: Path | None = None,
    rules: str = "current",
    replay: bool = False,
) -> dict[str, Any]:
    command = [sys.executable, str(manage), "opinion_groups_file", str(votes_csv), "--out", str(out)]
    command += ["--seed", str(seed), "--rules", rules] + (["--replay"] if replay else ["--once"])
    if k is not None:
        command += ["--groups", str(k)]
    if comments is not None:
        command += ["--comments", str(comments)]
    # Our own interpreter and manage.py with file paths as arguments (no shell).
    subprocess.run(command, check=True, cwd=manage.parent, stdout=subprocess.DEVNULL)  # noqa: S603
    return json.loads(out.read_text(encoding="utf-8"))


def assignment(result: dict[str, Any]) -> dict[str, int]:
    return {str(member): group["id"] for group in result["groups"] for member in group["members"]}


def agreement(ours: dict[str, int], theirs: dict[str, str]) -> dict[str, float]:
    """ARI over the participants both grouped, coverage, and matched share after Hungarian matching."""
    from scipy.optimize import linear_sum_assignment
    from sklearn.metrics import adjusted_rand_score

    clustered = list(theirs)
    both = [p for p in clustered if p in ours]
    ari = float(adjusted_rand_score([theirs[p] for p in both], [ours[p] for p in both])) if both else 0.0
    their_labels = sorted(set(theirs.values()))
    our_labels = sorted({ours[p] for p in both})
    table = np.zeros((len(our_labels), len(their_labels)), dtype=int)
    for p in both:
        table[our_labels.index(ours[p]), their_labels.index(theirs[p])] += 1
    rows, cols = linear_sum_assignment(-table) if table.size else ([], [])
    matched = int(table[rows, cols].sum()) if table.size else 0
    return {
        "coverage": len(both) / len(clustered) if clustered else 0.0,
        "ari": ari,
        "matched": matched / len(clustered) if clustered else 0.0,
    }


def compare(
    folder: Path,
    *,
    seed: int = 0,
    in_process: bool = False,
    work: Path | None = None,
    use_log: bool = True,
    replay: bool | None = None,
    rules: str = "auto",
) -> dict[str, Any]:
    conversation = read_participants_votes(folder / "participants-votes.csv")
    comments_csv = folder / "comments.csv" if (folder / "comments.csv").is_file() else None
    # With the export's vote log (and its comments, to leave out what Polis left out), the votes carry their
    # time and can be replayed.
    with_log = use_log and comments_csv is not None and (folder / "votes.csv").is_file()
    log = read_vote_log(folder / "votes.csv") if with_log else None
    votes = log if log is not None else conversation.votes
    comments = read_polis_comments(comments_csv) if comments_csv else []
    excluded = excluded_statements(comments)
    if rules == "auto":
        rules = rules_for_export(conversation, excluded, log)
    if log is None:
        replay = False  # nothing to replay
    # As the command: Polis's own start when what Polis left out is known, k-means' best start otherwise.
    known = comments_csv is not None
    theirs = conversation.polis_groups
    polis_k = len(set(theirs.values()))
    manage = Path(__file__).resolve().parent.parent / "manage.py"
    with tempfile.TemporaryDirectory() as tmp:
        base = work or Path(tmp)
        base.mkdir(parents=True, exist_ok=True)
        votes_csv = base / f"{conversation.name}.votes.csv"
        write_votes_csv(votes, votes_csv)

        def run(k: int | None, how: bool) -> dict[str, Any]:
            if in_process:
                return group_export(
                    votes, set(theirs), rules=rules, excluded=excluded, seed=seed, k=k, replay=how, polis_start=known
                )
            name = f"{conversation.name}.{k or 'auto'}.{'replayed' if how else 'once'}.json"
            return run_command(
                votes_csv, base / name, seed=seed, k=k, manage=manage, comments=comments_csv, rules=rules, replay=how
            )

        runs = {}
        if replay is None:  # both, and the one closest to the export; Polis's k given, the same computation
            replayed, once = run(None, True), run(None, False)
            runs["auto"] = closest_to_export(replayed, once, set(theirs))
            replay = runs["auto"] is replayed
        else:
            runs["auto"] = run(None, replay)
        runs["fixed"] = run(polis_k if 2 <= polis_k <= 5 else None, replay)
    auto, fixed = assignment(runs["auto"]), assignment(runs["fixed"])
    return {
        "conversation": conversation.name,
        "participants": conversation.participants,
        "statements": conversation.statements,
        "votes": len(conversation.votes),
        "statements_left_out": len(set(excluded) & {s for _, s, _ in conversation.votes}),
        "meta": meta_statements(comments),
        "log": log is not None,
        "computation": runs["auto"]["params"]["computation"],
        "grouped_apart": runs["auto"]["params"].get("chosen", {}).get("grouped apart from Polis"),
        "rules": rules,
        "polis_clustered": len(theirs),
        "ours_grouped": len(auto),
        "polis_k": polis_k,
        "our_k": len(runs["auto"]["groups"]),
        "auto": agreement(auto, theirs),
        "fixed": agreement(fixed, theirs),
    }


def table(results: list[dict[str, Any]]) -> str:
    lines = [
        "| conversation | participants | statements (left out) | votes | Polis clustered | we grouped | groups ours / Polis "
        "| coverage | ARI | matched share | ARI (k fixed) | matched share (k fixed) |",
        "|---|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    for r in results:
        lines.append(
            f"| {r['conversation']} ({r['computation']}{MATH_NOTE.get(r['rules'], '')}) "
            f"| {r['participants']} "
            f"| {r['statements']} ({r['statements_left_out']}) | {r['votes']} "
            f"| {r['polis_clustered']} "
            f"| {r['ours_grouped']} | {r['our_k']} / {r['polis_k']} | {r['auto']['coverage']:.2f} "
            f"| {r['auto']['ari']:.3f} | {r['auto']['matched']:.3f} | {r['fixed']['ari']:.3f} "
            f"| {r['fixed']['matched']:.3f} |"
        )
    if results:
        mean = {key: np.mean([r[part][key] for r in results]) for part in ("auto",) for key in ("ari", "matched")}
        mean_fixed = {key: np.mean([r["fixed"][key] for r in results]) for key in ("ari", "matched")}
        exact_k = sum(r["our_k"] == r["polis_k"] for r in results)
        lines.append(
            f"| **mean** | | | | | | same k in {exact_k}/{len(results)} | | {mean['ari']:.3f} | {mean['matched']:.3f} "
            f"| {mean_fixed['ari']:.3f} | {mean_fixed['matched']:.3f} |"
        )
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("folders", nargs="+", type=Path, help="Polis export folders with participants-votes.csv")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--in-process", action="store_true", help="call ml.opinion_groups directly (no manage.py)")
    parser.add_argument("--work", type=Path, default=None, help="keep the converted CSVs and JSON outputs here")
    parser.add_argument("--json", action="store_true", help="print the results as JSON instead of a table")
    parser.add_argument(
        "--no-log", action="store_true", help="read participants-votes.csv only, even when the folder has votes.csv"
    )
    how = parser.add_mutually_exclusive_group()
    how.add_argument(
        "--replay",
        action="store_true",
        default=None,
        help="replay votes.csv as Polis's successive updates while votes arrived (default: replayed, unless only one "
        "update grouped exactly whom Polis grouped)",
    )
    how.add_argument(
        "--once", dest="replay", action="store_false", help="one update over all the votes, for every export"
    )
    parser.add_argument(
        "--rules",
        choices=("auto", "current", "legacy", "by-date"),
        default="auto",
        help="Polis math to reproduce: the one the export shows (auto), today's, the legacy one, or each update's by "
        "its date",
    )
    args = parser.parse_args(argv)
    results = []
    for folder in args.folders:
        if not (folder / "participants-votes.csv").is_file():
            parser.error(f"{folder}: no participants-votes.csv")
        results.append(
            compare(
                folder,
                seed=args.seed,
                in_process=args.in_process,
                work=args.work,
                use_log=not args.no_log,
                replay=args.replay,
                rules=args.rules,
            )
        )
    print(json.dumps(results, indent=2) if args.json else table(results))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
