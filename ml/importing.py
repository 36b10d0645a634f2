"""Opinions from outside the platform: a CSV or Excel (xlsx) file read into rows, then the chosen columns.

Staff upload public-comment submissions, inquiry logs, survey free text or exported posts; the analysis
runs on them as on the platform's own opinions, without turning rows into proposals.

- :func:`read_table` decodes the upload: CSV in UTF-8 (with or without BOM), Shift_JIS / CP932 (what Excel
  writes on Japanese Windows) or UTF-16 with BOM (Excel's "Unicode text", tab-separated); the delimiter is
  detected (comma, tab, semicolon); or the first sheet of an xlsx workbook. The first non-empty row is the
  header.
- :func:`pick_opinions` takes the text / id / date / attribute columns staff chose and returns the
  opinions, leaving out rows with an empty text (counted).

Any problem raises :class:`TableError` with a translated message for the person who uploaded the file, and
nothing is returned — the caller stores everything or nothing (``ml.services.external_import``).
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
from dataclasses import dataclass, field

from django.utils.translation import gettext as _

MAX_BYTES = 50 * 1024 * 1024
MAX_ROWS = 100_000
MAX_TEXT_CHARS = 20_000
MAX_ID_CHARS = 200


class TableError(ValueError):
    """A file or column choice that cannot be imported; ``str(error)`` is the message for staff."""


@dataclass
class Table:
    columns: list[str]
    rows: list[list[str]]  # data rows, each as long as ``columns``
    kind: str  # "csv" or "xlsx"
    encoding: str = ""  # for CSV
    first_line: int = 2  # the file's line / spreadsheet row number of rows[0]
    line_numbers: list[int] = field(default_factory=list)  # per row (empty rows are skipped)

    def line(self, index: int) -> int:
        return self.line_numbers[index] if self.line_numbers else self.first_line + index


@dataclass
class Opinions:
    items: list[dict]  # {"id", "text", "date" (ISO or ""), "attributes": {column: value}, "line"}
    skipped_empty: int
    truncated: int


def read_table(data: bytes, filename: str, *, max_rows: int = MAX_ROWS, max_bytes: int = MAX_BYTES) -> Table:
    """The header and rows of an uploaded CSV / xlsx file (see the module docstring)."""
    if not data:
        raise TableError(_("The file is empty."))
    if len(data) > max_bytes:
        raise TableError(_("The file is larger than %(size)d MB.") % {"size": max_bytes // (1024 * 1024)})
    name = (filename or "").lower()
    if name.endswith(".xls") or data[:8] == b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1":
        raise TableError(_("Old Excel files (.xls) cannot be read. Save the file as .xlsx or as CSV (UTF-8)."))
    if name.endswith((".xlsx", ".xlsm")) or data[:4] == b"PK\x03\x04":
        return _read_xlsx(data, max_rows)
    return _read_csv(data, max_rows)


def _decode(data: bytes) -> tuple[str, str]:
    if data[:2] in (b"\xff\xfe", b"\xfe\xff"):
        try:
            return data.decode("utf-16"), "utf-16"
        except UnicodeDecodeError:
            pass
    for encoding in ("utf-8-sig", "cp932"):
        try:
            return data.decode(encoding), ("utf-8" if encoding == "utf-8-sig" else "cp932")
        except UnicodeDecodeError:
            continue
    raise TableError(
        _(
            "The file is neither UTF-8 nor Shift_JIS (CP932) text. Save it as “CSV UTF-8” or as an Excel workbook (.xlsx)."
        )
    )


def _read_csv(data: bytes, max_rows: int) -> Table:
    text, encoding = _decode(data)
    if "\x00" in text:
        raise TableError(_("The file is not a text (CSV) file. Upload a CSV or an Excel workbook (.xlsx)."))
    sample = text[:65536]
    try:
        delimiter = csv.Sniffer().sniff(sample, delimiters=",\t;").delimiter
    except csv.Error:
        delimiter = "\t" if sample.count("\t") > sample.count(",") else ","
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    header, rows, lines = None, [], []
    try:
        for row in reader:
            if not any(cell.strip() for cell in row):
                continue
            if header is None:
                header = row
                continue
            if len(rows) >= max_rows:
                raise TableError(_("The file has more than %(count)s rows.") % {"count": f"{max_rows:,}"})
            rows.append(row)
            lines.append(reader.line_num)
    except csv.Error as error:
        raise TableError(
            _("The file could not be read as CSV (line %(line)d): %(error)s")
            % {"line": reader.line_num, "error": error}
        ) from error
    return _table(header, rows, "csv", encoding, lines)


def _cell(value) -> str:
    if value is None:
        return ""
    if isinstance(value, dt.datetime):
        return value.date().isoformat() if value.time() == dt.time() else value.isoformat(sep=" ")
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _read_xlsx(data: bytes, max_rows: int) -> Table:
    import zipfile

    from openpyxl import load_workbook

    try:
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except (zipfile.BadZipFile, KeyError, OSError, ValueError) as error:
        raise TableError(_("The file is not a readable Excel workbook (.xlsx).")) from error
    try:
        sheet = workbook.worksheets[0] if workbook.worksheets else None
        if sheet is None:
            raise TableError(_("The workbook has no sheet."))
        header, rows, lines = None, [], []
        for number, values in enumerate(sheet.iter_rows(values_only=True), start=1):
            row = [_cell(v) for v in values]
            if not any(cell.strip() for cell in row):
                continue
            if header is None:
                header = row
                continue
            if len(rows) >= max_rows:
                raise TableError(_("The file has more than %(count)s rows.") % {"count": f"{max_rows:,}"})
            rows.append(row)
            lines.append(number)
    finally:
        workbook.close()
    return _table(header, rows, "xlsx", "", lines)


def _table(header: list[str] | None, rows: list[list[str]], kind: str, encoding: str, lines: list[int]) -> Table:
    if header is None:
        raise TableError(_("The file has no header row."))
    if not rows:
        raise TableError(_("The file has a header row but no rows below it."))
    width = max(len(header), *(len(r) for r in rows))
    columns: list[str] = []
    for position in range(width):
        name = header[position].strip() if position < len(header) else ""
        name = name or _("Column %(number)d") % {"number": position + 1}
        base, copy = name, 2
        while name in columns:  # the same heading twice: "メモ", "メモ (2)"
            name = f"{base} ({copy})"
            copy += 1
        columns.append(name)
    padded = [r + [""] * (width - len(r)) for r in rows]
    return Table(columns=columns, rows=padded, kind=kind, encoding=encoding, line_numbers=lines)


_DATE_PATTERNS = [
    re.compile(r"^(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})(?:[ T].*)?$"),
    re.compile(r"^(\d{4})年\s*(\d{1,2})月\s*(\d{1,2})日"),
]
_ERA = {"令和": 2018, "平成": 1988, "R": 2018, "H": 1988}
_ERA_PATTERN = re.compile(r"^(令和|平成|R|H)\s*(\d{1,2}|元)[年.]\s*(\d{1,2})[月.]\s*(\d{1,2})日?$")


def parse_date(value: str) -> str | None:
    """An ISO date for 2026-01-31, 2026/1/31, 2026年1月31日, 令和8年1月31日, R8.1.31; None if not a date."""
    import unicodedata

    value = unicodedata.normalize("NFKC", value or "").strip()
    for pattern in _DATE_PATTERNS:
        match = pattern.match(value)
        if match:
            year, month, day = (int(x) for x in match.groups())
            break
    else:
        match = _ERA_PATTERN.match(value)
        if not match:
            return None
        era, year_text, month_text, day_text = match.groups()
        year = _ERA[era] + (1 if year_text == "元" else int(year_text))
        month, day = int(month_text), int(day_text)
    try:
        return dt.date(year, month, day).isoformat()
    except ValueError:
        return None


def with_title(title: str, text: str) -> str:
    """An opinion with a title (a subject line, a proposal's title): the title, then the text on the next line
    — how proposals are analysed; either alone when the other is empty."""
    return "\n".join(part for part in (title.strip(), text.strip()) if part)


def pick_opinions(
    table: Table,
    *,
    text_column: str,
    title_column: str | None = None,
    id_column: str | None = None,
    date_column: str | None = None,
    attribute_columns: list[str] | tuple[str, ...] = (),
) -> Opinions:
    """The opinions of ``table`` from the chosen columns. Rows with an empty text are left out (counted);
    texts over MAX_TEXT_CHARS are cut (counted). Without an id column, the file's line number is the id.
    Ids must be unique; dates must be dates (an empty date is allowed).

    With a ``title_column`` (a subject line, 「件名」, a proposal's title) an opinion is its title and its
    text on the next line, as a proposal is analysed (``title\ntext``); a row with only a title is kept."""
    chosen = [text_column, title_column, id_column, date_column, *attribute_columns]
    missing = [c for c in chosen if c and c not in table.columns]
    if missing:
        raise TableError(
            _("The file has no column “%(column)s”. Its columns are: %(columns)s.")
            % {"column": missing[0], "columns": "、".join(table.columns)}
        )
    position = {name: i for i, name in enumerate(table.columns)}
    items, seen, skipped, truncated = [], {}, 0, 0
    for index, row in enumerate(table.rows):
        line = table.line(index)
        text = row[position[text_column]].strip()
        if title_column:
            text = with_title(row[position[title_column]], text)
        if not text:
            skipped += 1
            continue
        if len(text) > MAX_TEXT_CHARS:
            text, truncated = text[:MAX_TEXT_CHARS], truncated + 1
        item_id = row[position[id_column]].strip() if id_column else str(line)
        if not item_id:
            raise TableError(_("Line %(line)d has a text but no id.") % {"line": line})
        if len(item_id) > MAX_ID_CHARS:
            raise TableError(
                _("The id on line %(line)d is longer than %(count)d characters.")
                % {"line": line, "count": MAX_ID_CHARS}
            )
        if item_id in seen:
            raise TableError(
                _("The id “%(id)s” appears twice (lines %(first)d and %(second)d).")
                % {"id": item_id, "first": seen[item_id], "second": line}
            )
        seen[item_id] = line
        date = ""
        if date_column and row[position[date_column]].strip():
            date = parse_date(row[position[date_column]]) or ""
            if not date:
                raise TableError(
                    _("Line %(line)d: “%(value)s” is not a date (write e.g. 2026-01-31 or 2026/1/31).")
                    % {"line": line, "value": row[position[date_column]].strip()[:40]}
                )
        items.append(
            {
                "id": item_id,
                "text": text,
                "date": date,
                "attributes": {name: row[position[name]].strip() for name in attribute_columns},
                "line": line,
            }
        )
    if not items:
        raise TableError(_("The column “%(column)s” has no text in any row.") % {"column": text_column})
    return Opinions(items=items, skipped_empty=skipped, truncated=truncated)
