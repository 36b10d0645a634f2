"""Polis-style opinion groups from a vote table.

    python manage.py opinion_groups_file VOTES.csv --out OUT.json

VOTES.csv has columns participant,statement,vote (1 agree, -1 disagree, 0 pass); a Polis export
(voter-id, comment-id, vote) is read too. With a time column — ``timestamp`` (Unix seconds, or
milliseconds as in Polis's votes.csv), ``time``, ``created`` or ``created_at`` (ISO 8601 also accepted) —
the votes can be replayed (``--replay``) as Polis's successive updates while they arrived (and its worker's
restarts in the quiet spells between them); by default such a file's groups are one Polis update over all the
votes, in the order Polis loads them (ml/polis_history.py).

A Polis export is read as a whole, from whichever of its files is named:

- its ``votes.csv`` (timestamp, comment-id, voter-id, vote) is Polis's worker's history, so with the
  ``comments.csv`` beside it (the statements it leaves out: moderated out, meta) it is **replayed** by default, each
  update in the math of its day (``--rules by-date``). ``--once`` groups it in one update.
- with the export's ``participants-votes.csv`` beside that ``votes.csv`` (holding the log's latest votes), or
  named instead of it (with its ``votes.csv`` beside it, read when the log ends in the matrix's votes), *who* Polis
  grouped — never into which group — picks the math and the computation, as below.

Polis's own k-means start (from the first distinct points) reproduces Polis's one update on Polis's own matrix,
so it is used when the statements Polis left out are known (a ``comments.csv``, ``--exclude``). Otherwise — a plain
vote table, or a Polis export without its ``comments.csv`` — one update is k-means at its best of several starts
and nothing is replayed unless ``--replay`` is asked: on votes that still hold Polis's demographic questions,
Polis's start measured fragile (twelve real conversations: 0.366 against 0.483; ml/README.md). ``--start polis`` /
``--start best`` choose.

Statements to leave out of the groups (Polis's ``mod-out``: moderated out, or meta statements such as
demographic questions) are named with ``--exclude ID,ID`` or read from a Polis ``comments.csv`` with
``--comments`` (``moderated`` = -1, and meta statements as :func:`ml.compare_polis.meta_statements`
finds them). They still count as seen by every participant, as in Polis, but shape neither the axes
nor the groups and are never representative, consensus or divisive. When neither names any, statements with
fewer votes than 5% of the median statement's (``ml.opinion_groups.unseen_statements``) are left out as
moderated out — nobody was shown them; a Klimarat conversation's plain table 0.809 → 0.971 ARI against Polis's
groups, the fixtures' 0.414 → 0.438 (ml/README.md, sixteenth round) — unless ``--keep-unseen``.

``--rules`` picks the Polis math: ``current`` (today's), ``legacy`` (Polis's older math: missing votes as 0
in the PCA, zeroed mod-out columns counted as votes for who is in the conversation), ``by-date`` (a replay in the
older math until Polis changed it, at the start of 2018, and in today's after), or ``auto`` (the
default): legacy for a Polis ``participants-votes.csv`` whose grouped participants are the older math's count
(every participant grouped, some below today's vote threshold; or, with the left-out statements known, closer to
that count than to today's), by-date for one read with its vote log whose grouped participants are closer still to
that history's count, today's otherwise (``ml.compare_polis.rules_for_export``); by-date for a Polis ``votes.csv``
read without its ``participants-votes.csv``.

A Polis ``participants-votes.csv`` read with its ``votes.csv`` is grouped both ways, replayed and in one update,
and the replay is kept — an export holds the live state of Polis's worker — unless one update grouped exactly
whom Polis grouped and the replay did not (``ml.compare_polis.closest_to_export``; ``--once`` or ``--replay``
chooses; ml/README.md has the measurements).
"""

from __future__ import annotations

import csv
import math
from datetime import UTC, datetime
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from ml.management.commands._common import progress_bar, read_csv, write_json

TIME_COLUMNS = ("timestamp", "time", "created", "created_at")
ALIASES = {"participant": ["voter-id", "pid", "participant_id"], "statement": ["comment-id", "tid", "statement_id"]}


