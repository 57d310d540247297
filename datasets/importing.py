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
import unicodedata
import zipfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path

import numpy as np
import pandas as pd
from django.conf import settings
from django.utils.translation import gettext as _

from .models import CivilStatus, Education, Measure, Origin, Sex

CHUNK_ROWS = 200_000
MAX_ERRORS_SHOWN = 100


def max_upload_bytes() -> int:
    return int(getattr(settings, "UPLOAD_MAX_BYTES", 50 * 1024 * 1024))


# Limits for XLSX files, checked on the zip directory before anything is unpacked.
def xlsx_limits() -> tuple[int, int, int]:
    return (
        int(getattr(settings, "DATASETS_XLSX_MAX_ENTRIES", 1000)),
        int(getattr(settings, "DATASETS_XLSX_MAX_UNCOMPRESSED", 500 * 1024 * 1024)),
        int(getattr(settings, "DATASETS_XLSX_MAX_RATIO", 200)),
    )


class FileRefused(Exception):
    """The whole file is refused (format, size, encoding, hostile content)."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


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


# --- CPR numbers ----------------------------------------------------------------------

# ddmmyy-xxxx or ddmmyyxxxx, not part of a longer number (RE2 has no look-arounds).
CPR_PATTERN = r"(?:^|\D)(?:0[1-9]|[12]\d|3[01])(?:0[1-9]|1[0-2])\d{2}[- ]?\d{4}(?:\D|$)"
_CPR_RE = re.compile(r"(?<!\d)(0[1-9]|[12]\d|3[01])(0[1-9]|1[0-2])(\d{2})[- ]?\d{4}(?!\d)")


def looks_like_cpr(text: str) -> bool:
    for m in _CPR_RE.finditer(str(text)):
        day, month, year = int(m.group(1)), int(m.group(2)), int(m.group(3))
        for century in (1900, 2000):
            try:
                date(century + year, month, day)
            except ValueError:
                continue
            return True
    return False


def mask_cpr(text: str) -> str:
    """The cell with every CPR-like number replaced, never echoing the digits."""
    return _CPR_RE.sub("XXXXXX-XXXX", str(text))[:60]


# --- Reading files --------------------------------------------------------------------


def is_xlsx(path: Path) -> bool:
    with open(path, "rb") as f:
        return f.read(4) == b"PK\x03\x04"


def detect_encoding(path: Path) -> str:
    """UTF-8 (with or without BOM) if the whole file decodes, else Windows-1252."""
    decoder = codecs.getincrementaldecoder("utf-8")()
    try:
        with open(path, "rb") as f:
            while block := f.read(1 << 20):
                decoder.decode(block)
            decoder.decode(b"", final=True)
    except UnicodeDecodeError:
        return "cp1252"
    with open(path, "rb") as f:
        return "utf-8-sig" if f.read(3) == codecs.BOM_UTF8 else "utf-8"


def detect_separator(first_line: str) -> str:
    counts = {sep: first_line.count(sep) for sep in (";", ",", "\t")}
    sep = max(counts, key=counts.get)
    return sep if counts[sep] else ";"


@dataclass
class TableSource:
    """An opened file: header, how it was read, and its chunks."""

    header: list[str]
    kind: str  # "csv" or "xlsx"
    encoding: str = ""
    separator: str = ""
    decimal_comma: bool = False
    chunks: Callable[[], Iterator[tuple[int, pd.DataFrame]]] = field(default=lambda: iter(()))
    progress: Callable[[], float] = field(default=lambda: 0.0)
    bad_rows: list[tuple[int, str]] = field(default_factory=list)


class _CountingReader(io.RawIOBase):
    def __init__(self, f, total: int):
        self.f, self.done, self.total = f, 0, max(total, 1)

    def readable(self):
        return True

    def readinto(self, b):
        data = self.f.read(len(b))
        b[: len(data)] = data
        self.done += len(data)
        return len(data)


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


def open_table(path: Path, chunk_rows: int = CHUNK_ROWS) -> TableSource:
    path = Path(path)
    check_size(path)
    if is_xlsx(path):
        return _open_xlsx(path, chunk_rows)
    return _open_csv(path, chunk_rows)


def _open_csv(path: Path, chunk_rows: int) -> TableSource:
    import pyarrow as pa
    import pyarrow.csv as pacsv

    with open(path, "rb") as f:
        head = f.read(4096)
    if b"\x00" in head:
        raise FileRefused(_("The file is neither a CSV file nor an Excel file (.xlsx)."))
    encoding = detect_encoding(path)
    with open(path, encoding=encoding, newline="") as f:
        first_line = f.readline()
        separator = detect_separator(first_line)
        f.seek(0)
        try:
            header = next(csv.reader(f, delimiter=separator))
        except StopIteration:
            raise FileRefused(_("The file is empty.")) from None
    header = [h.replace("\ufeff", "").strip() for h in header]
    if not any(header):
        raise FileRefused(_("The first row must name the columns."))
    size = path.stat().st_size
    source = TableSource(header=header, kind="csv", encoding=encoding, separator=separator,
                         decimal_comma=separator != ",")
    names = [f"c{i}" for i in range(len(header))]

    def invalid(row) -> str:
        number = (row.number or 0)
        source.bad_rows.append((number, row.text[:80]))
        return "skip"

    def chunks():
        raw = open(path, "rb")
        counter = _CountingReader(raw, size)
        source.progress = lambda: counter.done / counter.total
        try:
            reader = pacsv.open_csv(
                pa.PythonFile(io.BufferedReader(counter, 1 << 20), mode="r"),
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
                df = batch.to_pandas()
                df.columns = range(len(names))
                df.index = pd.RangeIndex(start, start + batch.num_rows)  # row numbers as in a spreadsheet
                yield start, df
                start += batch.num_rows
        except pa.ArrowInvalid as exc:
            raise FileRefused(_("The file could not be read as CSV: %(error)s") % {"error": str(exc)[:200]}) from exc
        finally:
            raw.close()

    source.chunks = chunks
    return source


def check_zip(path: Path) -> None:
    """Refuse zip bombs before anything is unpacked: entry count, total size, ratio."""
    max_entries, max_total, max_ratio = xlsx_limits()
    try:
        with zipfile.ZipFile(path) as zf:
            infos = zf.infolist()
    except (zipfile.BadZipFile, OSError) as exc:
        raise FileRefused(_("The file could not be read as an Excel file (.xlsx).")) from exc
    if len(infos) > max_entries:
        raise FileRefused(_("The Excel file has too many parts (%(count)s); it is refused as unsafe.")
                          % {"count": len(infos)})
    total = sum(i.file_size for i in infos)
    if total > max_total:
        raise FileRefused(_("The Excel file would unpack to %(size)s MB, above the limit of %(limit)s MB; "
                            "it is refused as unsafe.") % {"size": _mb(total), "limit": _mb(max_total)})
    for info in infos:
        if info.file_size > 1024 * 1024 and info.file_size / max(info.compress_size, 1) > max_ratio:
            raise FileRefused(_("The Excel file is compressed suspiciously hard (a “zip bomb”); "
                                "it is refused as unsafe."))
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


def _open_xlsx(path: Path, chunk_rows: int) -> TableSource:
    import openpyxl

    check_zip(path)

    def load(handle):
        try:
            # read_only streams the sheet; data_only reads cached values and never formulas.
            # openpyxl parses with defusedxml when it is installed (it is a dependency).
            # It gets an open file, not the path: given a path it refuses any name not
            # ending in .xlsx, and staged uploads are named "<uuid>.upload" (every .xlsx
            # upload through the browser was refused). The content was checked above.
            return openpyxl.load_workbook(handle, read_only=True, data_only=True, keep_links=False)
        except Exception as exc:  # noqa: BLE001 - any parser failure means: refused
            raise FileRefused(_("The file could not be read as an Excel file (.xlsx).")) from exc

    with open(path, "rb") as handle:
        wb = load(handle)
        try:
            ws = wb.worksheets[0]
            rows = ws.iter_rows(values_only=True)
            try:
                first = next(rows)
            except StopIteration:
                raise FileRefused(_("The file is empty.")) from None
            except Exception as exc:  # noqa: BLE001
                raise FileRefused(_("The file could not be read as an Excel file (.xlsx).")) from exc
            header = [_cell_text(v).strip() for v in first]
            while header and not header[-1]:
                header.pop()
            if not any(header):
                raise FileRefused(_("The first row must name the columns."))
            max_row = ws.max_row or 0
        finally:
            wb.close()
    width = len(header)
    source = TableSource(header=header, kind="xlsx", decimal_comma=False)
    state = {"done": 0}
    source.progress = lambda: state["done"] / max(max_row, 1)

    def chunks():
        with open(path, "rb") as handle:
            yield from _xlsx_chunks(load(handle))

    def _xlsx_chunks(wb):
        try:
            rows = wb.worksheets[0].iter_rows(values_only=True, min_row=2)
            buffer, numbers, start, row_number = [], [], 2, 1
            try:
                for values in rows:
                    row_number += 1
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
                        state["done"] = row_number
                        buffer, numbers = [], []
            except FileRefused:
                raise
            except Exception as exc:  # noqa: BLE001
                raise FileRefused(_("The file could not be read as an Excel file (.xlsx).")) from exc
            if buffer:
                yield start, _frame(buffer, numbers, width)
            state["done"] = max_row
        finally:
            wb.close()

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
    return _mostly(values, lambda v: _parse_number_scalar(v) is not None)


def _looks_flag(values: list[str]) -> bool:
    seen = {v.strip().lower() for v in values if v.strip()}
    if seen and seen <= {"1", "0"}:
        return len(seen) == 2  # a 0/1 column; a column of only 1s is more likely a count
    return _mostly(values, lambda v: v.strip().lower() in YES | NO)


def _parse_number_scalar(text: str, decimal_comma: bool = True) -> float | None:
    s = pd.Series([text], dtype="str")
    v = parse_numbers(s, decimal_comma).iloc[0]
    return None if pd.isna(v) else float(v)


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


def detect(path: Path, sample_rows: int = 2000) -> Detection:
    source = open_table(path, chunk_rows=sample_rows)
    sample = None
    for _start, df in source.chunks():
        sample = df
        break
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
    preview = [[mask_cpr(c) if looks_like_cpr(c) else c for c in row] for row in preview]
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
            hits = s.str.contains(CPR_PATTERN, regex=True).to_numpy(dtype=bool)
            if hits.any():
                confirmed = np.zeros(len(s), dtype=bool)
                for j in np.flatnonzero(hits):
                    confirmed[j] = looks_like_cpr(s.iloc[j])
                self.errors.add_mask(confirmed, rows, self.header[i], s,
                                     _("The cell looks like a CPR number. Files with CPR numbers are refused; "
                                       "remove or pseudonymise the column."), show=mask_cpr)

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
