"""Refuse a workbook that would take too much memory to read, before reading it.

An .xlsx is a zip of XML parts. A few kilobytes on disk can inflate to hundreds
of megabytes of XML, and one cell placed far away (`ZZ200000`) makes the reader
allocate every cell between it and A1: a 2 KB file then takes 5 GB. So before
calamine sees a workbook, every part is inflated once as a stream, counting the
bytes it really unpacks to (the sizes a zip declares can lie), and the first
sheet's cell positions are scanned for the area the reader would allocate. Both
are bounded (settings: XLSX_MAX_UNCOMPRESSED_BYTES, XLSX_MAX_ROWS,
XLSX_MAX_CELLS); beyond them the file is refused with the reason.
"""

from __future__ import annotations

import posixpath
import re
import zipfile
from typing import BinaryIO

from pipelines import settings

MAX_PARTS = 10_000
_BLOCK = 1 << 20
# <row ...> and <c ...> start tags, with or without a namespace prefix.
_TAG = re.compile(rb"<(?:[A-Za-z_][\w.-]*:)?(row|c)(?=[\s/>])([^>]*)>")
_ROW_REF = re.compile(rb"""\br\s*=\s*["'](\d+)["']""")
_CELL_REF = re.compile(rb"""\br\s*=\s*["']([A-Za-z]{1,3})(\d+)["']""")
_SHEET = re.compile(rb"""<(?:\w+:)?sheet\b[^>]*?\b(?:\w+:)?id\s*=\s*["']([^"']+)["']""")
_REL = re.compile(rb"<(?:\w+:)?Relationship\b[^>]*>")
_ATTR = re.compile(rb"""\b(Id|Target)\s*=\s*["']([^"']+)["']""")


def _mb(n: int) -> str:
    return f"{n / 1_000_000:,.0f} MB"


def _column_number(letters: bytes) -> int:
    n = 0
    for ch in letters.upper():
        n = n * 26 + (ch - 64)
    return n


def _first_sheet_part(z: zipfile.ZipFile) -> str | None:
    """The zip name of the workbook's first sheet (workbook.xml, then its rels)."""
    try:
        workbook = z.read("xl/workbook.xml")[:1_000_000] if _small(z, "xl/workbook.xml") else b""
        rels = (z.read("xl/_rels/workbook.xml.rels")[:1_000_000]
                if _small(z, "xl/_rels/workbook.xml.rels") else b"")
    except (KeyError, zipfile.BadZipFile, OSError, RuntimeError):
        return None
    first = _SHEET.search(workbook)
    if not first:
        return None
    for rel in _REL.findall(rels):
        attrs = dict(_ATTR.findall(rel))
        if attrs.get(b"Id") == first.group(1) and b"Target" in attrs:
            target = attrs[b"Target"].decode("utf-8", "replace")
            return target.lstrip("/") if target.startswith("/") else posixpath.normpath(f"xl/{target}")
    return None


def _small(z: zipfile.ZipFile, name: str) -> bool:
    try:
        return z.getinfo(name).file_size <= 1_000_000
    except KeyError:
        return False


_FIRST_ATTRIBUTE_R = {k: re.compile(rb'<c r="([A-Z]{%d})\d' % k) for k in (3, 2, 1)}
_CELL_ROW = re.compile(rb'<c r="[A-Z]{1,3}(\d+)"')
_ROW_R = re.compile(rb'<row r="(\d+)"')
_PREFIXED = (b":c ", b":c>", b":c/", b":row ", b":row>", b":row/")