class Command(BaseCommand):
    help = "Compute vote-based opinion groups (Polis's method) and write them as JSON."

    def add_arguments(self, parser):
        parser.add_argument("csv", help="UTF-8 CSV with columns participant,statement,vote")
        parser.add_argument(
            "--groups", type=int, default=None, help="fixed number of groups (default: 2-5 by silhouette)"
        )
        parser.add_argument("--seed", type=int, default=0)
        parser.add_argument("--exclude", default="", help="comma-separated statement ids to leave out (mod-out)")
        parser.add_argument(
            "--comments", default=None, help="a Polis comments.csv: its moderated-out and meta statements are left out"
        )
        parser.add_argument(
            "--rules",
            choices=("auto", "current", "legacy", "by-date"),
            default="auto",
            help="Polis math: today's, the legacy one, each update's by its date (the older math until 2018), or auto "
            "(the one whose count of who is in is Polis's grouping)",
        )
        how = parser.add_mutually_exclusive_group()
        how.add_argument(
            "--replay",
            action="store_true",
            help="replay timed votes as Polis's successive updates while they arrived (default: one update over all; "
            "a Polis votes.csv with its comments.csv is replayed, unless its participants-votes.csv shows that only "
            "one update grouped exactly whom Polis grouped)",
        )
        how.add_argument("--once", action="store_true", help="one update over all the votes, a Polis export's too")
        parser.add_argument(
            "--start",
            choices=("auto", "polis", "best"),
            default="auto",
            help="one update's k-means: from Polis's own start (the first distinct points), at its best of several "
            "starts, or auto (Polis's when the statements Polis left out are known: a comments.csv, --exclude)",
        )
        parser.add_argument(
            "--keep-unseen",
            action="store_true",
            help="keep statements that hold very few votes (by default, without a comments.csv or --exclude, "
            "those with fewer than 5%% of the median statement's votes are left out as moderated out)",
        )
        parser.add_argument("--out", required=True)

    polis_conversation = None  # a participants-votes.csv as read, with Polis's own grouping

    def handle(self, *args, **options):
        notes = []
        if self.is_participants_votes(options["csv"]):
            votes, polis_export, time_column = self.participants_votes(options, notes), True, None
        else:
            votes, polis_export, time_column = self.vote_rows(options["csv"])
            if polis_export and time_column is not None:
                self.read_its_export(options, votes, notes)
        if len(votes) < 2:
            raise CommandError(f"{options['csv']}: need more than one vote to find opinion groups")
        if options["groups"] is not None and not 2 <= options["groups"] <= 5:
            raise CommandError("--groups must be between 2 and 5")
        if polis_export and not options["comments"]:
            beside = Path(options["csv"]).parent / "comments.csv"
            if beside.is_file():
                options["comments"] = str(beside)
                notes.append(f"moderated-out and meta statements read from {beside}")
        excluded = self.excluded(options)
        if options["start"] == "auto":
            # Polis's own start reproduces Polis on Polis's matrix; on votes that may still hold what Polis left out
            # (demographic questions) it measured fragile, k-means' best start not (ml/README.md, fifteenth round).
            polis_start = bool(options["comments"] or options["exclude"].strip())
        else:
            polis_start = options["start"] == "polis"
        from ml.compare_polis import group_export, rules_for_export
        from ml.opinion_groups import BY_DATE, CURRENT, LEGACY, timed

        rules = options["rules"]
        if rules == "auto" and polis_export and not self.polis_conversation and time_column is not None:
            # A Polis vote log without Polis's grouping beside it: the math Polis ran on the day of each update.
            rules = BY_DATE
            notes.append(
                "a Polis vote log: each update in the math of its day, Polis's older math until it changed (2018) "
                "and today's after (--rules current to override)"
            )
        elif rules == "auto":
            log = votes if timed(votes) else None
            rules = rules_for_export(self.polis_conversation, excluded, log) if self.polis_conversation else CURRENT
            if rules == LEGACY:
                notes.append(
                    "Polis grouped the participants its older math counted in, some below today's vote threshold: "
                    "grouped with its legacy math (--rules current to override)"
                )
            elif rules == BY_DATE:
                notes.append(
                    "Polis grouped the participants its older math counted in until it changed (2018) and today's "
                    "after: each update is replayed in the math of its day (--rules current to override)"
                )
        if options["replay"] or options["once"]:
            replay = bool(options["replay"])
        elif not polis_start:
            replay = False
            if options["start"] == "auto":
                notes.append(
                    "nothing says which statements to leave out (no comments.csv or --exclude): one update, k-means "
                    "at its best of several starts (--start polis for Polis's own start, --replay to replay)"
                )
        elif self.polis_conversation:
            replay = None  # both, and the one whose participants are Polis's (group_export)
        else:
            # A Polis vote log is Polis's worker's history: replayed (ml/README.md, fifteenth round).
            replay = bool(polis_export and timed(votes))
            if replay:
                notes.append("a Polis vote log: replayed as Polis's successive updates (--once for one update)")
        if not excluded and not options["keep_unseen"] and not (options["comments"] or options["exclude"].strip()):
            # Nothing says what was moderated out: statements hardly anyone was shown are left out as Polis leaves
            # out what it moderated out (ml/README.md, "Statements nobody was shown").
            from ml.opinion_groups import UNSEEN_SHARE, unseen_statements

            excluded = unseen_statements(votes)
            if excluded:
                notes.append(
                    f"{len(excluded)} statements hold fewer votes than {UNSEEN_SHARE:.0%} of the median statement's: "
                    "left out as moderated out (--keep-unseen to keep them)"
                )
        with progress_bar("opinion_groups_file") as progress:
            try:
                result = group_export(
                    votes,
                    set(self.polis_conversation.polis_groups) if self.polis_conversation else set(),
                    rules=rules,
                    excluded=excluded,
                    seed=options["seed"],
                    k=options["groups"],
                    replay=replay,
                    polis_start=polis_start,
                    progress=progress,
                )
            except ValueError as exc:
                raise CommandError(f"{options['csv']}: {exc}") from None
        if "chosen" in result["params"]:
            apart = result["params"]["chosen"]["grouped apart from Polis"]
            notes.append(
                f"{result['params']['computation']}: the replay is kept unless only one update grouped exactly whom "
                f"Polis grouped (participants grouped apart from Polis: replayed {apart['replayed']}, one update "
                f"{apart['one update']}; --once or --replay to choose)"
            )
        output = {
            "groups": [
                {"id": g["id"], "members": g["members"], "representative": g["representative"], "repness": g["repness"]}
                for g in result["groups"]
            ],
            "consensus": result["consensus"],
            "divisive": result["divisive"],
            "consensus_detail": result["consensus_detail"],
            "divisive_detail": result["divisive_detail"],
            "params": result["params"],
            "k_scores": result["k_scores"],
        }
        output["excluded_statements"] = sorted(set(excluded) & {vote[1] for vote in votes})
        write_json(options["out"], output)
        for note in notes:
            self.stdout.write(note)
        self.stdout.write(
            f"{len(output['groups'])} groups of {result['params']['participants_in_conversation']} participants, "
            f"{result['params']['statements']} statements → {options['out']}"
        )

    def vote_rows(self, path: str) -> tuple[list[tuple], bool, str | None]:
        """The votes of a long CSV (one row per vote), whether it is a Polis votes.csv, and its time column."""
        from ml.compare_polis import vote_value

        rows, columns = read_csv(path, ["participant", "statement", "vote"], ALIASES)
        time_column = next((c for c in TIME_COLUMNS if rows and c in rows[0]), None)
        votes = []
        for line, row in enumerate(rows, start=2):
            participant = (row.get(columns["participant"]) or "").strip()
            statement = (row.get(columns["statement"]) or "").strip()
            raw_vote = (row.get(columns["vote"]) or "").strip()
            if not participant or not statement:
                raise CommandError(f"{path}, line {line}: participant and statement must not be empty")
            try:
                vote = vote_value(raw_vote)
            except ValueError:
                raise CommandError(f"{path}, line {line}: vote must be 1, -1 or 0, got {raw_vote!r}") from None
            if time_column is None:
                votes.append((participant, statement, vote))
            else:
                votes.append((participant, statement, vote, self.seconds(row.get(time_column), path, line)))
        polis_export = columns["participant"] == "voter-id" and columns["statement"] == "comment-id"
        return votes, polis_export, time_column

    @staticmethod
    def is_participants_votes(path: str) -> bool:
        """Whether the file's header is a Polis participants-votes.csv's (participant, …, n-disagree, ids)."""
        try:
            with open(path, encoding="utf-8-sig", newline="") as handle:
                header = {name.strip() for name in next(csv.reader(handle), [])}
        except (OSError, UnicodeDecodeError, csv.Error):
            return False  # read_csv says what is wrong with it
        return {"participant", "n-disagree"} <= header and "statement" not in header

    def participants_votes(self, options, notes: list[str]) -> list[tuple]:
        """The votes of a Polis participants-votes.csv, read from the export's votes.csv beside it (in time
        order, with their times) when that log ends in the same votes."""
        from ml.compare_polis import read_participants_votes

        path = Path(options["csv"])
        try:
            self.polis_conversation = read_participants_votes(path)
            votes = self.polis_conversation.votes
        except UnicodeDecodeError:
            raise CommandError(f"{path}: not UTF-8 text; save the file as UTF-8 CSV and try again") from None
        except (ValueError, csv.Error) as exc:
            raise CommandError(str(exc)) from None
        log_file = path.parent / "votes.csv"
        if not log_file.is_file():
            return votes
        try:
            log, _, time_column = self.vote_rows(str(log_file))
        except CommandError as exc:
            notes.append(f"{log_file} not read ({exc}): the votes are taken in this file's order")
            return votes
        if time_column is None:
            notes.append(f"{log_file} has no time column: the votes are taken in this file's order")
            return votes
        if not self.ends_in(log, votes):
            notes.append(f"{log_file} does not end in this file's votes: they are taken in this file's order")
            return votes
        notes.append(f"votes read with their times from {log_file}")
        return log

    @staticmethod
    def ends_in(log: list[tuple], votes: list[tuple]) -> bool:
        """Whether a timed vote log's latest vote on each (participant, statement) are exactly ``votes``."""
        latest = {}
        for participant, statement, vote, _when in sorted(log, key=lambda row: row[3]):
            latest[(participant, statement)] = vote
        return latest == {(participant, statement): vote for participant, statement, vote in votes}

    def read_its_export(self, options, log: list[tuple], notes: list[str]) -> None:
        """A Polis ``votes.csv`` read with the export's ``participants-votes.csv`` beside it, when that holds the
        log's latest votes: who Polis grouped then picks the math and the computation, as for the export read
        from its ``participants-votes.csv`` (only *who* was grouped is read, never into which group)."""
        from ml.compare_polis import read_participants_votes

        beside = Path(options["csv"]).parent / "participants-votes.csv"
        if not beside.is_file() or not self.is_participants_votes(str(beside)):
            return
        try:
            conversation = read_participants_votes(beside)
        except (ValueError, UnicodeDecodeError, csv.Error) as exc:
            notes.append(f"{beside} not read ({exc}): the votes are grouped without it")
            return
        if not self.ends_in(log, conversation.votes):
            notes.append(f"{beside} does not hold this log's latest votes: the votes are grouped without it")
            return
        self.polis_conversation = conversation
        notes.append(f"read with the export's {beside}: who Polis grouped picks the math and the computation")

    def excluded(self, options) -> list[str]:
        excluded = [part.strip() for part in options["exclude"].split(",") if part.strip()]
        if options["comments"]:
            from ml.compare_polis import excluded_statements, read_polis_comments

            try:
                excluded += excluded_statements(read_polis_comments(Path(options["comments"])))
            except FileNotFoundError:
                raise CommandError(f"{options['comments']}: no such file") from None
            except (ValueError, UnicodeDecodeError, csv.Error) as exc:
                raise CommandError(f"{options['comments']}: {exc}") from None
        return excluded

    @staticmethod
    def seconds(raw: str | None, path: str, line: int) -> float:
        """A vote's time in Unix seconds: a number (milliseconds when it is that large) or ISO 8601."""
        raw = (raw or "").strip()
        if not raw:
            raise CommandError(f"{path}, line {line}: no time; fill the time column on every row or remove it")
        try:
            number = float(raw)
        except ValueError:
            try:
                moment = datetime.fromisoformat(raw.replace("Z", "+00:00"))
            except ValueError:
                raise CommandError(
                    f"{path}, line {line}: time {raw!r} is neither Unix seconds/milliseconds nor ISO 8601"
                ) from None
            if moment.tzinfo is None:
                moment = moment.replace(tzinfo=UTC)
            return moment.timestamp()
        if not math.isfinite(number) or number < 0:
            raise CommandError(f"{path}, line {line}: time {raw!r} is not a time")
        return number / 1000 if number > 1e11 else number  # Polis writes milliseconds
