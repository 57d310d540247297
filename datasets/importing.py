"""Reading, detecting and validating uploaded data files (CSV and XLSX).

Pure file handling, no database: `services.import_file` drives it. Files are read in
chunks (pyarrow's streaming CSV reader, openpyxl's read-only mode), so memory stays
bounded whatever the size of the file. Every check is vectorised with pandas where
the file can be large.

The pieces:
- `open_table(path)`: the file's header and an iterator of chunks (all cells as text);
- `detect(path)`: the suggested mapping (target per column, sex codes, kind of file)
  and a preview of the first rows, for the mapping page;
- `ChunkValidator`: checks one chunk against a confirmed mapping and turns it into
  observation rows (aggregated files) or running sums (person-level files).
"""

from __future__ import annotations

import codecs
import csv
import io
import math
import re
import time
import unicodedata
import zipfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path

import numpy as np
import pandas as pd
from django.conf import settings
from django.utils.formats import number_format
from django.utils.translation import gettext as _

from ligestilling.lib import privacy

from .models import CivilStatus, Education, Measure, Origin, Sex

CHUNK_ROWS = 200_000
MAX_ERRORS_SHOWN = 100


def max_upload_bytes() -> int:
    return int(getattr(settings, "UPLOAD_MAX_BYTES", 50 * 1024 * 1024))


@dataclass(frozen=True)
class Limits:
    """What an uploaded file may contain; each is a setting (README, docs/datasets.md).

    They are checked on the file's bytes and, for .xlsx, on the zip directory before
    anything is parsed, so a wide or huge file is refused before a mapping page is built.
    """

    columns: int
    header_chars: int
    cells: int
    line_bytes: int
    xlsx_entries: int
    xlsx_uncompressed: int
    xlsx_ratio: int
    xlsx_part: int
    xlsx_shared_strings: int
    preview_seconds: float


def limits() -> Limits:
    def get(name: str, default):
        return type(default)(getattr(settings, name, default))

    return Limits(
        columns=get("DATASETS_MAX_COLUMNS", 200),
        header_chars=get("DATASETS_MAX_HEADER_CHARS", 200),
        cells=get("DATASETS_MAX_CELLS", 20_000_000),
        line_bytes=get("DATASETS_MAX_LINE_BYTES", 64 * 1024),
        xlsx_entries=get("DATASETS_XLSX_MAX_ENTRIES", 1000),
        xlsx_uncompressed=get("DATASETS_XLSX_MAX_UNCOMPRESSED", 500 * 1024 * 1024),
        xlsx_ratio=get("DATASETS_XLSX_MAX_RATIO", 200),
        xlsx_part=get("DATASETS_XLSX_MAX_PART", 250 * 1024 * 1024),
        xlsx_shared_strings=get("DATASETS_XLSX_MAX_SHARED_STRINGS", 20 * 1024 * 1024),
        preview_seconds=get("DATASETS_PREVIEW_SECONDS", 10.0),
    )


class FileRefused(Exception):
    """The whole file is refused (format, size, encoding, hostile content)."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


_clock = time.monotonic  # the budget's clock (tests move it)


class Budget:
    """How long a web request may spend reading a file (the checks and the mapping preview).

    `check()` is called between blocks, rows and reads of the zip archive, so also the
    parsing inside openpyxl stops when the time is up. `Budget()` has no limit (the task
    worker and the command line, whose work is bounded by the size limits and the lease).
    """

    def __init__(self, seconds: float | None = None):
        self.seconds = seconds
        self.deadline = _clock() + seconds if seconds else None

    def check(self) -> None:
        if self.deadline is not None and _clock() > self.deadline:
            raise TooSlow(self.seconds)


class TooSlow(FileRefused):
    def __init__(self, seconds: float):
        super().__init__(_("Reading the file took longer than the limit of %(limit)s seconds for checking an "
                           "upload, so it was stopped. Save it as CSV, which is much faster to read, or split it "
                           "into smaller files.") % {"limit": _n(int(seconds) if seconds == int(seconds) else seconds)})


def _n(value) -> str:
    """A number as the user's language writes it (100.000 in Danish)."""
    return number_format(value, force_grouping=True)


# --- Targets of the mapping ---------------------------------------------------------

IGNORE = "ignore"
INDICATOR = "indicator"
PERIOD = "period"
SEX = "sex"
AGE_BAND = "age_band"
EDUCATION = "education"
CIVIL_STATUS = "civil_status"
ORIGIN = "origin"
AREA = "area"
VALUE = "value"
NUMERATOR = "numerator"
DENOMINATOR = "denominator"
PERSON_ID = "person_id"
FLAG = "flag"
NUMBER = "number"

AGGREGATED = "aggregated"
PERSON = "person"

DIMENSION_TARGETS = (AGE_BAND, EDUCATION, CIVIL_STATUS, ORIGIN)


def target_choices() -> list[tuple[str, str]]:
    return [
        (IGNORE, _("Ignore the column")),
        (INDICATOR, _("Indicator (name)")),
        (PERIOD, _("Period (year, quarter, month)")),
        (SEX, _("Sex")),
        (AGE_BAND, _("Age band")),
        (EDUCATION, _("Education")),
        (CIVIL_STATUS, _("Civil status")),
        (ORIGIN, _("Origin")),
        (AREA, _("Area or unit")),
        (VALUE, _("Value (count, amount)")),
        (NUMERATOR, _("Numerator (count of the share)")),
        (DENOMINATOR, _("Denominator (base of the share)")),
        (PERSON_ID, _("Person or case number (person-level file)")),
        (FLAG, _("Yes/no outcome (person-level file)")),
        (NUMBER, _("Number per person, e.g. cost or hours (person-level file)")),
    ]


def target_label(target: str) -> str:
    return dict(target_choices()).get(target, target)


def normalise_text(value: str) -> str:
    value = unicodedata.normalize("NFKC", str(value)).replace("\ufeff", "").strip().lower()
    return re.sub(r"[\s_\-–—./()]+", " ", value).strip()


HEADER_ALIASES: dict[str, str] = {}
for _target, _names in {
    SEX: ["køn", "koen", "kon", "sex", "gender", "kønnet"],
    AGE_BAND: ["alder", "aldersgruppe", "age", "age band", "ageband", "age group", "aldersinterval"],
    PERIOD: ["år", "aar", "year", "periode", "period", "tid", "time", "kvartal", "quarter", "måned",
             "maaned", "month", "årstal"],
    VALUE: ["antal", "count", "value", "værdi", "vaerdi", "indhold", "andel", "gennemsnit", "mean",
            "beløb", "belob", "amount", "n"],
    NUMERATOR: ["tæller", "taeller", "numerator"],
    DENOMINATOR: ["nævner", "naevner", "denominator", "base", "grundlag"],
    INDICATOR: ["indikator", "indicator", "nøgletal", "noegletal", "mål", "maal", "measure"],
    EDUCATION: ["uddannelse", "education", "højeste fuldførte uddannelse", "uddannelsesniveau"],
    CIVIL_STATUS: ["civilstand", "civil status", "civilstatus", "marital status"],
    ORIGIN: ["herkomst", "origin"],
    AREA: ["område", "omraade", "area", "distrikt", "district", "enhed", "unit", "team"],
    PERSON_ID: ["id", "borger", "borger id", "borgerid", "løbenummer", "lobenummer", "løbenr", "sagsnr",
                "sagsnummer", "case", "case id", "pseudonym", "person", "person id", "citizen"],
}.items():
    for _name in _names:
        HEADER_ALIASES[normalise_text(_name)] = _target


