"""What a DuckDB column is once Great Expectations on pandas sees it.

The differential contract is "the same answer as Great Expectations on the
DataFrame DuckDB hands over" (`.df()`), and that DataFrame's dtypes decide the
semantics: DECIMAL and HUGEINT arrive as float64, DATE as datetime64, a DOUBLE
NaN is a missing value, and an integer or boolean column with a NULL arrives
as a nullable (Int64/boolean) array whose comparisons propagate <NA> like SQL,
while every other dtype answers a comparison with a missing value with False
(True for !=). Columns of other types (FLOAT, TIME, INTERVAL, lists, ...) are
not compiled: their checks run through Great Expectations.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

INT_TYPES = {"TINYINT", "SMALLINT", "INTEGER", "BIGINT", "UTINYINT", "USMALLINT", "UINTEGER", "UBIGINT"}
AS_DOUBLE_TYPES = {"HUGEINT", "UHUGEINT"}  # pandas: float64


def quote_ident(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


@dataclass(frozen=True)
class Column:
    name: str
    sql_type: str
    kind: str  # int | float | bool | str | datetime | other

    @property
    def ident(self) -> str:
        return quote_ident(self.name)

    @property
    def compiled(self) -> bool:
        return self.kind != "other"

    @property
    def three_valued(self) -> bool:
        """pandas' nullable Int64/boolean: a comparison with a missing value is <NA>, as in SQL."""
        return self.kind in ("int", "bool")

    @property
    def value(self) -> str:
        """The value as the DataFrame holds it, with every missing value as SQL NULL."""
        t = self.sql_type
        if t == "DOUBLE":
            return f"NULLIF({self.ident}, 'NaN'::DOUBLE)"
        if t.startswith("DECIMAL") or t in AS_DOUBLE_TYPES:
            return f"CAST({self.ident} AS DOUBLE)"
        if t == "DATE":
            return f"CAST({self.ident} AS TIMESTAMP)"
        return self.ident

    @property
    def missing(self) -> str:
        return f"({self.value} IS NULL)"


def column_kind(sql_type: str) -> str:
    t = sql_type.upper()
    if t in INT_TYPES:
        return "int"
    if t == "DOUBLE" or t in AS_DOUBLE_TYPES or re.fullmatch(r"DECIMAL\(\d+,\s*\d+\)", t):
        return "float"
    if t == "BOOLEAN":
        return "bool"
    if t == "VARCHAR":
        return "str"
    if t in ("DATE", "TIMESTAMP"):
        return "datetime"
    return "other"


def relation_columns(con, relation: str) -> dict[str, Column]:
    rel = con.sql(f"SELECT * FROM {relation}")
    return {name: Column(name, str(t).upper(), column_kind(str(t)))
            for name, t in zip(rel.columns, rel.types, strict=True)}
