"""Bulk create and update of results from a CSV or xlsx sheet that a department keeps.

Rows are matched by ``external_id``: a new id creates a result, a known id updates it. Only the
columns present in the file are changed. Everything is checked first and every problem is reported
with its row number; then the whole sheet is applied in one transaction, or nothing is (any error,
including one found while applying, such as a parent cycle, rolls the whole sheet back). A dry run
applies the sheet inside the transaction to compute exactly what would change, then rolls back.
"""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from accountability import services, validation
from accountability.models import Department, Result, ResultEvent, ResultPlace, ResultProposal, ResultStatus
from participation.core import consultations

MAX_BYTES = 2 * 1024 * 1024
MAX_ROWS = 2000
COLUMNS = (
    "external_id", "consultation", "title", "title_en", "description", "description_en", "category",
    "department", "status", "progress", "start_date", "end_date", "budget_planned", "budget_spent", "parent",
    "weight", "proposals", "place", "latitude", "longitude",
)
REQUIRED = ("external_id", "title", "status")


@dataclass
class RowOutcome:
    line: int  # the row number as the spreadsheet shows it (header is row 1)
    external_id: str
    action: str = ""  # "create", "update", "unchanged"
    changes: dict[str, tuple[Any, Any]] = field(default_factory=dict)
    errors: list[str] = field(default_factory=list)


@dataclass
class ImportOutcome:
    rows: list[RowOutcome]
    errors: list[str] = field(default_factory=list)  # problems with the file itself
    applied: bool = False
    dry_run: bool = True

    @property
    def ok(self) -> bool:
        return not self.errors and not any(r.errors for r in self.rows)

    def count(self, action: str) -> int:
        return sum(1 for r in self.rows if r.action == action)


class _Rollback(Exception):
    pass


# --- reading files --------------------------------------------------------------------------


def _cell(value) -> Any:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if hasattr(value, "isoformat"):
        return value.date().isoformat() if hasattr(value, "date") and callable(value.date) else value.isoformat()
    return str(value).strip()


def read_sheet(uploaded) -> list[dict[str, Any]]:
    """Rows as dicts keyed by the header (lower case). Raises ValidationError for an unreadable file."""
    name = (getattr(uploaded, "name", "") or "").lower()
    if getattr(uploaded, "size", 0) and uploaded.size > MAX_BYTES:
        raise ValidationError(_("The file is too large (at most 2 MB)."))
    data = uploaded.read(MAX_BYTES + 1)
    if len(data) > MAX_BYTES:
        raise ValidationError(_("The file is too large (at most 2 MB)."))
    if name.endswith(".xlsx") or data[:2] == b"PK":
        table = _read_xlsx(data)
    elif name.endswith(".csv") or not name:
        table = _read_csv(data)
    else:
        raise ValidationError(_("Upload a .csv or .xlsx file."))
    if not table:
        raise ValidationError(_("The file is empty."))
    header = [str(h or "").strip().lower() for h in table[0]]
    unknown = [h for h in header if h and h not in COLUMNS]
    if unknown:
        raise ValidationError(_("Unknown columns: %(names)s. Known columns: %(known)s.") % {
            "names": ", ".join(unknown), "known": ", ".join(COLUMNS)})
    missing = [c for c in REQUIRED if c not in header]
    if missing:
        raise ValidationError(_("Missing columns: %(names)s.") % {"names": ", ".join(missing)})
    rows = []
    for values in table[1:]:
        if not any(_cell(v) for v in values):
            continue
        rows.append({h: _cell(values[i]) if i < len(values) else "" for i, h in enumerate(header) if h})
    if len(rows) > MAX_ROWS:
        raise ValidationError(_("At most %(n)d rows per file.") % {"n": MAX_ROWS})
    return rows


def _read_csv(data: bytes) -> list[list[str]]:
    for encoding in ("utf-8-sig", "cp932"):  # Excel in Japan saves CSV as Shift_JIS (cp932)
        try:
            text = data.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    else:
        raise ValidationError(_("The CSV file is neither UTF-8 nor Shift_JIS."))
    return list(csv.reader(io.StringIO(text)))