def header_target(header: str) -> str | None:
    return HEADER_ALIASES.get(normalise_text(header))


# --- Category codes -------------------------------------------------------------------

SEX_CODES = {
    Sex.KVINDE: ["k", "kvinde", "kvinder", "kv", "female", "females", "f", "woman", "women", "2", "piger", "pige"],
    Sex.MAND: ["m", "mand", "mænd", "maend", "male", "males", "man", "men", "1", "drenge", "dreng"],
    Sex.ANDET: ["andet", "anden", "other", "x", "a", "3", "nonbinær", "non binary"],
    Sex.I_ALT: ["i alt", "ialt", "total", "tot", "køn i alt", "begge køn", "alle", "all", "both", "0", "t"],
}
_SEX_LOOKUP = {normalise_text(code): sex for sex, codes in SEX_CODES.items() for code in codes}


def sex_code(raw: str) -> str | None:
    return _SEX_LOOKUP.get(normalise_text(raw))


_TOTAL_WORDS = {"i alt", "ialt", "total", "tot", "alle", "all", "alder i alt", "i alt alder"}


def age_band(raw: str) -> str | None:
    text = normalise_text(raw)  # "16-24 år" -> "16 24 år"
    if text in _TOTAL_WORDS or text.endswith(" i alt") or text == "":
        return ""
    text = re.sub(r"\b(år|aar|years|year|yrs|årige)\b", " ", text)
    text = re.sub(r"\s+", " ", text).strip()
    m = re.fullmatch(r"(\d{1,3}) (\d{1,3})", text)
    if m and int(m.group(1)) <= int(m.group(2)):
        return f"{int(m.group(1))}-{int(m.group(2))}"
    m = re.fullmatch(r"(\d{1,3}) ?(\+|og derover|og over|or over|or older|plus|og ældre)", text)
    if m:
        return f"{int(m.group(1))}+"
    m = re.fullmatch(r"(under|op til|below) (\d{1,3})", text)
    if m and int(m.group(2)) > 0:
        return f"0-{int(m.group(2)) - 1}"
    m = re.fullmatch(r"\d{1,3}", text)
    if m:
        return str(int(text))
    return None


_EDUCATION_RULES = [
    (("h10", "grundskole", "primary", "basic school"), Education.GRUNDSKOLE),
    (("h20", "gymnasia", "upper secondary", "general upper"), Education.GYMNASIAL),
    (("h30", "erhvervsfag", "erhvervsudd", "vocational"), Education.ERHVERVSFAGLIG),
    (("h40", "kort videregående", "kort videregaaende", "kvu", "short cycle"), Education.KVU),
    (("h50", "mellemlang", "mvu", "professionsbachelor", "medium cycle"), Education.MVU),
    (("h70", "lang videregående", "lang videregaaende", "lvu", "kandidat", "master", "long cycle"), Education.LVU),
    (("h60", "bachelor"), Education.BACHELOR),
    (("h80", "ph d", "phd", "forsker", "doctor"), Education.PHD),
    (("h90", "uoplyst", "ukendt", "unknown", "not stated"), Education.UOPLYST),
]


def education(raw: str) -> str | None:
    text = normalise_text(raw)
    if text in _TOTAL_WORDS or text == "":
        return ""
    for keys, value in _EDUCATION_RULES:
        if text in keys or any(k in text for k in keys if len(k) > 3):
            return value
    return None


_CIVIL = {
    CivilStatus.UGIFT: ["u", "ugift", "ugifte", "unmarried", "single", "never married"],
    CivilStatus.GIFT: ["g", "gift", "gifte", "married", "gift separeret", "registreret partnerskab",
                       "gift registreret partnerskab", "gift/separeret"],
    CivilStatus.ENKE: ["e", "enke", "enkestand", "enke enkemand", "enker", "widowed", "widow"],
    CivilStatus.SKILT: ["f", "skilt", "skilte", "fraskilt", "fraskilte", "divorced"],
}
_CIVIL_LOOKUP = {normalise_text(c): v for v, codes in _CIVIL.items() for c in codes}


def civil_status(raw: str) -> str | None:
    text = normalise_text(raw)
    if text in _TOTAL_WORDS or text == "" or text == "civilstand i alt":
        return ""
    return _CIVIL_LOOKUP.get(text)


_ORIGIN = {
    Origin.DANSK: ["5", "dansk", "dansk oprindelse", "personer af dansk oprindelse", "danish", "danish origin"],
    Origin.INDVANDRER: ["4", "indvandrer", "indvandrere", "immigrant", "immigrants"],
    Origin.EFTERKOMMER: ["3", "efterkommer", "efterkommere", "descendant", "descendants"],
    Origin.UOPLYST: ["uoplyst", "ukendt", "unknown", "not stated"],
}
_ORIGIN_LOOKUP = {normalise_text(c): v for v, codes in _ORIGIN.items() for c in codes}


def origin(raw: str) -> str | None:
    text = normalise_text(raw)
    if text in _TOTAL_WORDS or text == "" or text == "herkomst i alt":
        return ""
    for prefix in ("indvandrere fra ", "efterkommere fra "):
        if text.startswith(prefix):
            text = prefix.split()[0]
    return _ORIGIN_LOOKUP.get(text)


def period(raw: str) -> str | None:
    """Normalise to "2014", "2014K1" or "2014M03"; None when not understood."""
    text = str(raw).strip().upper().replace(" ", "")
    if text == "":
        return None
    m = re.fullmatch(r"(\d{4})(?:\.0)?", text)
    if m and 1900 <= int(m.group(1)) <= 2100:
        return m.group(1)
    m = re.fullmatch(r"(\d{4})[-/]?[KQ]([1-4])", text) or re.fullmatch(r"[KQ]([1-4])[-/]?(\d{4})", text)
    if m:
        year, quarter = (m.group(1), m.group(2)) if len(m.group(1)) == 4 else (m.group(2), m.group(1))
        return f"{year}K{quarter}"
    m = re.fullmatch(r"(\d{4})[-/M](\d{1,2})(?:[-/]\d{1,2})?(?:T.*|00:00:00)?", text)
    if m and 1 <= int(m.group(2)) <= 12:
        return f"{m.group(1)}M{int(m.group(2)):02d}"
    m = re.fullmatch(r"(\d{1,2})[-/.](\d{1,2})[-/.](\d{4})", text)  # 01-03-2014 (Danish date)
    if m and 1 <= int(m.group(2)) <= 12:
        return f"{m.group(3)}M{int(m.group(2)):02d}"
    return None


