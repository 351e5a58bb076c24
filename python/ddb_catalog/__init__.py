"""Run OpenMetadata DynamoDB ingestion workflows with ``ddb-catalog``.

The wheel bundles the static ``ddb-catalog`` host (Linux x86_64, no libc needed) and the
connector component next to it; ``ddb-catalog`` is on PATH once the wheel is installed.

    import ddb_catalog

    result = ddb_catalog.run("workflow.yaml")          # a path, a YAML string, or a dict
    print(result.tables_ingested, result.status)

:func:`run` raises :class:`WorkflowError` when the workflow is invalid or the run fails, as
OpenMetadata's ``MetadataWorkflow.create(config).execute()`` followed by
``raise_from_status()`` does. See docs/python.md.
"""

from __future__ import annotations

import collections.abc
import functools
import importlib.metadata as _metadata
import json
import os
import shutil
import subprocess
import sys
import tempfile
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any, Callable, Dict, List, Mapping, Optional, Sequence, Tuple, Union

from . import _summary

__all__ = [
    "Result",
    "SinkResult",
    "TableOutcome",
    "WorkflowError",
    "__version__",
    "binary_path",
    "component_path",
    "run",
]

try:
    __version__ = _metadata.version("ddb-catalog")
except _metadata.PackageNotFoundError:  # the source tree, not an installed wheel
    __version__ = "0.0.0+source"

BINARY_NAME = "ddb-catalog"
COMPONENT_NAME = "dynamodb_connector.wasm"

#: What :func:`run` accepts: a mapping (the workflow as OpenMetadata's YAML would parse), a YAML
#: (or JSON) string, or the path of a workflow file.
Workflow = Union[Mapping[str, Any], str, "os.PathLike[str]"]

_BIN_DIR = Path(__file__).resolve().parent / "bin"


def binary_path() -> Path:
    """The bundled ``ddb-catalog`` executable (the component is next to it)."""
    path = _BIN_DIR / BINARY_NAME
    if not path.is_file():
        raise FileNotFoundError(
            f"the ddb-catalog executable is missing at {path}: this is the package's source "
            "tree, not an installed wheel; install the wheel that scripts/release.sh builds "
            "(pip install dist/ddb_catalog-*.whl)"
        )
    if not os.access(path, os.X_OK):
        raise PermissionError(
            f"{path} is not executable: the wheel was unpacked without its file modes; "
            "reinstall it with pip (or uv), which keep them, or run `chmod +x` on it"
        )
    return path


def component_path() -> Path:
    """The bundled connector component, which the executable finds next to itself."""
    path = _BIN_DIR / COMPONENT_NAME
    if not path.is_file():
        raise FileNotFoundError(
            f"the connector component is missing at {path}: reinstall the ddb-catalog wheel"
        )
    return path


@dataclass(frozen=True)
class TableOutcome:
    """A table that was filtered out or failed, and why."""

    name: str
    reason: str


@dataclass(frozen=True)
class SinkResult:
    """The sink step's counts (OpenMetadata's "Workflow <Sink> Summary")."""

    name: str
    records: int
    warnings: int
    errors: int
    failures: Tuple[TableOutcome, ...]
    warning_messages: Tuple[str, ...]


@dataclass(frozen=True)
class Result:
    """How a workflow run went, read from the summary ``ddb-catalog`` printed."""

    #: The workflow's ``source.serviceName``.
    service: str
    #: ``"success"``, ``"warnings"`` or ``"failures"``, as the summary's last line says.
    status: str
    tables_listed: int
    tables_ingested: int
    tables_filtered: int
    tables_failed: int
    #: Entities the DynamoDB step produced: the database, the schema and each ingested table.
    processed_records: int
    #: The DynamoDB step's warnings (``warning_messages`` holds the first 100).
    warnings: int
    errors: int
    success_percent: float
    #: Why the run stopped before its end (a failed run), or None.
    stopped: Optional[str]
    filtered: Tuple[TableOutcome, ...]
    failures: Tuple[TableOutcome, ...]
    warning_messages: Tuple[str, ...]
    sink: Optional[SinkResult]
    #: ``(requests, retries, throttled)`` the connector made, when it reported them.
    requests: Optional[Tuple[int, int, int]]
    elapsed_seconds: Optional[float]
    #: The summary as printed (the lines from "Workflow DynamoDB Summary" to how it finished).
    summary: str
    #: Everything the run printed on stderr: the connector's log, then the summary.
    log: str
    #: What it printed on stdout (the entities, for a ``stdout`` sink or ``output="-"``).
    stdout: str
    exit_code: int
    #: The JSON run report (``ddb-catalog ingest --report``, docs/run-report.md) when the
    #: bundled host writes one; the fields above are then read from it.
    report: Optional[Dict[str, Any]]
    #: OpenMetadata's verdict from the report (``success``, ``partialSuccess``, ``failed``,
    #: ``stopped``), or None without a report.
    pipeline_state: Optional[str]

    @property
    def ok(self) -> bool:
        """True when the run finished successfully or with warnings only."""
        return self.status in ("success", "warnings")