def _read_xlsx(data: bytes) -> list[list[Any]]:
    import zipfile

    from openpyxl import load_workbook

    try:
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except (zipfile.BadZipFile, KeyError, OSError, ValueError):
        raise ValidationError(_("This is not a readable .xlsx file.")) from None
    try:
        sheet = workbook.worksheets[0]
        return [list(row) for _i, row in zip(range(MAX_ROWS + 2), sheet.iter_rows(values_only=True), strict=False)]
    finally:
        workbook.close()


# --- checking and applying ------------------------------------------------------------------


def _messages(exc: ValidationError) -> list[str]:
    if hasattr(exc, "error_dict"):
        return [str(m) for messages in exc.message_dict.values() for m in messages]
    return [str(m) for m in exc.messages]


def _int(value, name: str, *, minimum: int = 0) -> int | None:
    if value in (None, ""):
        return None
    text = str(value).replace(",", "").strip()
    if not re.fullmatch(r"-?\d+", text):
        raise ValidationError(_("%(column)s: “%(value)s” is not a whole number.") % {"column": name, "value": value})
    number = int(text)
    if number < minimum:
        raise ValidationError(_("%(column)s: must be at least %(min)d.") % {"column": name, "min": minimum})
    return number


class _Lookups:
    def __init__(self):
        self.pages = {}
        found = consultations.provider()
        for page in (found.pages().select_related("locale") if found is not None else []):
            canonical = page.canonical
            self.pages[str(page.pk)] = canonical
            self.pages[page.slug] = canonical
        self.statuses = {}
        for status in ResultStatus.objects.all():
            for key in (status.key, status.name, status.name_en):
                if key:
                    self.statuses[key.lower()] = status
        self.departments = {}
        for department in Department.objects.all():
            for key in (department.slug, department.name, department.name_en):
                if key:
                    self.departments[key.lower()] = department


def _plan_row(row: dict[str, Any], lookups: _Lookups, file_ids: set[str]) -> tuple[dict[str, Any], list[str]]:
    """Turn one row into field values, collecting every problem (not only the first)."""
    errors: list[str] = []
    plan: dict[str, Any] = {}

    def attempt(func):
        try:
            func()
        except ValidationError as exc:
            errors.extend(_messages(exc))

    external_id = row.get("external_id", "")
    if not external_id:
        errors.append(_("external_id is empty."))
    elif len(external_id) > 64:
        errors.append(_("external_id can have at most 64 characters."))
    consultation = None
    if "consultation" in row:
        if row["consultation"]:
            consultation = lookups.pages.get(row["consultation"])
            if consultation is None:
                errors.append(_("Unknown consultation “%(value)s” (use its page id or slug).") % {"value": row["consultation"]})
        plan["consultation"] = consultation
    for name in ("title", "title_en", "description", "description_en"):
        if name in row:
            plan[name] = row[name]
    if "status" in row:
        status = lookups.statuses.get(row["status"].lower()) if row["status"] else None
        if status is None:
            errors.append(_("Unknown status “%(value)s”. Known: %(known)s.") % {
                "value": row["status"], "known": ", ".join(ResultStatus.objects.values_list("key", flat=True))})
        plan["status"] = status
    if "department" in row:
        department = lookups.departments.get(row["department"].lower()) if row["department"] else None
        if row["department"] and department is None:
            errors.append(_("Unknown department “%(value)s”.") % {"value": row["department"]})
        plan["department"] = department
    if "category" in row:
        plan["category_slug"] = row["category"]
    if "progress" in row:
        attempt(lambda: plan.__setitem__("progress_override", validation.check_progress(row["progress"])))
    for name in ("start_date", "end_date"):
        if name in row:
            attempt(lambda name=name: plan.__setitem__(name, services.parse_date(row[name], field=name)))
    for name in ("budget_planned", "budget_spent"):
        if name in row:
            attempt(lambda name=name: plan.__setitem__(name, _int(row[name], name)))
    if "weight" in row:
        attempt(lambda: plan.__setitem__("weight", _int(row["weight"], "weight") if row["weight"] else 1))
    if "parent" in row:
        parent = row["parent"]
        if parent and parent == external_id:
            errors.append(_("A result cannot be its own parent."))
        elif parent and parent not in file_ids and not Result.objects.filter(external_id=parent).exists():
            errors.append(_("Unknown parent “%(value)s” (no result has this external_id).") % {"value": parent})
        plan["parent_external_id"] = parent
    if "proposals" in row:
        ids = []
        for token in re.split(r"[\s,;、]+", row["proposals"]):
            if not token:
                continue
            if not token.lstrip("#").isdigit():
                errors.append(_("proposals: “%(value)s” is not a proposal number.") % {"value": token})
                continue
            ids.append(int(token.lstrip("#")))
        plan["proposal_ids"] = ids
    if "latitude" in row or "longitude" in row:
        lat, lon = row.get("latitude", ""), row.get("longitude", "")
        if lat or lon:
            attempt(lambda: plan.__setitem__("place", (row.get("place", "")[:120], *validation.check_place(lat, lon))))
        else:
            plan["place"] = None
    return plan, errors