YES = {"ja", "j", "yes", "y", "1", "sand", "true", "x", "1.0"}
NO = {"nej", "n", "no", "0", "falsk", "false", "0.0"}


# --- Person identifiers ------------------------------------------------------------------
#
# One detector for the whole product: ligestilling.lib.privacy (Unicode digits, dashes,
# dots, slashes and spaces inside the number). A cell needs ten digits with at most a few
# other characters between them to hold a CPR number: that pattern is the cheap vectorised
# pre-filter (as fast as a length check on numbers) before the detector runs.

_TEN_DIGITS = r"\d(?:\D{0,8}\d){9}"


def looks_like_cpr(text: str) -> bool:
    return "cpr" in privacy.find_identifiers(str(text))


def safe_value(text: str) -> str:
    """A cell as an error report may show it: a CPR number or an e-mail address masked,
    so an identifier is never echoed, stored with the report or logged."""
    kinds = privacy.find_identifiers(str(text))
    return privacy.mask_identifiers(str(text)) if {"cpr", "email"} & set(kinds) else str(text)


# --- Reading files --------------------------------------------------------------------


def is_xlsx(path: Path) -> bool:
    with open(path, "rb") as f:
        return f.read(4) == b"PK\x03\x04"


def check_size(path: Path) -> int:
    size = path.stat().st_size
    limit = max_upload_bytes()
    if size > limit:
        raise FileRefused(_("The file is %(size)s MB; the limit is %(limit)s MB. Split it into smaller files.")
                          % {"size": _mb(size), "limit": _mb(limit)})
    if size == 0:
        raise FileRefused(_("The file is empty."))
    return size


def _mb(n: int) -> str:
    return f"{n / 1024 / 1024:.1f}".replace(".", ",")


@dataclass
class TableSource:
    """An opened file: header, how it was read, and its chunks. `close()` when done."""

    header: list[str]
    kind: str  # "csv" or "xlsx"
    encoding: str = ""
    separator: str = ""
    decimal_comma: bool = False
    chunks: Callable[[], Iterator[tuple[int, pd.DataFrame]]] = field(default=lambda: iter(()))
    # Data rows in the file, counted cheaply before reading (CSV: its lines; .xlsx: the
    # sheet's dimension); an upper bound, as blank rows are skipped. For progress.
    total_rows: int = 0
    bad_rows: list[tuple[int, str]] = field(default_factory=list)
    close: Callable[[], None] = field(default=lambda: None)


def check_header(header: list[str], lim: Limits) -> None:
    if len(header) > lim.columns:
        raise FileRefused(_("The file has %(count)s columns; the limit is %(limit)s. Remove the columns you do "
                            "not need, or split the file.") % {"count": _n(len(header)), "limit": _n(lim.columns)})
    for number, name in enumerate(header, start=1):
        if len(name) > lim.header_chars:
            raise FileRefused(_("The name of column %(number)s in the first row is %(length)s characters long; "
                                "the limit is %(limit)s. Shorten the column names.")
                              % {"number": _n(number), "length": _n(len(name)), "limit": _n(lim.header_chars)})


def check_cells(rows: int, columns: int, lim: Limits) -> None:
    if rows * columns > lim.cells:
        raise FileRefused(_("The file has %(rows)s rows of %(columns)s columns, %(cells)s cells; the limit is "
                            "%(limit)s cells. Split it into smaller files.")
                          % {"rows": _n(rows), "columns": _n(columns), "cells": _n(rows * columns),
                             "limit": _n(lim.cells)})


def open_table(path: Path, chunk_rows: int = CHUNK_ROWS, budget: Budget | None = None) -> TableSource:
    """Check the file against the limits, then open it. Raises `FileRefused`."""
    path = Path(path)
    check_size(path)
    budget = budget or Budget()
    if is_xlsx(path):
        return _open_xlsx(path, chunk_rows, limits(), budget)
    return _open_csv(path, limits(), budget)


# --- CSV ---------------------------------------------------------------------------------

_SEPARATORS = (";", ",", "\t")
_NON_ASCII = re.compile(rb"[\x80-\xff]")
_DECODED_NON_ASCII = re.compile("[^\x00-\x7f\ufffd]")


@dataclass
class CsvFacts:
    """What one pass over a CSV file's bytes found (`scan_csv`)."""

    encoding: str
    separator: str
    lines: int  # header included


def scan_csv(path: Path, lim: Limits | None = None, budget: Budget | None = None) -> CsvFacts:
    """One pass over the bytes, in blocks, before any parser sees them: refuses a file with
    too many columns, a line longer than the limit, a NUL byte or two text encodings, and
    counts the lines (for the cell limit and the progress). Linear and cheap (numpy and
    bytes methods on 1 MB blocks), so the upload request can afford it."""
    lim = lim or limits()
    budget = budget or Budget()
    with open(path, "rb") as f:
        head = f.read(max(4096, lim.line_bytes + 1))
    if b"\x00" in head[:4096]:
        raise FileRefused(_("The file is neither a CSV file nor an Excel file (.xlsx)."))
    # Old Mac files end their lines with CR only.
    newline = b"\r" if b"\n" not in head and b"\r" in head else b"\n"
    code = newline[0]
    lines = 0  # line ends seen
    current = 0  # bytes of the line not ended yet
    first_line = [0, 0, 0]  # separators in line 1
    first_done = False
    too_long: tuple[int, int] | None = None  # (line, bytes)
    nul_line: int | None = None
    not_utf8: int | None = None  # the first line that is not UTF-8
    utf8_line: int | None = None  # the first line with UTF-8 text beyond ASCII
    carry = b""

    def encodings(piece: bytes, first: int) -> None:
        nonlocal not_utf8, utf8_line
        if piece.isascii():
            return
        try:
            piece.decode("utf-8")
        except UnicodeDecodeError as exc:
            if not_utf8 is None:
                not_utf8 = first + piece.count(newline, 0, exc.start)
            if utf8_line is None:
                text = piece.decode("utf-8", "replace")
                if m := _DECODED_NON_ASCII.search(text):
                    utf8_line = first + text.count(newline.decode(), 0, m.start())
        else:
            if utf8_line is None:
                utf8_line = first + piece.count(newline, 0, _NON_ASCII.search(piece).start())

    with open(path, "rb") as f:
        while block := f.read(1 << 20):
            budget.check()
            ends = np.flatnonzero(np.frombuffer(block, dtype=np.uint8) == code)
            if not first_done:
                part = block[:ends[0]] if len(ends) else block
                for k, sep in enumerate(_SEPARATORS):
                    first_line[k] += part.count(sep.encode())
                first_done = bool(len(ends))
            if nul_line is None and (at := block.find(b"\x00")) >= 0:
                nul_line = lines + block.count(newline, 0, at) + 1
            if len(ends):
                if too_long is None:
                    lengths = np.diff(ends, prepend=-1) - 1
                    lengths[0] += current
                    over = np.flatnonzero(lengths > lim.line_bytes)
                    if len(over):
                        too_long = (lines + int(over[0]) + 1, int(lengths[over[0]]))
                current = len(block) - int(ends[-1]) - 1
            else:
                current += len(block)
            if too_long is None and current <= lim.line_bytes:
                # Whole lines are decoded, so an error names its line.
                data = carry + block
                cut = data.rfind(newline) + 1
                encodings(data[:cut], lines + 1)  # carry holds no line end
                carry = data[cut:]
            else:
                carry = b""  # refused below anyway; never keep a huge line in memory
            lines += len(ends)
    if too_long is None and current > lim.line_bytes:
        too_long = (lines + 1, current)
    if carry:
        encodings(carry, lines + 1)
    total = lines + (1 if current else 0)
    columns = max(first_line) + 1
    if columns > lim.columns:
        raise FileRefused(_("The file has %(count)s columns; the limit is %(limit)s. Remove the columns you do "
                            "not need, or split the file.") % {"count": _n(columns), "limit": _n(lim.columns)})
    if too_long is not None:
        raise FileRefused(_("Line %(line)s of the file is %(size)s bytes long; the limit is %(limit)s bytes per "
                            "line. Check that the file is a table with one row per line (a CSV file saved from "
                            "Excel is).") % {"line": _n(too_long[0]), "size": _n(too_long[1]),
                                             "limit": _n(lim.line_bytes)})
    if nul_line is not None:
        raise FileRefused(_("Line %(line)s of the file contains a NUL character (byte 0), which a CSV file cannot "
                            "contain; the file may be damaged. Save it again as CSV from the program it came from.")
                          % {"line": _n(nul_line)})
    if not_utf8 is not None and utf8_line is not None:
        raise FileRefused(_("The file mixes two text encodings: line %(utf8)s is UTF-8, but line %(other)s is not "
                            "(it may have been pasted in from another file). Save the whole file as UTF-8 (in "
                            "Excel: “CSV UTF-8”) and upload it again.")
                          % {"utf8": _n(utf8_line), "other": _n(not_utf8)})
    if not_utf8 is not None:
        encoding = "cp1252"
    else:
        with open(path, "rb") as f:
            encoding = "utf-8-sig" if f.read(3) == codecs.BOM_UTF8 else "utf-8"
    counts = dict(zip(_SEPARATORS, first_line, strict=True))
    separator = max(counts, key=counts.get)
    return CsvFacts(encoding=encoding, separator=separator if counts[separator] else ";", lines=total)