class _SheetArea:
    """Scans a sheet's XML as it streams past for the last row and column it uses.

    Excel writes every row and cell with its position (r="B12"): then a block
    is measured with a few regular-expression passes in C. A block with a row
    or cell that leaves its position out (the next one along) is walked tag by
    tag, as the reader would place them."""

    def __init__(self) -> None:
        self.rows = self.columns = 0
        self._row = self._col = 0
        self._tail = b""

    def feed(self, block: bytes) -> None:
        data = self._tail + block
        cut = data.rfind(b"<")
        if cut == -1 or data.find(b">", cut) != -1:
            cut = len(data)
        self._scan(data[:cut])
        self._tail = data[cut:][-65536:]

    def close(self) -> None:
        self._scan(self._tail)

    def _scan(self, data: bytes) -> None:
        """The fast path, when every row and cell tag starts with its position as Excel,
        LibreOffice and openpyxl write them: substring counts and a few regular
        expressions, most of which match little (the longest column letters first)."""
        cells = data.count(b"<c ") + data.count(b"<c>") + data.count(b"<c/")
        rows = data.count(b"<row ") + data.count(b"<row>") + data.count(b"<row/")
        if (any(p in data for p in _PREFIXED) or data.count(b'<c r="') != cells
                or data.count(b'<row r="') != rows):
            self._walk(data)
            return
        if rows:
            self._row = max(self._row, max(map(int, _ROW_R.findall(data))))
        if cells:
            for pattern in _FIRST_ATTRIBUTE_R.values():
                letters = set(pattern.findall(data))
                if letters:
                    self.columns = max(self.columns, max(_column_number(x) for x in letters))
                    break
            self._row = max(self._row, max(map(int, set(_CELL_ROW.findall(data)))))
        self.rows = max(self.rows, self._row)

    def _walk(self, data: bytes) -> None:
        for m in _TAG.finditer(data):
            if m.group(1) == b"row":
                ref = _ROW_REF.search(m.group(2))
                self._row = int(ref.group(1)) if ref else self._row + 1
                self._col = 0
                self.rows = max(self.rows, self._row)
            else:
                ref = _CELL_REF.search(m.group(2))
                if ref:
                    self._col = _column_number(ref.group(1))
                    self._row = max(self._row, int(ref.group(2)))
                    self.rows = max(self.rows, self._row)
                else:
                    self._col += 1
                self.columns = max(self.columns, self._col)


def workbook_problem(f: BinaryIO, size_on_disk: int) -> str | None:
    """Why this workbook must not be read (too big once unpacked), or None."""
    limit = settings.XLSX_MAX_UNCOMPRESSED_BYTES
    try:
        z = zipfile.ZipFile(f)
    except (zipfile.BadZipFile, OSError, ValueError):
        return None  # not a zip after all: the reader says so in its own words
    with z:
        parts = z.infolist()
        if len(parts) > MAX_PARTS:
            return f"the workbook holds {len(parts):,} parts, more than the {MAX_PARTS:,} a workbook may have"
        declared = sum(p.file_size for p in parts)
        if declared > limit:
            return (f"the workbook unpacks to more than {_mb(limit)} ({_mb(declared)} from "
                    f"{size_on_disk / 1000:,.0f} KB on disk): too large to read safely; deliver it as CSV")
        sheet = _first_sheet_part(z)
        names = {p.filename for p in parts}
        if sheet not in names:  # no workbook.xml to say which: bound every sheet
            sheet = None
        areas: list[_SheetArea] = []
        total = 0
        for part in parts:
            is_sheet = part.filename == sheet or (sheet is None and part.filename.startswith("xl/worksheets/"))
            area = _SheetArea() if is_sheet else None
            try:
                with z.open(part) as stream:
                    while block := stream.read(_BLOCK):
                        total += len(block)
                        if total > limit:
                            return (f"the workbook unpacks to more than {_mb(limit)} (from "
                                    f"{size_on_disk / 1000:,.0f} KB on disk): too large to read safely; "
                                    "deliver it as CSV")
                        if area:
                            area.feed(block)
                            if problem := _too_large(area):  # no need to read the rest
                                return problem
            except (zipfile.BadZipFile, OSError, RuntimeError, NotImplementedError, EOFError, ValueError):
                # a part whose size or checksum is not what the zip declares cannot be
                # measured, so it is not handed to the reader either
                return ("the workbook is damaged (a part of it does not unpack to what the file declares): "
                        "re-save it from Excel or deliver it as CSV")
            if area:
                area.close()
                areas.append(area)
        for area in areas:
            if problem := _too_large(area):
                return problem
    return None


def _too_large(area: _SheetArea) -> str | None:
    if area.rows > settings.XLSX_MAX_ROWS:
        return (f"the first sheet reaches row {area.rows:,}, more than the {settings.XLSX_MAX_ROWS:,} rows "
                "a workbook may have: deliver it as CSV")
    cells = area.rows * area.columns
    if cells > settings.XLSX_MAX_CELLS:
        return (f"the first sheet spans {area.rows:,} rows x {area.columns:,} columns ({cells:,} cells, "
                f"more than the {settings.XLSX_MAX_CELLS:,} cells a workbook may have): a cell far from "
                "the data (check for stray content) or too large a file; deliver it as CSV")
    return None
