"""Reads the summary `ddb-catalog ingest` prints on stderr (host/src/summary.rs renders it).

The summary is the host's stable, documented output (README, "Using your own workflow"); every
value in it has already been through the host's sanitiser, so it is one line per item and holds
no secret.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import List, Optional, Tuple

HEADER = re.compile(r"^Workflow DynamoDB Summary \((?P<service>.*)\):$")
SINK_HEADER = re.compile(r"^Workflow (?P<sink>.+) Summary:$")
TABLES = re.compile(
    r"^  Tables listed: (?P<listed>\d+) \(ingested (?P<ingested>\d+), "
    r"filtered (?P<filtered>\d+), failed (?P<failed>\d+)\)$"
)
COUNT = re.compile(r"^  (?P<key>[A-Za-z ]+): (?P<value>\d+)$")
SECTION = re.compile(r"^  (?P<title>Filtered|Failures|Warnings):$")
REQUESTS = re.compile(
    r"^  Requests: (?P<requests>\d+) \(retries (?P<retries>\d+), throttled (?P<throttled>\d+)\)$"
)
SUCCESS = re.compile(r"^Success %: (?P<percent>\d+(?:\.\d+)?)$")
ELAPSED = re.compile(r"^Workflow finished in (?P<seconds>\d+(?:\.\d+)?) s$")
FINISHED = {
    "Workflow finished successfully": "success",
    "Workflow finished with warnings": "warnings",
    "Workflow finished with failures": "failures",
}


@dataclass
class SinkCounts:
    name: str
    records: int = 0
    warnings: int = 0
    errors: int = 0
    failures: List[Tuple[str, str]] = field(default_factory=list)
    warning_messages: List[str] = field(default_factory=list)


@dataclass
class Parsed:
    """The summary's values; `text` is the summary as printed."""

    service: str
    text: str = ""
    status: Optional[str] = None
    listed: int = 0
    ingested: int = 0
    filtered: int = 0
    failed: int = 0
    processed_records: int = 0
    warnings: int = 0
    errors: int = 0
    requests: Optional[Tuple[int, int, int]] = None
    stopped: Optional[str] = None
    left_undone: int = 0
    success_percent: Optional[float] = None
    elapsed_seconds: Optional[float] = None
    filtered_tables: List[Tuple[str, str]] = field(default_factory=list)
    failed_tables: List[Tuple[str, str]] = field(default_factory=list)
    warning_messages: List[str] = field(default_factory=list)
    sink: Optional[SinkCounts] = None
    notes: List[str] = field(default_factory=list)


def parse(stderr: str) -> Optional[Parsed]:
    """The last DynamoDB summary in `stderr`, or None when the run printed none."""
    lines = stderr.splitlines()
    start = None
    for index, line in enumerate(lines):
        if HEADER.match(line):
            start = index
    if start is None:
        return None
    header = HEADER.match(lines[start])
    assert header is not None
    parsed = Parsed(service=header.group("service"))
    end = len(lines)
    # Which list the indented rows below a `  Title:` line belong to, and, for a table, where
    # its Reason column starts.
    section: Optional[str] = None
    reason_at = 0
    in_sink = False
    for index in range(start + 1, len(lines)):
        line = lines[index]
        if line in FINISHED:
            parsed.status = FINISHED[line]
            end = index + 1
            break
        sink = SINK_HEADER.match(line)
        if sink and not line.startswith(" "):
            parsed.sink = SinkCounts(name=sink.group("sink"))
            in_sink, section = True, None
            continue
        if line.startswith("    ") and section is not None:
            row = line[4:]
            if row.startswith("... and ") and row.endswith(" more"):
                continue
            if section in ("Filtered", "Failures"):
                if row.startswith("Name") and row.rstrip().endswith("Reason"):
                    reason_at = len(row) - len("Reason")
                    continue
                name, reason = row[:reason_at].rstrip(), row[reason_at:]
                if reason_at == 0 or not name:
                    name, _, reason = row.partition("  ")
                    reason = reason.lstrip()
                target = _table_rows(parsed, section, in_sink)
                if target is not None:
                    target.append((name, reason))
            else:
                messages = (
                    parsed.sink.warning_messages
                    if in_sink and parsed.sink
                    else parsed.warning_messages
                )
                messages.append(row)
            continue
        section = None
        title = SECTION.match(line)
        if title:
            section, reason_at = title.group("title"), 0
            continue
        if in_sink and parsed.sink is not None:
            count = COUNT.match(line)
            if count:
                value = int(count.group("value"))
                key = count.group("key")
                if key == "Processed records":
                    parsed.sink.records = value
                elif key == "Warnings":
                    parsed.sink.warnings = value
                elif key == "Errors":
                    parsed.sink.errors = value
                continue
        elif _source_line(parsed, line):
            continue
        if not line.startswith(" "):
            in_sink = False
            success = SUCCESS.match(line)
            elapsed = ELAPSED.match(line)
            if success:
                parsed.success_percent = float(success.group("percent"))
            elif elapsed:
                parsed.elapsed_seconds = float(elapsed.group("seconds"))
            elif line:
                parsed.notes.append(line)
    parsed.text = "\n".join(lines[start:end]) + "\n"
    return parsed


def _table_rows(
    parsed: Parsed, section: str, in_sink: bool
) -> Optional[List[Tuple[str, str]]]:
    if in_sink:
        return parsed.sink.failures if parsed.sink and section == "Failures" else None
    return parsed.filtered_tables if section == "Filtered" else parsed.failed_tables


def _source_line(parsed: Parsed, line: str) -> bool:
    """Reads one line of the DynamoDB step; False when it is not one."""
    tables = TABLES.match(line)
    if tables:
        parsed.listed = int(tables.group("listed"))
        parsed.ingested = int(tables.group("ingested"))
        parsed.filtered = int(tables.group("filtered"))
        parsed.failed = int(tables.group("failed"))
        return True
    requests = REQUESTS.match(line)
    if requests:
        parsed.requests = (
            int(requests.group("requests")),
            int(requests.group("retries")),
            int(requests.group("throttled")),
        )
        return True
    if line.startswith("  Stopped: "):
        parsed.stopped = line[len("  Stopped: ") :]
        return True
    if line.startswith("  Left undone: "):
        undone = line[len("  Left undone: ") :].split(" ", 1)[0]
        parsed.left_undone = int(undone) if undone.isdigit() else 0
        return True
    count = COUNT.match(line)
    if count:
        value = int(count.group("value"))
        key = count.group("key")
        if key == "Processed records":
            parsed.processed_records = value
        elif key == "Warnings":
            parsed.warnings = value
        elif key == "Errors":
            parsed.errors = value
        # `Filtered: N` repeats the count of the Tables line.
        return True
    return False