def detect_encoding(path: Path) -> str:
    """UTF-8 (with or without BOM) if the whole file decodes, else Windows-1252; a file that
    mixes the two is refused (`scan_csv`)."""
    return scan_csv(Path(path)).encoding


class _BudgetReader(io.RawIOBase):
    """A file for the parsers that checks the request's time budget on every read."""

    def __init__(self, f, budget: Budget):
        self.f, self.budget = f, budget

    def readable(self):
        return True

    def seekable(self):
        return self.f.seekable()

    def seek(self, offset, whence=io.SEEK_SET):
        return self.f.seek(offset, whence)

    def tell(self):
        return self.f.tell()

    def readinto(self, b):
        self.budget.check()
        data = self.f.read(len(b))
        b[: len(data)] = data
        return len(data)

    def read(self, size=-1):
        self.budget.check()
        return self.f.read(size)

    def close(self):
        self.f.close()
        super().close()


def _nonblank(batch) -> np.ndarray:
    """Rows with any cell that is not blank (Excel writes `;;;;` lines at the end)."""
    import pyarrow.compute as pc

    mask = None
    for column in batch.columns:
        filled = pc.greater(pc.utf8_length(pc.utf8_trim_whitespace(column)), 0)
        mask = filled if mask is None else pc.or_(mask, filled)
    return mask.to_numpy(zero_copy_only=False)


def _open_csv(path: Path, lim: Limits, budget: Budget) -> TableSource:
    import pyarrow as pa
    import pyarrow.csv as pacsv

    facts = scan_csv(path, lim, budget)
    encoding, separator = facts.encoding, facts.separator
    with open(path, encoding=encoding, newline="") as f:  # line 1 is within the line limit
        try:
            header = next(csv.reader(f, delimiter=separator))
        except StopIteration:
            raise FileRefused(_("The file is empty.")) from None
    header = [h.replace("\ufeff", "").strip() for h in header]
    if not any(header):
        raise FileRefused(_("The first row must name the columns."))
    check_header(header, lim)
    check_cells(max(facts.lines - 1, 0), len(header), lim)
    source = TableSource(header=header, kind="csv", encoding=encoding, separator=separator,
                         decimal_comma=separator != ",", total_rows=max(facts.lines - 1, 0))
    names = [f"c{i}" for i in range(len(header))]
    blank = set(" \t\r\n\"" + separator)

    def invalid(row) -> str:
        if set(row.text) <= blank:
            return "skip"  # a blank line with another number of separators
        source.bad_rows.append((row.number or 0, row.text[:80]))
        return "skip"

    def chunks():
        raw = _BudgetReader(open(path, "rb"), budget)
        try:
            reader = pacsv.open_csv(
                pa.PythonFile(io.BufferedReader(raw, 1 << 20), mode="r"),
                read_options=pacsv.ReadOptions(
                    skip_rows=1, column_names=names, encoding="utf8" if encoding.startswith("utf") else encoding,
                    block_size=4 << 20, use_threads=True,
                ),
                parse_options=pacsv.ParseOptions(delimiter=separator, newlines_in_values=True,
                                                 invalid_row_handler=invalid),
                convert_options=pacsv.ConvertOptions(column_types={n: pa.string() for n in names},
                                                     strings_can_be_null=False, quoted_strings_can_be_null=False),
            )
            start = 2  # the header is row 1, as in a spreadsheet
            for batch in reader:
                if batch.num_rows == 0:
                    continue
                keep = _nonblank(batch)
                df = batch.to_pandas()
                df.columns = range(len(names))
                df.index = pd.RangeIndex(start, start + batch.num_rows)  # row numbers as in a spreadsheet
                start += batch.num_rows
                if not keep.all():
                    df = df[keep]
                    if df.empty:
                        continue
                yield int(df.index[0]), df
        except pa.ArrowInvalid as exc:
            raise FileRefused(_("The file could not be read as CSV: %(error)s") % {"error": str(exc)[:200]}) from exc
        finally:
            raw.close()

    source.chunks = chunks
    return source


# --- XLSX --------------------------------------------------------------------------------


