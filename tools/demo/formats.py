"""Turn numpy values into the exact text the contract asks for, fast.

Calls and contacts run to tens of millions of rows at --scale 8, and a generic
strftime costs ~2 s per million values, so timestamps, dates and ids are built
as fixed-width byte matrices with numpy arithmetic and handed to Arrow as
string arrays without a Python object per value.
"""

from __future__ import annotations

import numpy as np
import pyarrow as pa

_DIGITS = np.frombuffer(b"0123456789", dtype=np.uint8)
# "00".."99" as a (100, 2) byte table: two digits per lookup instead of two divisions.
_PAIRS = np.frombuffer("".join(f"{i:02d}" for i in range(100)).encode("ascii"), dtype=np.uint8).reshape(100, 2)
EPOCH_ORDINAL = 719163  # date(1970, 1, 1).toordinal()


def strings_from_matrix(chars: np.ndarray, valid: np.ndarray | None = None) -> pa.StringArray:
    """An (n, width) uint8 matrix of ASCII -> Arrow strings; null where not valid."""
    n, width = chars.shape
    offsets = np.arange(0, (n + 1) * width, width, dtype=np.int32)
    bitmap, nulls = None, 0
    if valid is not None:
        valid = np.asarray(valid, dtype=bool)
        nulls = int(n - valid.sum())
        if nulls:
            bitmap = pa.py_buffer(np.packbits(valid, bitorder="little"))
    return pa.StringArray.from_buffers(n, pa.py_buffer(offsets), pa.py_buffer(np.ascontiguousarray(chars).ravel()),
                                       bitmap, nulls)


def _put(out: np.ndarray, col: int, values: np.ndarray, width: int) -> None:
    v = values.astype(np.int64, copy=True)
    for k in range(width - 1, -1, -1):
        out[:, col + k] = _DIGITS[v % 10]
        v //= 10


def _put2(out: np.ndarray, col: int, values: np.ndarray) -> None:
    out[:, col : col + 2] = _PAIRS[values]


def _put_date(out: np.ndarray, col: int, days: np.ndarray) -> None:
    # Rows of one file share few dates: format each distinct date once.
    d = days.astype("datetime64[D]")
    uniq, inverse = np.unique(d, return_inverse=True)
    month_start = uniq.astype("datetime64[M]")
    year = month_start.astype("datetime64[Y]").astype(np.int64) + 1970
    small = np.empty((len(uniq), 10), dtype=np.uint8)
    _put2(small, 0, year // 100)
    _put2(small, 2, year % 100)
    small[:, 4] = ord("-")
    _put2(small, 5, month_start.astype(np.int64) % 12 + 1)
    small[:, 7] = ord("-")
    _put2(small, 8, (uniq - month_start).astype(np.int64) + 1)
    out[:, col : col + 10] = small[inverse.ravel()]


def timestamps(seconds: np.ndarray, valid: np.ndarray | None = None) -> pa.StringArray:
    """Seconds since 1970-01-01 00:00 (local wall clock) -> 'YYYY-MM-DD HH:MM:SS'."""
    s = np.asarray(seconds, dtype=np.int64)
    out = np.empty((len(s), 19), dtype=np.uint8)
    days = s // 86400
    sod = s - days * 86400
    _put_date(out, 0, days)
    out[:, 10] = ord(" ")
    _put2(out, 11, sod // 3600)
    out[:, 13] = ord(":")
    _put2(out, 14, sod // 60 % 60)
    out[:, 16] = ord(":")
    _put2(out, 17, sod % 60)
    return strings_from_matrix(out, valid)


def dates(days: np.ndarray, valid: np.ndarray | None = None) -> pa.StringArray:
    """datetime64[D] (or days since 1970) -> 'YYYY-MM-DD'."""
    d = np.asarray(days)
    if d.dtype.kind != "M":
        d = d.astype("datetime64[D]")
    out = np.empty((len(d), 10), dtype=np.uint8)
    _put_date(out, 0, d)
    return strings_from_matrix(out, valid)


def sequence_ids(prefix: str, seq: np.ndarray, width: int) -> pa.StringArray:
    """prefix + zero-padded sequence number, e.g. C20240517000123."""
    p = np.frombuffer(prefix.encode("ascii"), dtype=np.uint8)
    out = np.empty((len(seq), len(p) + width), dtype=np.uint8)
    out[:, : len(p)] = p
    _put(out, len(p), np.asarray(seq), width)
    return strings_from_matrix(out)


def labels(codes: list[str], index: np.ndarray, valid: np.ndarray | None = None) -> pa.Array:
    """Pick labels by integer index (vectorised), null where not valid."""
    arr = pa.array(codes, type=pa.string()).take(pa.array(np.asarray(index, dtype=np.int64)))
    if valid is not None and not np.all(valid):
        arr = pa.compute.if_else(pa.array(np.asarray(valid, dtype=bool)), arr, pa.scalar(None, pa.string()))
    return arr


def yes_no(flags: np.ndarray, valid: np.ndarray | None = None) -> pa.Array:
    return labels(["N", "Y"], np.asarray(flags, dtype=np.int64), valid)


def constant(value: str | None, n: int) -> pa.Array:
    return pa.nulls(n, pa.string()) if value is None else pa.array(np.full(n, value, dtype=object), pa.string())


def day_number(day) -> int:
    """Days since 1970-01-01 for a datetime.date."""
    return day.toordinal() - EPOCH_ORDINAL