class WorkflowError(Exception):
    """The workflow is invalid, could not run, or its run failed.

    ``exit_code`` is the host's (2: invalid workflow or usage, 1: a failed run); ``result``
    holds the parsed summary when the run got that far; ``log`` is what the host printed on
    stderr. The message never holds a credential: the host prints none.
    """

    def __init__(
        self,
        message: str,
        *,
        exit_code: Optional[int] = None,
        result: Optional[Result] = None,
        log: str = "",
    ) -> None:
        super().__init__(message)
        self.message = message
        self.exit_code = exit_code
        self.result = result
        self.log = log


def _echo_to_stderr(line: str) -> None:
    sys.stderr.write(line + "\n")
    sys.stderr.flush()


def run(
    workflow: Workflow,
    *,
    output: Optional[Union[str, "os.PathLike[str]"]] = None,
    component: Optional[Union[str, "os.PathLike[str]"]] = None,
    args: Sequence[str] = (),
    env: Optional[Mapping[str, str]] = None,
    cwd: Optional[Union[str, "os.PathLike[str]"]] = None,
    echo: Optional[Callable[[str], None]] = _echo_to_stderr,
    raise_on_failure: bool = True,
    raise_warnings: bool = False,
) -> Result:
    """Runs one ingestion workflow with the bundled ``ddb-catalog ingest`` and returns its result.

    ``workflow`` is a mapping (written to a private temporary file as JSON, which the host's
    YAML parser reads, and removed afterwards), a YAML or JSON string (same), or the path of a
    workflow file (a ``str`` without a line break that names an existing file, or any
    ``os.PathLike``).

    ``output`` writes the entities to that file (``"-"``: stdout, see ``Result.stdout``)
    instead of the workflow's sink. ``component`` runs another component (a file or an
    ``oci://`` reference; default: ``DDB_CATALOG_COMPONENT`` if set, else the bundled one).
    ``args`` are more ``ingest`` options (``["--timeout", "600", "--trust-key", "k.pub"]``).
    ``env`` adds environment variables for the run (the process's own are inherited: the AWS
    credential chain reads them when the workflow has no ``awsConfig`` keys).

    Each line the host prints on stderr (the connector's log, then the summary) is passed to
    ``echo`` as it comes: by default written to ``sys.stderr``; pass a logger's method
    (``log.info``) to route it, or None for silence.

    Raises :class:`WorkflowError` when the workflow is invalid (exit status 2, the message
    names the key), cannot run, or its run finished with failures (with ``raise_on_failure``,
    the default; ``error.result`` has the summary), or with warnings when ``raise_warnings``
    is set, like OpenMetadata's ``raise_from_status(raise_warnings=True)``.
    """
    binary = binary_path()
    scratch = tempfile.mkdtemp(prefix="ddb-catalog-")  # 0700: the workflow holds credentials
    try:
        config = _workflow_file(workflow, scratch)
        command: List[str] = [str(binary), "ingest", "-c", config]
        if component is not None:
            command += ["--component", os.fspath(component)]
        if output is not None:
            command += ["--output", os.fspath(output)]
        report_path: Optional[str] = None
        if _supports_report(str(binary)):
            report_path = os.path.join(scratch, "report.json")
            command += ["--report", report_path]
        command += list(args)
        child_env = dict(os.environ)
        if env:
            child_env.update(env)
        code, stdout, stderr = _execute(command, child_env, cwd, echo)
        report = _read_report(report_path)
        if config.startswith(scratch):
            # The temporary file is gone when the caller reads this: name what they gave.
            stderr = stderr.replace(f" {config}:", ":").replace(config, "<workflow>")
    finally:
        shutil.rmtree(scratch, ignore_errors=True)

    parsed = _summary.parse(stderr)
    result = _from_report(report, parsed, stderr, stdout, code)
    if result is None and parsed is not None and parsed.status is not None:
        result = _from_summary(parsed, stderr, stdout, code, report)
    if result is None or code not in (0, 1):
        # No summary and no report: the workflow was refused before it ran (exit 2), or the
        # host could not start the run (a missing or refused component, a bad option).
        errors = _error_lines(stderr)
        if not errors.startswith("invalid workflow"):
            errors = ("invalid workflow or usage: " if code == 2 else "the workflow did not run: ") + errors
        raise WorkflowError(
            f"{errors} (ddb-catalog exit status {code})",
            exit_code=code,
            # An invalid workflow (or command line) never ran: no result, whatever was printed.
            result=result if code != 2 else None,
            log=stderr,
        )
    if raise_on_failure and (code != 0 or result.status == "failures"):
        raise WorkflowError(_failure_message(result), exit_code=code, result=result, log=stderr)
    if raise_warnings and result.status == "warnings":
        raise WorkflowError(
            f"workflow {result.service} finished with warnings:\n{result.summary}".rstrip("\n"),
            exit_code=code,
            result=result,
            log=stderr,
        )
    return result