def check_zip(path: Path, lim: Limits | None = None) -> None:
    """Refuse zip bombs before anything is unpacked: entry count, total size, the size of
    each part (the shared strings, which openpyxl reads whole into memory, separately) and
    the compression ratio, all from the zip directory."""
    lim = lim or limits()
    try:
        with zipfile.ZipFile(path) as zf:
            infos = zf.infolist()
    except (zipfile.BadZipFile, OSError) as exc:
        raise FileRefused(_("The file could not be read as an Excel file (.xlsx).")) from exc
    if len(infos) > lim.xlsx_entries:
        raise FileRefused(_("The Excel file has too many parts (%(count)s; the limit is %(limit)s); it is refused "
                            "as unsafe.") % {"count": _n(len(infos)), "limit": _n(lim.xlsx_entries)})
    total = sum(i.file_size for i in infos)
    if total > lim.xlsx_uncompressed:
        raise FileRefused(_("The Excel file would unpack to %(size)s MB, above the limit of %(limit)s MB; "
                            "it is refused as unsafe.") % {"size": _mb(total), "limit": _mb(lim.xlsx_uncompressed)})
    for info in infos:
        ratio = info.file_size / max(info.compress_size, 1)
        if info.file_size > 1024 * 1024 and ratio > lim.xlsx_ratio:
            raise FileRefused(_("The Excel file is compressed suspiciously hard (a “zip bomb”: %(ratio)s to 1, "
                                "the limit is %(limit)s to 1); it is refused as unsafe.")
                              % {"ratio": _n(int(ratio)), "limit": _n(lim.xlsx_ratio)})
        if info.filename.lower().endswith("sharedstrings.xml") and info.file_size > lim.xlsx_shared_strings:
            raise FileRefused(_("The Excel file's table of texts (%(part)s) would unpack to %(size)s MB; the limit is "
                                "%(limit)s MB. Save the sheet as CSV (semicolon separated) and upload that instead.")
                              % {"part": info.filename[:100], "size": _mb(info.file_size),
                                 "limit": _mb(lim.xlsx_shared_strings)})
        if info.file_size > lim.xlsx_part:
            raise FileRefused(_("A part of the Excel file (%(part)s) would unpack to %(size)s MB; the limit is "
                                "%(limit)s MB. Save the sheet as CSV (semicolon separated) or split it.")
                              % {"part": info.filename[:100], "size": _mb(info.file_size),
                                 "limit": _mb(lim.xlsx_part)})
    names = {i.filename for i in infos}
    if "[Content_Types].xml" not in names or not any(n.startswith("xl/worksheets/") for n in names):
        raise FileRefused(_("The file could not be read as an Excel file (.xlsx)."))


def _cell_text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "1" if value else "0"
    if isinstance(value, float):
        if math.isfinite(value) and value.is_integer() and abs(value) < 1e15:
            return str(int(value))
        return repr(value)
    if isinstance(value, datetime):
        return value.date().isoformat() if value.time() == datetime.min.time() else value.isoformat()
    if isinstance(value, date):
        return value.isoformat()
    return str(value)


_ROW_TAG = re.compile(rb"<(?:\w+:)?row[\s>/]")


def _count_sheet_rows(wb, ws, budget: Budget) -> int:
    """Rows of a sheet without a dimension element: its <row> tags, counted in the stream."""
    count, tail = 0, b""
    with wb._archive.open(ws._worksheet_path) as f:
        while block := f.read(1 << 20):
            budget.check()
            data = tail + block
            count += len(_ROW_TAG.findall(data[:len(data) - 16])) if len(data) > 16 else 0
            tail = data[len(data) - 16:] if len(data) > 16 else data
        count += len(_ROW_TAG.findall(tail))
    return count


def _open_xlsx(path: Path, chunk_rows: int, lim: Limits, budget: Budget) -> TableSource:
    import openpyxl

    check_zip(path, lim)
    raw = _BudgetReader(open(path, "rb"), budget)
    try:
        # read_only streams the sheet; data_only reads cached values and never formulas.
        # openpyxl parses with defusedxml when it is installed (it is a dependency).
        # Every read from the archive checks the time budget.
        wb = openpyxl.load_workbook(raw, read_only=True, data_only=True, keep_links=False)
    except FileRefused:
        raw.close()
        raise
    except Exception as exc:  # noqa: BLE001 - any parser failure means: refused
        raw.close()
        raise FileRefused(_("The file could not be read as an Excel file (.xlsx).")) from exc

    def close():
        wb.close()
        raw.close()

    try:
        ws = wb.worksheets[0]
        try:
            first = next(ws.iter_rows(min_row=1, max_row=1, values_only=True))
        except StopIteration:
            raise FileRefused(_("The file is empty.")) from None
        except FileRefused:
            raise
        except Exception as exc:  # noqa: BLE001
            raise FileRefused(_("The file could not be read as an Excel file (.xlsx).")) from exc
        header = [_cell_text(v).strip() for v in first]
        while header and not header[-1]:
            header.pop()
        if not any(header):
            raise FileRefused(_("The first row must name the columns."))
        check_header(header, lim)
        max_row = ws.max_row if ws.max_row is not None else _count_sheet_rows(wb, ws, budget)
        check_cells(max(max_row - 1, 0), len(header), lim)
    except BaseException:
        close()
        raise
    width = len(header)
    source = TableSource(header=header, kind="xlsx", decimal_comma=False, total_rows=max(max_row - 1, 0),
                         close=close)

    def chunks():
        rows = ws.iter_rows(values_only=True, min_row=2, max_col=width)
        buffer, numbers, start, row_number = [], [], 2, 1
        try:
            for values in rows:
                row_number += 1
                if row_number % 1000 == 0:
                    budget.check()
                    # A sheet without a (true) dimension: the cell limit, counted as it is read.
                    check_cells(row_number - 1, width, lim)
                cells = [_cell_text(v) for v in values[:width]]
                if len(cells) < width:
                    cells += [""] * (width - len(cells))
                if not any(c.strip() for c in cells):
                    continue  # empty rows at the end of a sheet
                if not buffer:
                    start = row_number
                buffer.append(cells)
                numbers.append(row_number)
                if len(buffer) >= chunk_rows:
                    yield start, _frame(buffer, numbers, width)
                    buffer, numbers = [], []
        except FileRefused:
            raise
        except Exception as exc:  # noqa: BLE001
            raise FileRefused(_("The file could not be read as an Excel file (.xlsx).")) from exc
        if buffer:
            yield start, _frame(buffer, numbers, width)

    source.chunks = chunks
    return source


def _frame(buffer: list[list[str]], numbers: list[int], width: int) -> pd.DataFrame:
    # The index is the spreadsheet's row number (empty rows are skipped, so the
    # numbers need not be consecutive); error reports use it.
    return pd.DataFrame(buffer, columns=range(width), index=numbers, dtype="str")


# --- Detection and preview ------------------------------------------------------------


def _mostly(values: list[str], test: Callable[[str], bool]) -> bool:
    """At least 90 % of the non-empty sample values pass (a few bad cells are errors later)."""
    seen = [v for v in values if v.strip()]
    return bool(seen) and sum(1 for v in seen if test(v)) >= 0.9 * len(seen)


def _looks_numeric(values: list[str]) -> bool:
    """At least 90 % of the non-empty sample values are numbers (parsed in one go)."""
    seen = pd.Series([v for v in values if v.strip()], dtype="str")
    return not seen.empty and int(parse_numbers(seen, True).notna().sum()) >= 0.9 * len(seen)


