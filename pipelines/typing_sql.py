"""Cast landed text to the contract's types in DuckDB, keeping why a value failed.

Formats are enforced exactly (a regular expression before the cast) because
DuckDB's casts are lenient: `strptime` accepts '2024-1-5' and a cast to DOUBLE
accepts 'inf'. An empty string is a missing value.
"""

from __future__ import annotations

from pipelines.contract import Source
from pipelines.readers import RAW_TABLE

TYPED_TABLE = "chunk_typed"

TIMESTAMP_RE = r"^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}$"
DATE_RE = r"^\d{4}-\d{2}-\d{2}$"
MONTH_RE = r"^\d{4}-\d{2}$"
DECIMAL_RE = r"^-?\d{1,15}(\.\d{1,4})?$"
NUMBER_RE = r"^-?(\d+(\.\d*)?|\.\d+)([eE][-+]?\d+)?$"
INTEGER_RE = r"^-?\d{1,18}$"

TRUE_WORDS = ("y", "true", "1")
FALSE_WORDS = ("n", "false", "0")


def _v(col: str) -> str:
    """The raw value, trimmed, with '' as NULL."""
    return f"NULLIF(trim(\"{col}\"), '')"


def cast_expression(col: str, col_type: str) -> tuple[str, str]:
    """(typed value expression, expression giving the error text or NULL)."""
    v = _v(col)
    if col_type == "text":
        return v, "NULL"
    if col_type == "timestamp":
        ok = f"regexp_full_match({v}, '{TIMESTAMP_RE}')"
        typed = f"CASE WHEN {ok} THEN try_strptime({v}, '%Y-%m-%d %H:%M:%S') END"
        expect = "a timestamp YYYY-MM-DD HH:MM:SS"
    elif col_type == "date":
        ok = f"regexp_full_match({v}, '{DATE_RE}')"
        typed = f"CASE WHEN {ok} THEN try_strptime({v}, '%Y-%m-%d')::DATE END"
        expect = "a date YYYY-MM-DD"
    elif col_type == "month":
        ok = f"regexp_full_match({v}, '{MONTH_RE}')"
        typed = f"CASE WHEN {ok} THEN try_strptime({v} || '-01', '%Y-%m-%d')::DATE END"
        expect = "a month YYYY-MM"
    elif col_type == "bool":
        typed = (f"CASE WHEN lower({v}) IN {TRUE_WORDS} THEN TRUE "
                 f"WHEN lower({v}) IN {FALSE_WORDS} THEN FALSE END")
        expect = "Y or N"
    elif col_type == "decimal":
        ok = f"regexp_full_match({v}, '{DECIMAL_RE}')"
        typed = f"CASE WHEN {ok} THEN try_cast({v} AS DECIMAL(18, 2)) END"
        expect = "an amount in pounds, like 1234.50"
    elif col_type == "number":
        ok = f"regexp_full_match({v}, '{NUMBER_RE}')"
        typed = f"CASE WHEN {ok} AND isfinite(try_cast({v} AS DOUBLE)) THEN try_cast({v} AS DOUBLE) END"
        expect = "a number"
    elif col_type == "integer":
        ok = f"regexp_full_match({v}, '{INTEGER_RE}')"
        typed = f"CASE WHEN {ok} THEN try_cast({v} AS BIGINT) END"
        expect = "a whole number"
    else:  # pragma: no cover - contract.py rejects unknown types
        raise ValueError(col_type)
    # Quote the bad value, cut short: a reason must not carry a whole record.
    error = (f"CASE WHEN {v} IS NOT NULL AND ({typed}) IS NULL THEN "
             f"'{col}: ''' || left({v}, 40) || ''' is not {expect}' END")
    return typed, error


# C0 controls other than tab, LF and CR, and DEL: no text extract holds them.
CONTROL_RE = r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]"


def control_character_error(col: str, only: str = "") -> str:
    """One rule wherever the byte is in the file: a NUL or another control
    character in a field quarantines its record (readers.py refuses a file only
    when control bytes are dense in its first 64 KB: then it is not text).
    `only` narrows the search to the files the reader saw a control byte in."""
    return (f"CASE WHEN {only}strpos(\"{col}\", chr(0)) > 0 THEN "
            f"'{col} holds a NUL byte (a control character no text extract has)' "
            f"WHEN {only}regexp_matches(\"{col}\", '{CONTROL_RE}') THEN "
            f"'{col} holds a control character no text extract has' END")


def build_typed_table_sql(source: Source, control_byte_files: list[str] | None = None) -> str:
    """SQL creating TYPED_TABLE from RAW_TABLE: the key, typed columns and `_errors`.

    `control_byte_files`: the files in which the reader found a control byte;
    only their values are searched for one (None: every file's)."""
    typed_cols, errors = [], []
    only = ("" if control_byte_files is None else
            "_file IN (" + ", ".join("'" + n.replace("'", "''") + "'" for n in control_byte_files) + ") AND ")
    for c in source.columns:
        typed, error = cast_expression(c.name, c.type)
        typed_cols.append(f"{typed} AS \"{c.name}\"")
        if control_byte_files is None or control_byte_files:
            errors.append(control_character_error(c.name, only))
        if error != "NULL":
            errors.append(error)
    # A header repeated inside the file is a common export fault: say so.
    header_again = " AND ".join(f"lower(trim(coalesce(\"{c}\", ''))) = '{c}'" for c in source.required_columns)
    errors.insert(0, f"CASE WHEN {header_again} THEN 'the header row is repeated inside the file' END")
    # The key as delivered: a quarantined row leaves quarantine once a later
    # file delivers a row with the same key.
    key_parts = ", ".join(_v(k) for k in source.key)
    key_null = " OR ".join(f"{_v(k)} IS NULL" for k in source.key)
    key = f"CASE WHEN {key_null} THEN NULL ELSE concat_ws('|', {key_parts}) END"
    return f"""
        CREATE OR REPLACE TEMP TABLE {TYPED_TABLE} AS
        SELECT _file, _row, _rid, {key} AS _key, {', '.join(typed_cols)},
               list_filter([{', '.join(errors)}], lambda x: x IS NOT NULL) AS _errors
        FROM {RAW_TABLE}
    """


def raw_record_sql(source: Source, alias: str) -> str:
    """A landed record as delivered (its text values as JSON), for the quarantine.
    Built only for the rows quarantined, from RAW_TABLE (alias), not for every row typed."""
    return "to_json({" + ", ".join(f"'{c}': {alias}.\"{c}\"" for c in source.column_names) + "})"
