"""Write extracts as the source systems deliver them: CSV or .xlsx, byte-stable.

CSV: UTF-8, header row, comma, "\\n" line ends, quotes only where a value needs
them (directorate "Health, Adults and Community"), empty field = missing.
Calls and contacts (millions of rows) go through pyarrow's writer with values
that never need quoting; the small sources go through the csv module.

XLSX: openpyxl stamps the time of saving into the workbook properties and the
zip entries; both are pinned so the same data always gives the same bytes.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
import shutil
import zipfile
from collections import defaultdict
from pathlib import Path

import pyarrow as pa
import pyarrow.csv as pacsv

FIXED_TIME = dt.datetime(2020, 1, 1, 0, 0, 0)
_ARROW_OPTIONS = pacsv.WriteOptions(include_header=False, quoting_style="none", delimiter=",")


class Delivery:
    """Writes files under RAW/<source>/ and counts files and rows per source."""

    def __init__(self, raw_dir: Path):
        self.raw_dir = Path(raw_dir)
        self.files: dict[str, int] = defaultdict(int)
        self.rows: dict[str, int] = defaultdict(int)

    def path(self, source: str, name: str) -> Path:
        folder = self.raw_dir / source
        folder.mkdir(parents=True, exist_ok=True)
        return folder / name

    def _count(self, source: str, rows: int) -> None:
        self.files[source] += 1
        self.rows[source] += rows

    def arrow_csv(self, source: str, name: str, table: pa.Table) -> Path:
        """A large table of text columns; pyarrow writes the body, we write the header
        (pyarrow would quote it)."""
        path = self.path(source, name)
        with open(path, "wb") as f:
            f.write((",".join(table.column_names) + "\n").encode("utf-8"))
            if table.num_rows:
                pacsv.write_csv(table, f, _ARROW_OPTIONS)
        self._count(source, table.num_rows)
        return path

    def rows_csv(self, source: str, name: str, header: list[str], rows: list[list]) -> Path:
        path = self.path(source, name)
        buf = io.StringIO()
        w = csv.writer(buf, lineterminator="\n")
        w.writerow(header)
        w.writerows([["" if v is None else v for v in r] for r in rows])
        path.write_bytes(buf.getvalue().encode("utf-8"))
        self._count(source, len(rows))
        return path

    def rows_xlsx(self, source: str, name: str, header: list[str], rows: list[list]) -> Path:
        """First sheet, header in row 1. Values go in as given: str as text (dates and
        months stay text, as the contract formats them), float/int as numbers, None empty."""
        from openpyxl import Workbook  # only the xlsx deliveries pay for the import

        path = self.path(source, name)
        wb = Workbook(write_only=True)
        wb.properties.creator = "demo-data"
        wb.properties.created = FIXED_TIME
        ws = wb.create_sheet("Sheet1")
        ws.append(header)
        for r in rows:
            ws.append([None if v == "" else v for v in r])
        raw = io.BytesIO()
        wb.save(raw)
        path.write_bytes(_pin_zip(raw.getvalue()))
        self._count(source, len(rows))
        return path

    def copy(self, source: str, name: str, new_name: str, rows: int) -> Path:
        """Re-deliver a file byte for byte under another name."""
        dst = self.path(source, new_name)
        shutil.copyfile(self.path(source, name), dst)
        self._count(source, rows)
        return dst


def _pin_zip(data: bytes) -> bytes:
    """Re-pack the xlsx with fixed timestamps so it is byte-reproducible."""
    src = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    stamp = FIXED_TIME.strftime("%Y-%m-%dT%H:%M:%SZ").encode()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            body = src.read(info.filename)
            if info.filename == "docProps/core.xml":
                body = re.sub(rb"(<dcterms:(?:created|modified)[^>]*>)[^<]*(<)", rb"\g<1>" + stamp + rb"\g<2>", body)
            zi = zipfile.ZipInfo(info.filename, date_time=FIXED_TIME.timetuple()[:6])
            zi.compress_type = zipfile.ZIP_DEFLATED
            zi.external_attr = 0o600 << 16
            dst.writestr(zi, body)
    return out.getvalue()