def _looks_flag(values: list[str]) -> bool:
    seen = {v.strip().lower() for v in values if v.strip()}
    if seen and seen <= {"1", "0"}:
        return len(seen) == 2  # a 0/1 column; a column of only 1s is more likely a count
    return _mostly(values, lambda v: v.strip().lower() in YES | NO)


@dataclass
class Detection:
    header: list[str]
    targets: list[str]
    kind: str
    sex_codes: dict[str, str]  # raw code as found -> sex ("" when not understood)
    preview: list[list[str]]
    encoding: str
    separator: str
    file_kind: str

    def as_dict(self) -> dict:
        return {k: getattr(self, k) for k in self.__dataclass_fields__}

    @classmethod
    def from_dict(cls, data: dict) -> Detection:
        return cls(**{k: data[k] for k in cls.__dataclass_fields__})


def detect(path: Path, sample_rows: int = 2000, budget: Budget | None = None) -> Detection:
    """The suggested mapping and a preview, from the file's first rows only. In a web request
    pass the request's `Budget`: then reading stops when its time is up."""
    source = open_table(path, chunk_rows=sample_rows, budget=budget)
    sample = None
    chunks = source.chunks()
    try:
        for _start, df in chunks:
            sample = df.head(sample_rows)
            break
    finally:
        chunks.close()
        source.close()
    if sample is None:
        sample = pd.DataFrame(columns=range(len(source.header)), dtype="str")
    header = source.header
    targets = []
    for i, name in enumerate(header):
        target = header_target(name)
        if target is None:
            column = sample[i].tolist() if i in sample.columns else []
            if _looks_flag(column):
                target = FLAG
            elif _looks_numeric(column) and normalise_text(name) not in ("", ):
                target = NUMBER
            else:
                target = IGNORE
        targets.append(target)
    has_aggregate = any(t in (VALUE, NUMERATOR) for t in targets)
    kind = AGGREGATED if has_aggregate or PERSON_ID not in targets and FLAG not in targets else PERSON
    if PERSON_ID in targets or (not has_aggregate and (FLAG in targets or NUMBER in targets)):
        kind = PERSON
    if kind == AGGREGATED:
        targets = [IGNORE if t in (FLAG, NUMBER) else t for t in targets]
    sex_codes: dict[str, str] = {}
    if SEX in targets:
        for raw in sample[targets.index(SEX)].unique().tolist()[:50]:
            sex_codes[str(raw)] = sex_code(str(raw)) or ""
    preview = sample.head(10).fillna("").astype(str).values.tolist()
    preview = [[safe_value(c) for c in row] for row in preview]
    return Detection(header=header, targets=targets, kind=kind, sex_codes=sex_codes, preview=preview,
                     encoding=source.encoding, separator=source.separator, file_kind=source.kind)


# --- Numbers --------------------------------------------------------------------------

_THOUSANDS_DOT = r"^-?\d{1,3}(?:\.\d{3})+$"


def parse_numbers(s: pd.Series, decimal_comma: bool) -> pd.Series:
    """Text to float (NaN where not a number). Understands "1.234,5", "1234.5", "3,5"."""
    s = s.str.replace("\u00a0", "", regex=False).str.replace(" ", "", regex=False)
    s = s.str.replace("\u2212", "-", regex=False)
    has_comma = s.str.contains(",", regex=False)
    danish = s.str.replace(".", "", regex=False).str.replace(",", ".", regex=False)
    s = s.where(~has_comma, danish)
    if decimal_comma:
        thousands = s.str.contains(_THOUSANDS_DOT, regex=True)
        s = s.where(~thousands, s.str.replace(".", "", regex=False))
    return pd.to_numeric(s.astype(object).where(s.str.len() > 0, None), errors="coerce")


# --- Validation -----------------------------------------------------------------------


@dataclass
class RowError:
    row: int
    column: str
    value: str
    reason: str

    def __post_init__(self) -> None:
        # Every error path goes through here: no identifier is kept in a report.
        self.value = safe_value(self.value)[:80]

    def as_dict(self) -> dict:
        return {"row": self.row, "column": self.column, "value": self.value, "reason": self.reason}


class ErrorList:
    """The first MAX_ERRORS_SHOWN errors by row, and the total count."""

    def __init__(self):
        self.items: list[RowError] = []
        self.total = 0

    def add(self, error: RowError) -> None:
        self.total += 1
        self.items.append(error)
        if len(self.items) > 4 * MAX_ERRORS_SHOWN:
            self._trim()

    def add_mask(self, mask: np.ndarray, rows: np.ndarray, column: str, values: pd.Series, reason: str,
                 show: Callable[[str], str] = lambda v: v) -> None:
        count = int(mask.sum())
        if not count:
            return
        self.total += count
        idx = np.flatnonzero(mask)[:MAX_ERRORS_SHOWN]
        for i in idx:
            self.items.append(RowError(int(rows[i]), column, show(str(values.iloc[i]))[:80], reason))
        self._trim()

    def _trim(self) -> None:
        self.items.sort(key=lambda e: (e.row, e.column))
        del self.items[MAX_ERRORS_SHOWN:]

    def shown(self) -> list[RowError]:
        self._trim()
        return self.items

    def __bool__(self):
        return self.total > 0


@dataclass
class Plan:
    """A confirmed mapping: what each column is, and how to read it."""

    targets: list[str]
    kind: str = AGGREGATED
    sex_codes: dict[str, str] = field(default_factory=dict)
    default_period: str = ""
    default_indicator: str = ""
    measure: str = Measure.PERSONS

    @classmethod
    def from_dict(cls, data: dict) -> Plan:
        return cls(**{k: v for k, v in data.items() if k in cls.__dataclass_fields__})

    def as_dict(self) -> dict:
        return {k: getattr(self, k) for k in self.__dataclass_fields__}

    def column(self, target: str) -> int | None:
        return self.targets.index(target) if target in self.targets else None

    def columns(self, target: str) -> list[int]:
        return [i for i, t in enumerate(self.targets) if t == target]


def check_plan(plan: Plan, header: list[str]) -> list[str]:
    """Problems with the mapping itself (before any row is read)."""
    problems = []
    if len(plan.targets) != len(header):
        problems.append(_("The mapping does not match the file's columns."))
        return problems
    for target in (INDICATOR, PERIOD, SEX, VALUE, NUMERATOR, DENOMINATOR, PERSON_ID, *DIMENSION_TARGETS, AREA):
        if len(plan.columns(target)) > 1:
            problems.append(_("Only one column can be “%(target)s”.") % {"target": target_label(target)})
    if SEX not in plan.targets:
        problems.append(_("Choose the column that holds the sex (køn)."))
    if plan.kind == AGGREGATED:
        has_value = VALUE in plan.targets
        has_share = NUMERATOR in plan.targets and DENOMINATOR in plan.targets
        if not has_value and not has_share:
            problems.append(_("Choose a value column, or a numerator and a denominator column."))
        if (NUMERATOR in plan.targets) != (DENOMINATOR in plan.targets):
            problems.append(_("A share needs both a numerator and a denominator column."))
        if FLAG in plan.targets or NUMBER in plan.targets:
            problems.append(_("Yes/no and per-person columns only belong in a person-level file."))
    else:
        if any(t in plan.targets for t in (VALUE, NUMERATOR, DENOMINATOR, INDICATOR)):
            problems.append(_("A person-level file has no value, numerator, denominator or indicator columns."))
    return problems