def _display(value) -> Any:
    if value is None:
        return ""
    if hasattr(value, "key"):
        return value.key
    if hasattr(value, "slug"):
        return value.slug
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return value


def _apply_row(outcome: RowOutcome, plan: dict[str, Any], actor) -> None:
    """Write one planned row (inside the import's transaction); records what changed."""
    from proposals.models import Proposal

    result = Result.objects.select_related("status", "department", "category").filter(
        external_id=outcome.external_id).first()
    is_new = result is None
    if is_new:
        if plan.get("status") is None:
            raise ValidationError(_("A new result needs a status."))
        result = Result(external_id=outcome.external_id, status=plan["status"])
    fields: dict[str, Any] = {}
    consultation = plan.get("consultation", result.consultation)
    if "consultation" in plan:
        fields["consultation"] = consultation
    for name in ("title", "title_en", "description", "description_en", "status", "department", "progress_override",
                 "start_date", "end_date", "budget_planned", "budget_spent", "weight"):
        if name in plan:
            fields[name] = plan[name]
    if "category_slug" in plan:
        category = None
        if plan["category_slug"]:
            category = consultation.categories.filter(slug=plan["category_slug"]).first() if consultation else None
            if category is None:
                raise ValidationError(_("Unknown category “%(value)s” for this consultation.") % {"value": plan["category_slug"]})
        fields["category"] = category
    if "parent_external_id" in plan:
        parent = None
        if plan["parent_external_id"]:
            parent = Result.objects.filter(external_id=plan["parent_external_id"]).first()
            if parent is None:
                raise ValidationError(_("The parent “%(value)s” must come before its children in the file.")
                                      % {"value": plan["parent_external_id"]})
        fields["parent"] = parent
    for name, value in fields.items():
        old = None if is_new else getattr(result, name)
        if is_new or _display(old) != _display(value):
            outcome.changes[name] = (_display(old), _display(value))
    if "consultation" in fields:
        result.consultation = fields["consultation"]
    services._apply_fields(result, {k: v for k, v in fields.items() if k in services.RESULT_FIELDS})
    result.save()
    if "proposal_ids" in plan:
        wanted = set(plan["proposal_ids"])
        current = set(result.proposal_links.values_list("proposal_id", flat=True))
        for pk in sorted(wanted - current):
            proposal = Proposal.objects.select_related("author").filter(pk=pk).first()
            if proposal is None:
                raise ValidationError(_("There is no proposal #%(n)s.") % {"n": pk})
            validation.check_proposal_linkable(proposal)
            ResultProposal.objects.create(result=result, proposal=proposal)
        ResultProposal.objects.filter(result=result, proposal_id__in=current - wanted).delete()
        if wanted != current:
            outcome.changes["proposals"] = (" ".join(map(str, sorted(current))), " ".join(map(str, sorted(wanted))))
    if "place" in plan:
        current_places = list(result.places.values_list("label", "latitude", "longitude"))
        wanted_places = [plan["place"]] if plan["place"] else []
        if [tuple(p) for p in current_places] != wanted_places:
            result.places.all().delete()
            for label, lat, lon in wanted_places:
                ResultPlace.objects.create(result=result, label=label, latitude=lat, longitude=lon)
            outcome.changes["place"] = ("; ".join(f"{lat},{lon}" for _l, lat, lon in current_places),
                                        "; ".join(f"{lat},{lon}" for _l, lat, lon in wanted_places))
    outcome.action = "create" if is_new else ("update" if outcome.changes else "unchanged")
    return result