def _workflow_file(workflow: Workflow, scratch: str) -> str:
    """The path of a workflow file for ``-c``: the caller's, or one written into `scratch`."""
    if isinstance(workflow, collections.abc.Mapping):
        try:
            text = json.dumps(workflow, allow_nan=False)
        except (TypeError, ValueError) as error:
            # The message names the type or value, never the workflow's contents.
            raise WorkflowError(
                f"invalid workflow: the mapping cannot be written as JSON/YAML ({error})"
            ) from None
        return _write_private(scratch, text)
    if isinstance(workflow, str):
        if "\n" in workflow or workflow.lstrip().startswith("{"):
            return _write_private(scratch, workflow)
        path = Path(workflow)
    elif isinstance(workflow, os.PathLike):
        path = Path(os.fspath(workflow))
    else:
        raise TypeError(
            "workflow must be a mapping, a YAML string or a path, "
            f"not {type(workflow).__name__}"
        )
    if path.is_dir():
        raise WorkflowError(
            f"{path} is a directory: run() takes one workflow; run a directory of workflows "
            "with `ddb-catalog ingest -c DIR --parallel N`"
        )
    if not path.is_file():
        raise WorkflowError(
            f"no workflow file at {path} (a YAML string must span lines or be a JSON object)",
            exit_code=None,
        )
    return str(path)


def _write_private(scratch: str, text: str) -> str:
    path = os.path.join(scratch, "workflow.yaml")
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as file:
        file.write(text)
    return path


@functools.lru_cache(maxsize=None)
def _supports_report(binary: str) -> bool:
    """Whether this host writes a JSON run report (``ingest --report FILE``)."""
    try:
        help_text = subprocess.run(
            [binary, "ingest", "--help"],
            stdin=subprocess.DEVNULL,
            capture_output=True,
            text=True,
            timeout=60,
            check=False,
        ).stdout
    except (OSError, subprocess.SubprocessError):
        return False
    return "--report <" in help_text


def _read_report(path: Optional[str]) -> Optional[Dict[str, Any]]:
    if path is None or not os.path.isfile(path):
        return None
    try:
        with open(path, encoding="utf-8") as file:
            value = json.load(file)
    except (OSError, ValueError):
        return None
    return value if isinstance(value, dict) else {"report": value}


def _execute(
    command: List[str],
    env: Dict[str, str],
    cwd: Optional[Union[str, "os.PathLike[str]"]],
    echo: Optional[Callable[[str], None]],
) -> Tuple[int, str, str]:
    """Runs the host; stderr lines go to `echo` as they come. Returns (code, stdout, stderr)."""
    try:
        process = subprocess.Popen(
            command,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            env=env,
            cwd=cwd,
            text=True,
            encoding="utf-8",
            errors="replace",
        )
    except OSError as error:
        raise WorkflowError(
            f"cannot start {command[0]}: {error} (the bundled binary is for Linux x86_64)"
        ) from None
    stdout_chunks: List[str] = []

    def read_stdout(stream: IO[str]) -> None:
        stdout_chunks.append(stream.read())

    assert process.stdout is not None and process.stderr is not None
    reader = threading.Thread(target=read_stdout, args=(process.stdout,), daemon=True)
    reader.start()
    stderr_lines: List[str] = []
    try:
        for line in process.stderr:
            line = line.rstrip("\n")
            stderr_lines.append(line)
            if echo is not None:
                echo(line)
        code = process.wait()
        reader.join()
    finally:
        # Interrupted (Ctrl-C, a task killed by its scheduler): the run stops with us.
        if process.poll() is None:
            process.terminate()
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
        process.stdout.close()
        process.stderr.close()
    return code, "".join(stdout_chunks), "\n".join(stderr_lines) + "\n"


def _error_lines(stderr: str) -> str:
    """The host's `error: ...` lines, else its last lines."""
    lines = [line for line in stderr.splitlines() if line.strip()]
    errors = [line[len("error: ") :] for line in lines if line.startswith("error: ")]
    chosen = errors or lines[-5:]
    return "; ".join(chosen) if chosen else "no output"


