"""Fast loading for the benchmark's synthetic data: PostgreSQL COPY with explicit ids."""

from __future__ import annotations

import io
from collections.abc import Iterable, Sequence

from django.db import connection


def next_id(table: str) -> int:
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT COALESCE(MAX(id), 0) + 1 FROM {table}")
        return cursor.fetchone()[0]


def reset_sequence(table: str) -> None:
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), COALESCE(MAX(id), 1)) FROM {table}"
        )


def _escape(value) -> str:
    if value is None:
        return "\\N"
    if isinstance(value, bool):
        return "t" if value else "f"
    text = str(value)
    if any(c in text for c in "\t\n\\\r"):
        text = text.replace("\\", "\\\\").replace("\t", "\\t").replace("\n", "\\n").replace("\r", "\\r")
    return text


def copy_rows(table: str, columns: Sequence[str], rows: Iterable[Sequence], batch: int = 200_000) -> int:
    """COPY rows (tuples in column order) into table; returns the count."""
    count = 0
    raw = connection.connection  # psycopg 3 connection
    buffer = io.StringIO()
    pending = 0

    def flush():
        nonlocal buffer, pending
        if not pending:
            return
        with raw.cursor() as cursor:
            with cursor.copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN") as copy:
                copy.write(buffer.getvalue())
        buffer = io.StringIO()
        pending = 0

    for row in rows:
        buffer.write("\t".join(_escape(v) for v in row))
        buffer.write("\n")
        pending += 1
        count += 1
        if pending >= batch:
            flush()
    flush()
    return count


def copy_model_rows(model, rows: Iterable[dict], *, with_pk: bool = True) -> int:
    """COPY dicts keyed by column name into the model's table.

    Columns a row leaves out get the field's default (text fields: empty string), so the
    generator keeps working when an app adds an optional field. With `with_pk=False` the
    database numbers the rows.
    """
    fields = [f for f in model._meta.concrete_fields if with_pk or not f.primary_key]
    columns = [f.column for f in fields]
    defaults = {}
    for f in fields:
        if f.has_default() and not callable(f.default):
            defaults[f.column] = f.default
        elif f.null:
            defaults[f.column] = None
        elif f.get_internal_type() in ("CharField", "TextField"):
            defaults[f.column] = ""
    return copy_rows(model._meta.db_table, columns,
                     ([row.get(c, defaults.get(c)) for c in columns] for row in rows))
