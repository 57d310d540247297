"""CSV and XLSX writers for a `disclosure.Table` (reusable by other apps).

* Suppression stays intact: cells come from `Cell.export_value`, so a hidden cell is
  its marker text ("<5", "(skjult)") and the hidden number is never written.
* Formula injection is neutralised: a text cell starting with ``=``, ``+``, ``-``, ``@``,
  tab or carriage return gets a leading apostrophe, so Excel/LibreOffice show it as text
  instead of running it (labels can come from users, e.g. a unit's topic list).
  Numbers stay numbers (a negative difference is a number, not text).
* Intervals get their own "low"/"high" columns; notes and the source follow the table.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Mapping, Sequence

from ligestilling.lib import disclosure

DANGEROUS_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


def neutralise(value: object) -> object:
    """Text that a spreadsheet would run as a formula gets a leading apostrophe."""
    if isinstance(value, str) and value.startswith(DANGEROUS_PREFIXES):
        return "'" + value
    return value


def table_rows(
    table: disclosure.Table,
    *,
    lang: str = "da",
    text_columns: Mapping[str, Sequence[str]] | None = None,
    intervals: bool = True,
) -> list[list[object]]:
    """Header and body rows, values neutralised; hidden cells as their marker."""
    low_word, high_word = ("nedre", "øvre") if lang == "da" else ("low", "high")
    with_interval = [
        intervals and any(row[j].low is not None for row in table.cells) for j in range(len(table.column_labels))
    ]
    header: list[object] = [table.row_header or ""]
    for j, label in enumerate(table.column_labels):
        header.append(label)
        if with_interval[j]:
            header += [f"{label} ({low_word})", f"{label} ({high_word})"]
    text_columns = dict(text_columns or {})
    header += list(text_columns)
    out: list[list[object]] = [[neutralise(h) for h in header]]
    for i, row in enumerate(table.rows):
        line: list[object] = [row.label]
        for j, cell in enumerate(row.cells):
            line.append(cell.export_value(lang))
            if with_interval[j]:
                if cell.suppressed:
                    marker = cell.export_value(lang)
                    line += [marker, marker]
                else:
                    line += ["" if cell.low is None else cell.low, "" if cell.high is None else cell.high]
        for values in text_columns.values():
            line.append(values[i] if i < len(values) else "")
        out.append([neutralise(v) for v in line])
    return out


def _footer(table: disclosure.Table, lang: str) -> list[str]:
    lines = [*table.notes, *table.suppression_notes(lang)]
    if table.n is not None:
        lines.append(f"n = {table.n}")
    if table.source:
        lines.append(("Kilde: " if lang == "da" else "Source: ") + table.source)
    return [str(neutralise(line)) for line in lines]


def write_csv(
    table: disclosure.Table,
    *,
    lang: str = "da",
    text_columns: Mapping[str, Sequence[str]] | None = None,
) -> bytes:
    """UTF-8 CSV with BOM (Excel opens Danish letters right), ``;`` separated as Danish Excel expects.

    Numbers use ``.`` as decimal mark so other tools read them; the title comes first.
    """
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";", lineterminator="\r\n")
    if table.title:
        writer.writerow([neutralise(table.title)])
    writer.writerows(table_rows(table, lang=lang, text_columns=text_columns))
    for line in _footer(table, lang):
        writer.writerow([line])
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")


def write_xlsx(
    tables: Sequence[tuple[disclosure.Table, Mapping[str, Sequence[str]] | None]] | disclosure.Table,
    *,
    lang: str = "da",
    text_columns: Mapping[str, Sequence[str]] | None = None,
) -> bytes:
    """An XLSX workbook, one sheet per table (a single table, or (table, text_columns) pairs)."""
    from openpyxl import Workbook
    from openpyxl.styles import Font

    if isinstance(tables, disclosure.Table):
        tables = [(tables, text_columns)]
    workbook = Workbook()
    workbook.remove(workbook.active)
    used: set[str] = set()
    for index, (table, texts) in enumerate(tables, start=1):
        name = _sheet_name(table.title or f"Tabel {index}", used)
        sheet = workbook.create_sheet(name)
        sheet.append([neutralise(table.title)])
        sheet["A1"].font = Font(bold=True)
        rows = table_rows(table, lang=lang, text_columns=texts)
        for r, row in enumerate(rows):
            sheet.append(row)
            if r == 0:
                for cell in sheet[sheet.max_row]:
                    cell.font = Font(bold=True)
        for line in _footer(table, lang):
            sheet.append([line])
        sheet.column_dimensions["A"].width = 36
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _sheet_name(title: str, used: set[str]) -> str:
    cleaned = "".join("_" if c in "[]:*?/\\" else c for c in title).strip("'") or "Tabel"
    base = cleaned[:28]
    name, k = base, 2
    while name.lower() in used:
        name = f"{base[:25]} {k}"
        k += 1
    used.add(name.lower())
    return name
