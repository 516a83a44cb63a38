"""Plant realistic faults, and remember every one of them.

Real extracts are never clean: a queue code typed by hand, a timestamp in
another format, a key lost in an export. The pipeline must quarantine such rows
(and refuse whole files that lack a column or leak personal data) without
losing the rest, so the demo data carries a small, deterministic share of them.
Each planted fault is recorded (source, file, 1-based data row, kind) and
written to RAW/_demo_faults.json for tests and analysts to check against.

Fault randomness comes from its own streams, so `--no-faults` gives exactly the
same underlying data, only clean.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

TS_FORMAT = "%Y-%m-%d %H:%M:%S"


class FaultLog:
    def __init__(self, enabled: bool = True):
        self.enabled = enabled
        self.records: list[dict] = []

    def add(self, source: str, file: str, row_number: int | None, kind: str, column: str | None = None,
            value=None) -> None:
        # same keys on every record (null where not applicable) for easy loading
        self.records.append({"source": source, "file": file, "row_number": row_number, "kind": kind,
                             "column": column, "value": value})


def sort_key(rec: dict):
    return rec["source"], rec["file"], rec["row_number"] or 0, rec["kind"]


def replace_cells(table: pa.Table, column: str, rows: list[int], values: list) -> pa.Table:
    """Set table[column][rows] = values (None = empty), vectorised."""
    i = table.column_names.index(column)
    arr = table.column(i).combine_chunks()
    mask = np.zeros(table.num_rows, dtype=bool)
    mask[rows] = True
    # replace_with_mask takes replacements in row order
    order = np.argsort(rows)
    repl = pa.array([values[k] for k in order], type=pa.string())
    return table.set_column(i, column, pc.replace_with_mask(arr, pa.array(mask), repl))


def _shift(ts: str, seconds: int) -> str:
    return (dt.datetime.strptime(ts, TS_FORMAT) + dt.timedelta(seconds=seconds)).strftime(TS_FORMAT)


def _uk_format(ts: str) -> str:
    """'2024-03-31 09:15:27' -> '31/03/2024 09:15', as a spreadsheet export would."""
    return dt.datetime.strptime(ts, TS_FORMAT).strftime("%d/%m/%Y %H:%M")


@dataclass
class RowFault:
    kind: str
    column: str
    # which rows it applies to (None: any row)
    eligible: Callable[[pa.Table], np.ndarray] | None
    # new value for the cell, from (row as dict, rng)
    value: Callable[[dict, np.random.Generator], str | None]


def _is(column: str, value: str):
    return lambda t: np.asarray(pc.equal(t.column(column), value).fill_null(False))


CALL_FAULTS = [
    RowFault("unknown_queue", "queue", None, lambda r, g: str(g.choice(["CTAX", "HSGREP", "PKG", "switchboard"]))),
    RowFault("answered_before_offered", "answered_at", _is("outcome", "answered"),
             lambda r, g: _shift(r["offered_at"], -int(g.integers(30, 900)))),
    RowFault("bad_timestamp_format", "offered_at", None, lambda r, g: _uk_format(r["offered_at"])),
    RowFault("empty_key", "call_id", None, lambda r, g: None),
    RowFault("unknown_outcome", "outcome", None, lambda r, g: str(g.choice(["transferred", "voicemail", "callback"]))),
    RowFault("answered_at_on_abandoned", "answered_at", _is("outcome", "abandoned"),
             lambda r, g: _shift(r["offered_at"], max(1, int((dt.datetime.strptime(r["ended_at"], TS_FORMAT)
                                                             - dt.datetime.strptime(r["offered_at"], TS_FORMAT))
                                                            .total_seconds()) // 2))),
]

CONTACT_FAULTS = [
    RowFault("unknown_service", "service", None, lambda r, g: str(g.choice(["CTAX", "council-tax", "HOUSING"]))),
    RowFault("unknown_channel", "channel", None, lambda r, g: str(g.choice(["letter", "fax", "phone"]))),
    RowFault("bad_timestamp_format", "started_at", None, lambda r, g: _uk_format(r["started_at"])),
    RowFault("empty_key", "contact_id", None, lambda r, g: None),
    RowFault("bad_boolean", "completed", None, lambda r, g: str(g.choice(["X", "maybe"]))),
]


def plant_rows(table: pa.Table, faults: list[RowFault], rate: float, rng: np.random.Generator, log: FaultLog,
               source: str, file: str) -> pa.Table:
    """Plant about rate x rows faults of random kinds in distinct rows of a table."""
    k = int(rng.poisson(rate * table.num_rows))
    if k == 0 or table.num_rows == 0:
        return table
    used: set[int] = set()
    edits: dict[str, dict[int, str | None]] = {}
    for kind_i in rng.integers(0, len(faults), size=k):
        fault = faults[kind_i]
        mask = np.ones(table.num_rows, dtype=bool) if fault.eligible is None else fault.eligible(table)
        if used:
            mask[list(used)] = False
        candidates = np.flatnonzero(mask)
        if not len(candidates):
            continue
        row = int(rng.choice(candidates))
        used.add(row)
        value = fault.value(table.slice(row, 1).to_pylist()[0], rng)
        edits.setdefault(fault.column, {})[row] = value
        log.add(source, file, row + 1, fault.kind, fault.column, value)
    for column in sorted(edits):
        rows = sorted(edits[column])
        table = replace_cells(table, column, rows, [edits[column][r] for r in rows])
    return table


def fake_phone_number(rng: np.random.Generator) -> str:
    """A UK mobile number from Ofcom's drama range (07700 900000-900999): looks real, is not."""
    return f"07700 900{int(rng.integers(0, 1000)):03d}"
