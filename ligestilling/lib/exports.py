"""The one CSV and XLSX writer of every export (dashboard tables, dataset indicators).

* Suppression stays intact: cells come from `Cell.export_value`, so a hidden cell is
  its marker text ("<5", "(skjult)") and the hidden number is never written.
* Values are rounded as they are shown (`Cell.export_value`), so a file carries the
  same figures as the screen and the PDF, no more precision.
* One decimal mark per language: a Danish CSV writes ``3,5`` (Danish Excel reads it as a
  number in a ``;``-separated file), an English one ``3.5``; XLSX cells are numbers.
* Headers and notes in the language of the export (Danish by default: the active locale).
* The period is written in the file, below the table with the notes and the source.
* Formula injection is neutralised: a text cell starting with ``=``, ``+``, ``-``, ``@``,
  tab or carriage return gets a leading apostrophe, so Excel/LibreOffice show it as text
  instead of running it (labels can come from users, e.g. a unit's topic list).
  Numbers stay numbers (a negative difference is a number, not text).
* Intervals get their own "low"/"high" columns; notes and the source follow the table.

Pure: no app is imported; the HTTP response (file name, Content-Disposition) is made by
`ligestilling.downloads`.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from openpyxl import Workbook
from openpyxl.styles import Font

from ligestilling.lib import disclosure
from ligestilling.lib import formatting as fmt

DANGEROUS_PREFIXES = ("=", "+", "-", "@", "\t", "\r")

_WORDS = {
    "da": {"low": "nedre", "high": "øvre", "source": "Kilde: ", "period": "Periode: ", "table": "Tabel"},
    "en": {"low": "low", "high": "high", "source": "Source: ", "period": "Period: ", "table": "Table"},
}


def neutralise(value: object) -> object:
    """Text that a spreadsheet would run as a formula gets a leading apostrophe."""
    if isinstance(value, str) and value.startswith(DANGEROUS_PREFIXES):
        return "'" + value
    return value


@dataclass
class Sheet:
    """One exported table: a title, a header row, body rows and lines below it."""

    title: str
    header: list[object]
    rows: list[list[object]]
    #: Notes, the period and the source, one line each, written below the table.
    footer: list[str] = field(default_factory=list)


def period_line(period_text: str, lang: str | None = None) -> str:
    """"Periode: 1. januar 2025 – 31. december 2025" (empty without a period)."""
    return _WORDS[fmt.resolve_lang(lang)]["period"] + period_text if period_text else ""


def table_rows(
    table: disclosure.Table,
    *,
    lang: str | None = None,
    text_columns: Mapping[str, Sequence[str]] | None = None,
    intervals: bool = True,
) -> list[list[object]]:
    """Header and body rows of a `disclosure.Table`, hidden cells as their marker."""
    words = _WORDS[fmt.resolve_lang(lang)]
    with_interval = [
        intervals and any(row[j].low is not None for row in table.cells) for j in range(len(table.column_labels))
    ]
    header: list[object] = [table.row_header or ""]
    for j, label in enumerate(table.column_labels):
        header.append(label)
        if with_interval[j]:
            header += [f"{label} ({words['low']})", f"{label} ({words['high']})"]
    text_columns = dict(text_columns or {})
    header += list(text_columns)
    out: list[list[object]] = [header]
    for i, row in enumerate(table.rows):
        line: list[object] = [row.label]
        for j, cell in enumerate(row.cells):
            line.append(cell.export_value(lang))
            if with_interval[j]:
                line += list(cell.export_interval(lang))
        for values in text_columns.values():
            line.append(values[i] if i < len(values) else "")
        out.append(line)
    return out


def table_sheet(
    table: disclosure.Table,
    *,
    lang: str | None = None,
    text_columns: Mapping[str, Sequence[str]] | None = None,
    period_text: str = "",
) -> Sheet:
    """A `disclosure.Table` as a sheet: its rows, then notes, n, the period and the source."""
    words = _WORDS[fmt.resolve_lang(lang)]
    header, *rows = table_rows(table, lang=lang, text_columns=text_columns)
    footer = [*table.notes, *table.suppression_notes(lang)]
    if table.n is not None:
        footer.append(f"n = {table.n}")
    if period_text:
        footer.append(period_line(period_text, lang))
    if table.source:
        footer.append(words["source"] + table.source)
    return Sheet(title=table.title, header=header, rows=rows, footer=footer)


def _sheet(item, lang: str | None, period_text: str) -> Sheet:
    if isinstance(item, Sheet):
        return item
    if isinstance(item, disclosure.Table):
        return table_sheet(item, lang=lang, period_text=period_text)
    table, texts = item
    return table_sheet(table, lang=lang, text_columns=texts, period_text=period_text)


def _csv_value(value: object, lang: str) -> object:
    # Neutralised first (text only), then numbers get the language's decimal mark: a
    # negative number is written "-3,5", a number, not text that could run.
    value = neutralise(value)
    if isinstance(value, bool) or not isinstance(value, int | float):
        return value
    return fmt.plain_number(value, lang)


def write_csv(
    item: Sheet | disclosure.Table,
    *,
    lang: str | None = None,
    text_columns: Mapping[str, Sequence[str]] | None = None,
    period_text: str = "",
) -> bytes:
    """UTF-8 CSV with BOM (Excel opens Danish letters right), ``;`` separated as Danish Excel
    expects; the title first, the notes, the period and the source after the table."""
    lang = fmt.resolve_lang(lang)
    sheet = _sheet(item if text_columns is None else (item, text_columns), lang, period_text)
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";", lineterminator="\r\n")
    if sheet.title:
        writer.writerow([neutralise(sheet.title)])
    for row in [sheet.header, *sheet.rows]:
        writer.writerow([_csv_value(v, lang) for v in row])
    for line in sheet.footer:
        if line:
            writer.writerow([neutralise(line)])
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")


def write_xlsx(
    items: Sequence[Sheet | disclosure.Table | tuple[disclosure.Table, Mapping[str, Sequence[str]] | None]]
    | Sheet | disclosure.Table,
    *,
    lang: str | None = None,
    text_columns: Mapping[str, Sequence[str]] | None = None,
    period_text: str = "",
) -> bytes:
    """An XLSX workbook, one sheet per table (a single table or sheet, or a list of tables,
    (table, text_columns) pairs or sheets); cells hold numbers, not text."""
    lang = fmt.resolve_lang(lang)
    if isinstance(items, Sheet | disclosure.Table):
        items = [items if text_columns is None else (items, text_columns)]
    workbook = Workbook()
    workbook.remove(workbook.active)
    used: set[str] = set()
    for index, item in enumerate(items, start=1):
        sheet = _sheet(item, lang, period_text)
        ws = workbook.create_sheet(_sheet_name(sheet.title or f"{_WORDS[lang]['table']} {index}", used))
        ws.append([neutralise(sheet.title)])
        ws["A1"].font = Font(bold=True)
        ws.append([neutralise(v) for v in sheet.header])
        for cell in ws[ws.max_row]:
            cell.font = Font(bold=True)
        for row in sheet.rows:
            ws.append([neutralise(v) for v in row])
        for line in sheet.footer:
            if line:
                ws.append([neutralise(line)])
        ws.column_dimensions["A"].width = 36
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