def _order(rows_with_plans):
    """Parents in the file before their children, keeping file order otherwise; a cycle keeps file order
    (the apply step then reports it)."""
    by_id = {outcome.external_id: (outcome, plan) for outcome, plan in rows_with_plans}
    done: set[str] = set()
    ordered = []

    def visit(external_id, trail):
        if external_id in done or external_id in trail or external_id not in by_id:
            return
        outcome, plan = by_id[external_id]
        parent = plan.get("parent_external_id")
        if parent:
            visit(parent, trail | {external_id})
        if external_id not in done:
            done.add(external_id)
            ordered.append((outcome, plan))

    for outcome, _plan in rows_with_plans:
        visit(outcome.external_id, frozenset())
    return ordered


def _check_file_cycles(planned) -> None:
    """Parent chains through the file (and the database for ids the file does not change) must end."""
    parents = {o.external_id: p.get("parent_external_id") for o, p in planned if "parent_external_id" in p}
    for row_outcome, _plan in planned:
        node, steps = row_outcome.external_id, 0
        while node and steps <= validation.MAX_DEPTH + 1:
            if node in parents:
                node = parents[node]
            else:
                node = Result.objects.filter(external_id=node).values_list("parent__external_id", flat=True).first()
            steps += 1
            if node == row_outcome.external_id:
                row_outcome.errors.append(_("The parent results form a cycle."))
                break


def results_import(*, rows: list[dict[str, Any]], actor, dry_run: bool = True) -> ImportOutcome:
    """Check every row, then apply all of them in one transaction (rolled back for a dry run or any error)."""
    if not actor.has_perm("accountability.import_results"):
        raise PermissionDenied(_("Only city staff can import results."))
    lookups = _Lookups()
    file_ids = {row.get("external_id", "") for row in rows}
    outcome = ImportOutcome(rows=[], dry_run=dry_run)
    planned = []
    seen: dict[str, int] = {}
    for number, row in enumerate(rows, start=2):
        row_outcome = RowOutcome(line=number, external_id=row.get("external_id", ""))
        plan, errors = _plan_row(row, lookups, file_ids)
        if row_outcome.external_id in seen:
            errors.append(_("external_id “%(value)s” also appears in row %(row)d.") % {
                "value": row_outcome.external_id, "row": seen[row_outcome.external_id]})
        seen.setdefault(row_outcome.external_id, number)
        row_outcome.errors.extend(errors)
        outcome.rows.append(row_outcome)
        planned.append((row_outcome, plan))
    _check_file_cycles(planned)
    if not outcome.ok:
        return outcome
    try:
        with transaction.atomic():
            applied = []
            for row_outcome, plan in _order(planned):
                try:
                    with transaction.atomic():
                        applied.append((row_outcome, _apply_row(row_outcome, plan, actor)))
                except ValidationError as exc:
                    row_outcome.errors.extend(_messages(exc))
            # Cycles can only be seen once every row's parent is written.
            for row_outcome, result in applied:
                result.refresh_from_db()
                try:
                    validation.check_parent(result, result.parent)
                except ValidationError as exc:
                    row_outcome.errors.extend(_messages(exc))
            if not outcome.ok:
                raise _Rollback
            for row_outcome, result in applied:
                if row_outcome.action == "unchanged":
                    continue  # nothing of its own moved; a changed child walks up through it anyway
                services.result_record_changes(
                    Result.objects.select_related("status", "department").get(pk=result.pk),
                    actor=actor, kind=ResultEvent.Kind.IMPORT, notify=not dry_run,
                )
            if dry_run:
                raise _Rollback
    except _Rollback:
        return outcome
    outcome.applied = True
    return outcome