_CATEGORY_PARSERS: dict[str, Callable[[str], str | None]] = {
    AGE_BAND: age_band, EDUCATION: education, CIVIL_STATUS: civil_status, ORIGIN: origin,
}


def _category_reason(target: str) -> str:
    return {
        AGE_BAND: _("Not an age band (e.g. “16-24” or “80+”)."),
        EDUCATION: _("Unknown education category."),
        CIVIL_STATUS: _("Unknown civil status (ugift, gift, enke, skilt)."),
        ORIGIN: _("Unknown origin (dansk oprindelse, indvandrer, efterkommer)."),
    }[target]


class ChunkValidator:
    """Checks chunks against a plan; collects errors; builds observation columns."""

    def __init__(self, plan: Plan, header: list[str], decimal_comma: bool):
        self.plan = plan
        self.header = header
        self.decimal_comma = decimal_comma
        self.errors = ErrorList()
        self.rows = 0
        self._sex_lookup = {normalise_text(k): v for k, v in plan.sex_codes.items()}
        self._cache: dict[str, dict[str, str | None]] = {t: {} for t in (*_CATEGORY_PARSERS, PERIOD, SEX)}
        self.found_origin = False

    # -- helpers --

    def _map_unique(self, target: str, s: pd.Series, fn: Callable[[str], str | None]) -> pd.Series:
        cache = self._cache[target]
        for raw in s.unique().tolist():
            if raw not in cache:
                cache[raw] = fn(raw)
        return s.map(cache)

    def _sex(self, raw: str) -> str | None:
        code = normalise_text(raw)
        if code in self._sex_lookup:  # chosen in the mapping step ("" = refuse)
            return self._sex_lookup[code] or None
        return sex_code(raw)

    def check_cpr(self, df: pd.DataFrame, rows: np.ndarray) -> None:
        for i in df.columns:
            s = df[i]
            hits = s.str.contains(_TEN_DIGITS, regex=True).to_numpy(dtype=bool)
            if hits.any():
                confirmed = np.zeros(len(s), dtype=bool)
                for j in np.flatnonzero(hits):
                    confirmed[j] = looks_like_cpr(s.iloc[j])
                self.errors.add_mask(confirmed, rows, self.header[i], s,
                                     _("The cell looks like a CPR number. Files with CPR numbers are refused; "
                                       "remove or pseudonymise the column."))

    def common(self, df: pd.DataFrame, rows: np.ndarray) -> dict[str, pd.Series]:
        """Sex, period, dimensions and area: checked and normalised."""
        plan = self.plan
        out: dict[str, pd.Series] = {}
        col = plan.column(SEX)
        s = df[col].str.strip()
        sex = self._map_unique(SEX, s, self._sex)
        bad = sex.isna().to_numpy()
        self.errors.add_mask(bad, rows, self.header[col], s,
                             _("Unknown sex code; choose what it means in the mapping step."))
        if plan.kind == PERSON:
            total = (sex == Sex.I_ALT).to_numpy()
            self.errors.add_mask(total, rows, self.header[col], s,
                                 _("A person-level file cannot have a row for “total”."))
        out[SEX] = sex
        col = plan.column(PERIOD)
        if col is not None:
            s = df[col].str.strip()
            p = self._map_unique(PERIOD, s, period)
            self.errors.add_mask(p.isna().to_numpy(), rows, self.header[col], s,
                                 _("Not a period (e.g. 2014, 2014K1 or 2014M03)."))
            out[PERIOD] = p
        else:
            out[PERIOD] = pd.Series(plan.default_period, index=df.index, dtype="str")
        for target, fn in _CATEGORY_PARSERS.items():
            col = plan.column(target)
            if col is None:
                out[target] = pd.Series("", index=df.index, dtype="str")
                continue
            s = df[col].str.strip()
            v = self._map_unique(target, s, fn)
            self.errors.add_mask(v.isna().to_numpy(), rows, self.header[col], s, _category_reason(target))
            out[target] = v
            if target == ORIGIN and (v.fillna("") != "").any():
                self.found_origin = True
        col = plan.column(AREA)
        if col is not None:
            s = df[col].str.strip()
            self.errors.add_mask((s.str.len() > 100).to_numpy(), rows, self.header[col], s,
                                 _("The area name is longer than 100 characters."))
            out[AREA] = s.str.slice(0, 100) if (s.str.len() > 100).any() else s
        else:
            out[AREA] = pd.Series("", index=df.index, dtype="str")
        return out

    def number(self, df: pd.DataFrame, rows: np.ndarray, col: int, *, required: bool, integer: bool = False,
               non_negative: bool = False) -> pd.Series:
        raw = df[col].str.strip()
        values = parse_numbers(raw, self.decimal_comma)
        empty = (raw.str.len() == 0).to_numpy()
        bad = values.isna().to_numpy() & ~empty
        self.errors.add_mask(bad, rows, self.header[col], raw, _("Not a number."))
        if required:
            self.errors.add_mask(empty, rows, self.header[col], raw, _("The number is missing."))
        ok = ~values.isna().to_numpy()
        if integer:
            frac = ok & (np.abs(values.to_numpy() - np.round(values.to_numpy())) > 1e-9)
            self.errors.add_mask(frac, rows, self.header[col], raw, _("Must be a whole number."))
        if non_negative:
            self.errors.add_mask(ok & (values.to_numpy() < 0), rows, self.header[col], raw,
                                 _("Must not be negative."))
        return values

    # -- aggregated files --

    def aggregated(self, start: int, df: pd.DataFrame, indicator_ids: Callable[[list[str]], dict[str, int]]
                   ) -> pd.DataFrame | None:
        plan = self.plan
        rows = df.index.to_numpy()
        self.rows += len(df)
        self.check_cpr(df, rows)
        out = self.common(df, rows)
        col = plan.column(INDICATOR)
        if col is not None:
            names = df[col].str.strip()
            if (names.str.len() > 200).any():
                names = names.str.slice(0, 200)
            empty = (names.str.len() == 0).to_numpy()
            self.errors.add_mask(empty, rows, self.header[col], names, _("The indicator name is missing."))
        else:
            names = pd.Series(plan.default_indicator, index=df.index, dtype="str")
        value = numerator = denominator = None
        if plan.column(VALUE) is not None:
            value = self.number(df, rows, plan.column(VALUE), required=plan.column(NUMERATOR) is None)
        if plan.column(NUMERATOR) is not None:
            numerator = self.number(df, rows, plan.column(NUMERATOR), required=True, integer=True,
                                    non_negative=True)
            denominator = self.number(df, rows, plan.column(DENOMINATOR), required=True, integer=True)
            den_col = self.header[plan.column(DENOMINATOR)]
            raw_den = df[plan.column(DENOMINATOR)].str.strip()
            self.errors.add_mask((denominator <= 0).to_numpy(), rows, den_col, raw_den,
                                 _("The denominator must be greater than 0."))
            num_col = self.header[plan.column(NUMERATOR)]
            self.errors.add_mask((numerator > denominator).to_numpy(), rows, num_col,
                                 df[plan.column(NUMERATOR)].str.strip(),
                                 _("The numerator is larger than the denominator."))
        # Duplicate cells within the file (the database would refuse them too), checked
        # before the chunk is written: 8 bytes per row are kept, never the rows.
        key = pd.DataFrame({"i": names, **{k: out[k] for k in (PERIOD, SEX, *DIMENSION_TARGETS, AREA)}})
        self._check_duplicates(pd.util.hash_pandas_object(key.fillna(""), index=False).to_numpy(), rows)
        if self.errors:
            return None  # nothing will be written; keep validating only
        ids = indicator_ids(names.unique().tolist())
        frame = pd.DataFrame({
            "indicator_id": names.map(ids).astype("int64"),
            "period": out[PERIOD], "sex": out[SEX],
            AGE_BAND: out[AGE_BAND], EDUCATION: out[EDUCATION], CIVIL_STATUS: out[CIVIL_STATUS],
            ORIGIN: out[ORIGIN], AREA: out[AREA],
            "value": value if value is not None else np.nan,
            "numerator": numerator.astype("Int64") if numerator is not None else pd.array([pd.NA] * len(df), "Int64"),
            "denominator": denominator.astype("Int64") if denominator is not None
            else pd.array([pd.NA] * len(df), "Int64"),
        })
        return frame

    def _check_duplicates(self, hashes: np.ndarray, rows: np.ndarray) -> None:
        # Sort-based on purpose: numpy's hash-based unique is far slower on a million keys.
        seen = getattr(self, "_seen", np.empty(0, dtype=np.uint64))
        order = np.argsort(hashes, kind="stable")
        ordered = hashes[order]
        duplicate = np.zeros(len(hashes), dtype=bool)
        duplicate[order[1:][ordered[1:] == ordered[:-1]]] = True
        if len(seen):
            at = np.minimum(np.searchsorted(seen, hashes), len(seen) - 1)
            duplicate |= seen[at] == hashes
        reason = _("The row repeats an earlier row (same indicator, period, sex and breakdown).")
        self.errors.add_mask(duplicate, rows, "", pd.Series([""] * len(hashes)) if duplicate.any() else
                             pd.Series([], dtype="str"), reason)
        merged = np.concatenate([seen, ordered])
        merged.sort(kind="stable")
        self._seen = merged


