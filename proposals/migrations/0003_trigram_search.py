"""Trigram GIN indexes for the proposal text search, on PostgreSQL only (SQLite scans; see selectors).

``icontains`` compiles to ``UPPER(col::text) LIKE UPPER('%…%')`` on PostgreSQL, so the indexes are on
``UPPER(col)``: a search of three or more characters (図書館, ベンチ, …) becomes a bitmap index scan
instead of reading every proposal. pg_trgm needs a ctype that classes Japanese as letters
(C.UTF-8, ja_JP.UTF-8 do; plain "C" does not).
"""

from django.db import migrations

INDEXES = {
    "proposal_title_trgm": "title",
    "proposal_body_trgm": "body",
}


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    for name, column in INDEXES.items():
        schema_editor.execute(
            f"CREATE INDEX IF NOT EXISTS {name} ON proposals_proposal USING gin (UPPER({column}) gin_trgm_ops)"
        )


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for name in INDEXES:
        schema_editor.execute(f"DROP INDEX IF EXISTS {name}")


class Migration(migrations.Migration):
    dependencies = [("proposals", "0002_list_indexes_tally")]

    operations = [migrations.RunPython(forwards, backwards)]
