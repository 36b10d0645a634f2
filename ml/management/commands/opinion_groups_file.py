"""Polis-style opinion groups from a vote table.

    python manage.py opinion_groups_file VOTES.csv --out OUT.json

VOTES.csv has columns participant,statement,vote (1 agree, -1 disagree, 0 pass); a Polis export
(voter-id, comment-id, vote) is read too.
"""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError

from ml.management.commands._common import progress_bar, read_csv, write_json

ALIASES = {"participant": ["voter-id", "pid", "participant_id"], "statement": ["comment-id", "tid", "statement_id"]}


class Command(BaseCommand):
    help = "Compute vote-based opinion groups (Polis's method) and write them as JSON."

    def add_arguments(self, parser):
        parser.add_argument("csv", help="UTF-8 CSV with columns participant,statement,vote")
        parser.add_argument(
            "--groups", type=int, default=None, help="fixed number of groups (default: 2-5 by silhouette)"
        )
        parser.add_argument("--seed", type=int, default=0)
        parser.add_argument("--out", required=True)

    def handle(self, *args, **options):
        rows, columns = read_csv(options["csv"], ["participant", "statement", "vote"], ALIASES)
        votes = []
        for line, row in enumerate(rows, start=2):
            participant = (row.get(columns["participant"]) or "").strip()
            statement = (row.get(columns["statement"]) or "").strip()
            raw_vote = (row.get(columns["vote"]) or "").strip()
            if not participant or not statement:
                raise CommandError(f"{options['csv']}, line {line}: participant and statement must not be empty")
            try:
                vote = int(float(raw_vote))
            except ValueError:
                raise CommandError(
                    f"{options['csv']}, line {line}: vote must be 1, -1 or 0, got {raw_vote!r}"
                ) from None
            if vote not in (1, -1, 0) or float(raw_vote) != vote:
                raise CommandError(f"{options['csv']}, line {line}: vote must be 1, -1 or 0, got {raw_vote!r}")
            votes.append((participant, statement, vote))
        if len(votes) < 2:
            raise CommandError(f"{options['csv']}: need more than one vote to find opinion groups")
        if options["groups"] is not None and not 2 <= options["groups"] <= 5:
            raise CommandError("--groups must be between 2 and 5")
        from ml.opinion_groups import opinion_groups

        with progress_bar("opinion_groups_file") as progress:
            try:
                result = opinion_groups(votes, seed=options["seed"], k=options["groups"], progress=progress)
            except ValueError as exc:
                raise CommandError(f"{options['csv']}: {exc}") from None
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
        write_json(options["out"], output)
        self.stdout.write(
            f"{len(output['groups'])} groups of {result['params']['participants_in_conversation']} participants, "
            f"{result['params']['statements']} statements → {options['out']}"
        )