# --- Person-level files -------------------------------------------------------------------


class PersonAggregator:
    """Running sums of a person-level file, by sex and each breakdown on its own.

    Keys: (period, sex, area, dimension, category). Rows are never kept.
    """

    def __init__(self, validator: ChunkValidator):
        self.v = validator
        self.plan = validator.plan
        self.flags = self.plan.columns(FLAG)
        self.numbers = self.plan.columns(NUMBER)
        self.sums: dict[tuple, np.ndarray] = {}

    def add(self, start: int, df: pd.DataFrame) -> None:
        v, plan = self.v, self.plan
        rows = df.index.to_numpy()
        v.rows += len(df)
        v.check_cpr(df, rows)
        out = v.common(df, rows)
        columns = {}
        for col in self.flags:
            raw = df[col].str.strip()
            norm = raw.str.lower()
            yes = norm.isin(YES).to_numpy()
            no = norm.isin(NO).to_numpy()
            empty = (raw.str.len() == 0).to_numpy()
            v.errors.add_mask(~(yes | no | empty), rows, v.header[col], raw,
                              _("Expected yes or no (ja/nej, 1/0)."))
            columns[f"f{col}"] = np.where(yes, 1.0, np.where(no, 0.0, np.nan))
        for col in self.numbers:
            columns[f"n{col}"] = v.number(df, rows, col, required=False).to_numpy(dtype=float)
        if v.errors:
            return
        frame = pd.DataFrame({"period": out[PERIOD], "sex": out[SEX], "area": out[AREA], **columns})
        parts = [("", pd.Series("", index=df.index, dtype="str"))]
        parts += [(t, out[t]) for t in DIMENSION_TARGETS if plan.column(t) is not None]
        for dim, categories in parts:
            frame["dim"] = dim
            frame["cat"] = categories.fillna("").to_numpy()
            agg = {"count": ("sex", "size")}
            for col in self.flags:
                agg[f"f{col}_num"] = (f"f{col}", "sum")
                agg[f"f{col}_den"] = (f"f{col}", "count")
            for col in self.numbers:
                frame[f"n{col}_sq"] = frame[f"n{col}"] ** 2
                agg[f"n{col}_n"] = (f"n{col}", "count")
                agg[f"n{col}_sum"] = (f"n{col}", "sum")
                agg[f"n{col}_sq"] = (f"n{col}_sq", "sum")
            grouped = frame.groupby(["period", "sex", "area", "dim", "cat"], sort=False).agg(**agg)
            self.names = list(grouped.columns)
            for key, values in zip(grouped.index.tolist(), grouped.to_numpy(dtype=float), strict=True):
                if key in self.sums:
                    self.sums[key] += values
                else:
                    self.sums[key] = values.copy()

    def observations(self) -> list[tuple[str, str, dict]]:
        """(indicator key, measure, observation fields) for every group."""
        result = []
        names = getattr(self, "names", [])
        for (period_, sex, area, dim, cat), values in self.sums.items():
            row = dict(zip(names, values, strict=True))
            base = {"period": period_, "sex": sex, "area": area, AGE_BAND: "", EDUCATION: "",
                    CIVIL_STATUS: "", ORIGIN: ""}
            if dim:
                base[dim] = cat
            result.append(("count", Measure.PERSONS, {**base, "value": float(row["count"])}))
            for col in self.flags:
                den = int(row[f"f{col}_den"])
                if den > 0:
                    result.append((f"f{col}", Measure.SHARE,
                                   {**base, "numerator": int(row[f"f{col}_num"]), "denominator": den}))
            for col in self.numbers:
                n = int(row[f"n{col}_n"])
                if n > 0:
                    mean = row[f"n{col}_sum"] / n
                    sd = None
                    if n >= 2:
                        var = max(0.0, (row[f"n{col}_sq"] - n * mean * mean) / (n - 1))
                        sd = math.sqrt(var)
                    result.append((f"n{col}", None, {**base, "value": mean, "n": n, "sd": sd}))
        return result


def number_measure(header: str) -> str:
    text = normalise_text(header)
    if any(w in text for w in ("kr", "udgift", "omkostning", "pris", "cost", "dkk", "beløb", "belob", "løn")):
        return Measure.AMOUNT_DKK
    if any(w in text for w in ("time", "hour", "timer")):
        return Measure.HOURS
    return Measure.CONTACTS
