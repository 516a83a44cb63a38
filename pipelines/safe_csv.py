"""CSV files safe to open in Excel: a cell starting with = + - @ (or a tab or
carriage return) could run as a formula, so it is prefixed with a quote."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def neutralise(value):
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def safe_frame(df: pd.DataFrame) -> pd.DataFrame:
    out = df.copy()
    for col in out.columns:
        if out[col].dtype == object or pd.api.types.is_string_dtype(out[col]):
            out[col] = out[col].map(neutralise)
    return out


def write_safe_csv(df: pd.DataFrame, path: Path) -> None:
    safe_frame(df).to_csv(path, index=False, encoding="utf-8-sig")


def safe_csv_bytes(df: pd.DataFrame) -> bytes:
    return safe_frame(df).to_csv(index=False).encode("utf-8-sig")
