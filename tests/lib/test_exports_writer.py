"""The one CSV/XLSX writer: decimal mark of the language, rounded as shown, period in the file."""

import csv
import io

from django.utils import translation
from openpyxl import load_workbook

from ligestilling.lib import disclosure, exports
from ligestilling.lib import formatting as fmt


def gap_table() -> disclosure.Table:
    gap = disclosure.Cell(value=-38.46153846, kind=disclosure.PP, low=-55.5123, high=-18.49)
    share = disclosure.Cell(value=0.25384615, kind=disclosure.SHARE, low=0.1412, high=0.4101)
    hidden = disclosure.Cell(kind=disclosure.PP, reason=disclosure.DERIVED)
    return disclosure.Table(title="Emner", row_labels=("Jobsøgning", "-Sprog"), column_labels=("Andel", "Forskel"),
                            cells=((share, gap), (share, hidden)), threshold=5, row_header="Emne",
                            source="Logbøger")


def rows_of(body: bytes) -> list[list[str]]:
    return list(csv.reader(io.StringIO(body.decode("utf-8-sig")), delimiter=";"))


def test_a_danish_csv_has_decimal_commas_values_as_shown_and_the_period():
    rows = rows_of(exports.write_csv(gap_table(), lang="da", period_text="1. januar 2025 – 31. december 2025"))
    assert rows[1] == ["Emne", "Andel", "Andel (nedre)", "Andel (øvre)", "Forskel", "Forskel (nedre)",
                       "Forskel (øvre)"]
    # Shown as "25 pct." and "−38 procentpoint (−56 til −18)": the file says the same.
    assert rows[2] == ["Jobsøgning", "0,25", "0,14", "0,41", "-38", "-56", "-18"]
    assert rows[3][0] == "'-Sprog" and rows[3][4:] == ["(skjult)"] * 3  # label neutralised, number not
    assert ["Periode: 1. januar 2025 – 31. december 2025"] in rows and ["Kilde: Logbøger"] in rows


def test_an_english_csv_has_decimal_points_and_english_words():
    rows = rows_of(exports.write_csv(gap_table(), lang="en", period_text="Jan. 1, 2025 – Dec. 31, 2025"))
    assert rows[1][2:4] == ["Andel (low)", "Andel (high)"]
    assert rows[2][1:4] == ["0.25", "0.14", "0.41"] and rows[3][4] == "(hidden)"
    assert ["Period: Jan. 1, 2025 – Dec. 31, 2025"] in rows and ["Source: Logbøger"] in rows


def test_the_language_defaults_to_the_active_locale():
    with translation.override("en"):
        assert fmt.resolve_lang() == "en"
        text = exports.write_csv(gap_table()).decode("utf-8-sig")
        assert "(hidden)" in text and "(skjult)" not in text and "0.25" in text
        assert disclosure.Cell(value=-3.0, kind=disclosure.PP).display() == "\u22123 percentage points"
    with translation.override("da"):
        assert disclosure.Cell(value=-3.0, kind=disclosure.PP).display() == "\u22123 procentpoint"


def test_xlsx_cells_are_numbers_rounded_as_shown():
    sheet = load_workbook(io.BytesIO(exports.write_xlsx(gap_table(), lang="da", period_text="2025"))).active
    values = [[c.value for c in row] for row in sheet.iter_rows()]
    assert values[2][:5] == ["Jobsøgning", 0.25, 0.14, 0.41, -38]
    assert ["Periode: 2025"] in [[v for v in row if v is not None] for row in values]


def test_rounding_is_half_away_from_zero_like_the_display():
    assert fmt.round_shown(0.125, 2) == 0.13 and fmt.round_shown(-2.5, 0) == -3 and fmt.round_shown(-0.4, 0) == 0
    assert fmt.plain_number(-3.5, "da") == "-3,5" and fmt.plain_number(1234567, "da") == "1234567"