def _failure_message(result: Result) -> str:
    reasons: List[str] = []
    if result.stopped:
        reasons.append(f"stopped: {result.stopped}")
    if result.failures:
        shown = ", ".join(f"{f.name} ({f.reason})" for f in result.failures[:5])
        more = len(result.failures) - 5
        reasons.append(
            f"{result.tables_failed} table(s) failed: {shown}" + (f" and {more} more" if more > 0 else "")
        )
    if result.sink is not None and result.sink.errors:
        reasons.append(f"{result.sink.errors} error(s) in the {result.sink.name} sink")
    why = "; ".join(reasons) if reasons else "see the summary"
    return f"workflow {result.service} finished with failures: {why}\n{result.summary}".rstrip("\n")


def _from_summary(
    parsed: _summary.Parsed,
    stderr: str,
    stdout: str,
    code: int,
    report: Optional[Dict[str, Any]],
) -> Result:
    sink = None
    if parsed.sink is not None:
        sink = SinkResult(
            name=parsed.sink.name,
            records=parsed.sink.records,
            warnings=parsed.sink.warnings,
            errors=parsed.sink.errors,
            failures=tuple(TableOutcome(n, r) for n, r in parsed.sink.failures),
            warning_messages=tuple(parsed.sink.warning_messages),
        )
    return Result(
        service=parsed.service,
        status=parsed.status or "failures",
        tables_listed=parsed.listed,
        tables_ingested=parsed.ingested,
        tables_filtered=parsed.filtered,
        tables_failed=parsed.failed,
        processed_records=parsed.processed_records,
        warnings=parsed.warnings,
        errors=parsed.errors,
        success_percent=parsed.success_percent if parsed.success_percent is not None else 0.0,
        stopped=parsed.stopped,
        filtered=tuple(TableOutcome(n, r) for n, r in parsed.filtered_tables),
        failures=tuple(TableOutcome(n, r) for n, r in parsed.failed_tables),
        warning_messages=tuple(parsed.warning_messages),
        sink=sink,
        requests=parsed.requests,
        elapsed_seconds=parsed.elapsed_seconds,
        summary=parsed.text,
        log=stderr,
        stdout=stdout,
        exit_code=code,
        report=report,
        pipeline_state=None,
    )


def _from_report(
    report: Optional[Dict[str, Any]],
    parsed: Optional[_summary.Parsed],
    stderr: str,
    stdout: str,
    code: int,
) -> Optional[Result]:
    """The result from a version 1 run report (one run), or None when there is none or it has
    another shape (the summary's text is read instead)."""
    if report is None or report.get("reportVersion") != 1:
        return None
    try:
        runs = report["runs"]
        if not isinstance(runs, list) or len(runs) != 1:
            return None
        run = runs[0]
        steps = run["steps"]
        source = steps[0] if steps else {}
        sink_step = steps[1] if len(steps) > 1 else None

        def rows(kind: str, step: Optional[Dict[str, Any]]) -> Tuple[TableOutcome, ...]:
            if step is None:
                return ()
            return tuple(
                TableOutcome(str(row["name"]), str(row["reason"]))
                for row in run[kind]["shown"]
                if row.get("step") == step.get("name")
            )

        sink = None
        if sink_step is not None:
            sink = SinkResult(
                name=str(sink_step["name"]),
                records=int(sink_step["records"]),
                warnings=int(sink_step["warnings"]),
                errors=int(sink_step["errors"]),
                failures=rows("failures", sink_step),
                warning_messages=(),
            )
        tables = run["tables"]
        stop = run.get("stop")
        requests = run.get("requests")
        state = str(run["status"])
        warnings = int(run["warnings"]["total"])
        if parsed is not None and parsed.status is not None:
            status = parsed.status
        elif state in ("stopped", "failed", "partialSuccess") or code != 0:
            status = "failures"
        else:
            status = "warnings" if warnings else "success"
        return Result(
            service=str(run["service"]),
            status=status,
            tables_listed=int(tables["listed"]),
            tables_ingested=int(tables["ingested"]),
            tables_filtered=int(tables["filtered"]),
            tables_failed=int(tables["failed"]),
            processed_records=int(source.get("records", 0)),
            warnings=int(source.get("warnings", 0)),
            errors=int(source.get("errors", 0)),
            success_percent=float(run["successPercent"]),
            stopped=str(stop["reason"]) if stop else None,
            filtered=rows("filtered", source),
            failures=rows("failures", source),
            warning_messages=tuple(str(w) for w in run["warnings"]["shown"]),
            sink=sink,
            requests=(
                (int(requests["requests"]), int(requests["retries"]), int(requests["throttled"]))
                if requests
                else None
            ),
            elapsed_seconds=float(run["durationSeconds"]),
            summary=parsed.text if parsed is not None else "",
            log=stderr,
            stdout=stdout,
            exit_code=code,
            report=report,
            pipeline_state=state,
        )
    except (KeyError, TypeError, ValueError, IndexError, AttributeError):
        return None
