"""Read a CRM export (HubSpot/Salesforce style CSV) into a header and rows of text, with clear errors.

Handles a UTF-8 byte-order mark, Windows-1252 and UTF-16 exports (with a warning), `;`/tab/`|` delimiters,
quoted multi-line fields, duplicate column names and padded rows. Anything it cannot read safely is an error
that names the file, the line and what to do.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field
from pathlib import Path

from knowledge.errors import KnowledgeError

MAX_BYTES = 512 * 1024 * 1024


class HistoryError(KnowledgeError):
    """A CRM history file or its label cannot be used; the message says what is wrong and how to fix it."""


@dataclass
class HistoryTable:
    columns: list[str]
    rows: list[list[str]]
    warnings: list[str] = field(default_factory=list)
    encoding: str = "utf-8"
    delimiter: str = ","

    def column(self, name: str) -> list[str]:
        i = self.columns.index(name)
        return [r[i] for r in self.rows]


def _decode(data: bytes, path: Path, warnings: list[str]) -> tuple[str, str]:
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        warnings.append(f"{path.name}: read as UTF-16 (byte-order mark found)")
        return data.decode("utf-16"), "utf-16"
    if b"\x00" in data[:4096]:
        raise HistoryError(f"{path}: contains NUL bytes; this is not a CSV text file (export it as CSV)")
    try:
        return data.decode("utf-8-sig"), "utf-8"
    except UnicodeDecodeError as exc:
        first_bad = exc.start
    try:
        text = data.decode("cp1252")
    except UnicodeDecodeError as exc:
        raise HistoryError(
            f"{path}: not UTF-8 (first bad byte at offset {first_bad}) and not Windows-1252 either; "
            "re-export it as 'CSV UTF-8'"
        ) from exc
    warnings.append(f"{path.name}: not UTF-8; read as Windows-1252 (cp1252). Check accented names look right.")
    return text, "cp1252"


def _delimiter(sample: str) -> str:
    try:
        return csv.Sniffer().sniff(sample, delimiters=",;\t|").delimiter
    except csv.Error:
        header = sample.splitlines()[0] if sample else ""
        counts = {d: header.count(d) for d in ",;\t|"}
        best = max(counts, key=lambda d: counts[d])
        return best if counts[best] else ","


def read_history(path: Path | str) -> HistoryTable:
    """Parse the file; raise HistoryError for a missing, empty, binary or ragged file."""
    p = Path(path)
    if not p.exists():
        raise HistoryError(f"{p}: no such file")
    if p.is_dir():
        raise HistoryError(f"{p}: is a folder; pass the CSV file")
    size = p.stat().st_size
    if size == 0:
        raise HistoryError(f"{p}: the file is empty")
    if size > MAX_BYTES:
        raise HistoryError(f"{p}: {size // 2**20} MB is too big (limit {MAX_BYTES // 2**20} MB); sample it first")
    warnings: list[str] = []
    text, encoding = _decode(p.read_bytes(), p, warnings)
    if not text.strip():
        raise HistoryError(f"{p}: the file is empty")
    delim = _delimiter(text[:65536])
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delim)
    try:
        records = [(reader.line_num, row) for row in reader]
    except csv.Error as exc:
        raise HistoryError(f"{p}: line {reader.line_num}: not valid CSV ({exc})") from exc
    records = [(n, row) for n, row in records if any(c.strip() for c in row)]
    if not records:
        raise HistoryError(f"{p}: the file is empty")
    header = [h.strip() for h in records[0][1]]
    while header and not header[-1]:
        header.pop()
    if len(header) < 2:
        raise HistoryError(
            f"{p}: found {len(header)} column(s); a history needs a label column and at least one feature "
            "(is the delimiter ',' or ';'?)"
        )
    columns = _unique(header, warnings)
    rows: list[list[str]] = []
    ragged: list[str] = []
    width = len(columns)
    for line, row in records[1:]:
        if len(row) > width and not any(c.strip() for c in row[width:]):
            row = row[:width]
        if len(row) != width:
            ragged.append(f"line {line} has {len(row)} fields")
            continue
        rows.append([c.strip() for c in row])
    if ragged:
        shown = "; ".join(ragged[:5]) + (f" (and {len(ragged) - 5} more)" if len(ragged) > 5 else "")
        raise HistoryError(
            f"{p}: {len(ragged)} row(s) do not match the header's {width} columns: {shown}. "
            "Fix the quoting (a field with the delimiter in it must be quoted) or re-export the file."
        )
    if not rows:
        raise HistoryError(f"{p}: has a header but no data rows")
    return HistoryTable(columns=columns, rows=rows, warnings=warnings, encoding=encoding, delimiter=delim)


def _unique(header: list[str], warnings: list[str]) -> list[str]:
    seen: dict[str, int] = {}
    out = []
    for i, name in enumerate(header):
        base = name or f"column_{i + 1}"
        if base in seen:
            seen[base] += 1
            new = f"{base}_{seen[base]}"
            warnings.append(f"column '{base}' appears more than once; the copy is called '{new}'")
            out.append(new)
        else:
            seen[base] = 1
            out.append(base)
    return out
