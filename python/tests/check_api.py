"""Checks the installed wheel's Python API against a live DynamoDB endpoint.

Run by tests/tests/all/wheel.rs with the Python of a fresh venv the wheel was installed into:

    python check_api.py --endpoint URL --access-key-id KEY --ingested a,b --filtered tmp_x \
        --out DIR --unreachable URL

The secret access key comes from the environment (DDB_TEST_SECRET), never the command line.
TMPDIR must be a directory of its own: the check that run() leaves no workflow file behind
looks there. Prints one `ok: ...` line per check; any failure exits with status 1 and says what
differed.
"""

from __future__ import annotations

import argparse
import json
import os
import stat
import sys
import tempfile
from pathlib import Path
from typing import Any, Dict, List, NoReturn, Sequence

import ddb_catalog


def fail(message: str) -> NoReturn:
    print(f"FAILED: {message}", file=sys.stderr)
    sys.exit(1)


def check(condition: bool, message: str) -> None:
    if not condition:
        fail(message)


def workflow(
    service: str, endpoint: str, key: str, secret: str, sink_file: Path, excludes: List[str]
) -> Dict[str, Any]:
    """An OpenMetadata DynamoDB workflow, as the dict OpenMetadata's Python API takes."""
    return {
        "source": {
            "type": "dynamodb",
            "serviceName": service,
            "serviceConnection": {
                "config": {
                    "type": "DynamoDB",
                    "awsConfig": {
                        "awsAccessKeyId": key,
                        "awsSecretAccessKey": secret,
                        "awsRegion": "us-east-1",
                        "endPointURL": endpoint,
                    },
                    "databaseName": "wheel",
                }
            },
            "sourceConfig": {
                "config": {
                    "type": "DatabaseMetadata",
                    "tableFilterPattern": {"excludes": excludes},
                }
            },
        },
        "sink": {"type": "file", "config": {"filename": str(sink_file)}},
        "workflowConfig": {"loggerLevel": "INFO"},
    }


def as_yaml(value: Any, indent: int = 0) -> str:
    """Block-style YAML of plain dicts, lists and scalars (enough for a workflow)."""
    pad = " " * indent
    out = ""
    if isinstance(value, dict):
        for key, item in value.items():
            if isinstance(item, (dict, list)):
                out += f"{pad}{key}:\n{as_yaml(item, indent + 2)}"
            else:
                out += f"{pad}{key}: {json.dumps(item)}\n"
    elif isinstance(value, list):
        for item in value:
            out += f"{pad}- {json.dumps(item)}\n"
    return out


def table_names(sink_file: Path) -> List[str]:
    entities = json.loads(sink_file.read_text(encoding="utf-8"))
    return sorted(e["name"] for e in entities if "columns" in e)


# A summary as host/src/summary.rs renders a failed run with every section, to read the parts
# the live runs below do not produce (failure tables, warning lists, the sink's failures).
SUMMARY = """INFO listed 4 tables
Workflow DynamoDB Summary (svc):
  Tables listed: 4 (ingested 2, filtered 1, failed 1)
  Processed records: 4
  Warnings: 2
  Filtered: 1
  Errors: 2
  Requests: 9 (retries 1, throttled 0)
  Stopped: stopped: the run took longer than its limit of 2s
  Left undone: 6 listed tables without an outcome
  Filtered:
    Name    Reason
    tmp     matched tableFilterPattern.excludes `tmp`
  Failures:
    Name    Reason
    broken  DescribeTable: AccessDeniedException: not  allowed
  Warnings:
    tags not read
    ... and 1 more
Workflow OpenMetadata Summary:
  Processed records: 5
  Warnings: 1
  Errors: 1
  Tables: 3 created, 0 updated
  Failures:
    Name  Reason
    t9    PUT failed
  Warnings:
    slow server
Sandbox: instantiated in 0.1 ms
Success %: 81.82
Workflow finished in 1.50 s
Workflow finished with failures
"""


def check_summary_parser() -> None:
    from ddb_catalog import _summary

    parsed = _summary.parse(SUMMARY)
    if parsed is None:
        fail("the summary parser found no summary")
    got = (parsed.service, parsed.status, parsed.listed, parsed.ingested, parsed.filtered,
           parsed.failed, parsed.processed_records, parsed.warnings, parsed.errors,
           parsed.requests, parsed.stopped, parsed.left_undone, parsed.success_percent,
           parsed.elapsed_seconds)
    want = ("svc", "failures", 4, 2, 1, 1, 4, 2, 2, (9, 1, 0),
            "stopped: the run took longer than its limit of 2s", 6, 81.82, 1.5)
    check(got == want, f"summary parser: {got} != {want}")
    check(parsed.filtered_tables == [("tmp", "matched tableFilterPattern.excludes `tmp`")],
          f"filtered rows {parsed.filtered_tables}")
    check(parsed.failed_tables == [("broken", "DescribeTable: AccessDeniedException: not  allowed")],
          f"failure rows {parsed.failed_tables}")
    check(parsed.warning_messages == ["tags not read"], f"warnings {parsed.warning_messages}")
    sink = parsed.sink
    check(sink is not None and (sink.name, sink.records, sink.warnings, sink.errors,
                                sink.failures, sink.warning_messages)
          == ("OpenMetadata", 5, 1, 1, [("t9", "PUT failed")], ["slow server"]), f"sink {sink}")
    check(parsed.text.startswith("Workflow DynamoDB Summary (svc):\n")
          and parsed.text.endswith("Workflow finished with failures\n"), parsed.text)
    check(_summary.parse("error: invalid workflow x: `a`: missing\n") is None, "a summary in an error")
    print("ok: the summary parser reads every section")


def main(argv: Sequence[str]) -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--endpoint", required=True)
    parser.add_argument("--access-key-id", required=True)
    parser.add_argument("--ingested", required=True, help="comma-separated table names")
    parser.add_argument("--filtered", required=True, help="a table name excluded by pattern")
    parser.add_argument("--out", required=True, type=Path)
    parser.add_argument("--unreachable", required=True, help="an endpoint nothing listens on")
    options = parser.parse_args(argv)
    secret = os.environ["DDB_TEST_SECRET"]
    expected = sorted(options.ingested.split(","))
    excludes = ["^" + options.filtered + "$"]
    out: Path = options.out
    scratch = Path(tempfile.gettempdir())
    check(not any(scratch.iterdir()), f"TMPDIR {scratch} is not empty before the runs")
    check_summary_parser()

    # The bundled files, where the API says they are.
    binary, component = ddb_catalog.binary_path(), ddb_catalog.component_path()
    check(binary.is_file() and os.access(binary, os.X_OK), f"{binary} is not executable")
    check(component.parent == binary.parent, "the component is not next to the executable")
    check(ddb_catalog.__version__ != "0.0.0+source", "the installed package has no version")
    print(f"ok: binary {binary}, component {component}, version {ddb_catalog.__version__}")

    # 1. A dict: written to a private temporary file while the run goes, removed after it.
    sink = out / "from-dict.json"
    seen_modes: List[str] = []

    def watch(line: str) -> None:
        # The scratch directory (and the workflow file in it, which holds the secret) exist
        # while the host runs and prints. Other files there (the host's run report) are
        # covered by the directory's mode.
        for directory in scratch.iterdir():
            for file in directory.iterdir():
                if file.suffix in (".yaml", ".yml", ".json") and file.name != "report.json":
                    seen_modes.append(
                        f"{stat.filemode(directory.stat().st_mode)} {stat.filemode(file.stat().st_mode)}"
                    )
        check(secret not in line, "a log line holds the secret")

    spec = workflow("wheel_dict", options.endpoint, options.access_key_id, secret, sink, excludes)
    result = ddb_catalog.run(spec, echo=watch)
    check(isinstance(result, ddb_catalog.Result), f"run() returned {type(result).__name__}")
    check(result.status == "success", f"status {result.status}:\n{result.log}")
    check(result.ok and result.exit_code == 0, f"exit code {result.exit_code}")
    check(result.service == "wheel_dict", f"service {result.service}")
    check(
        (result.tables_listed, result.tables_ingested, result.tables_filtered, result.tables_failed)
        == (len(expected) + 1, len(expected), 1, 0),
        f"counts {result.tables_listed}/{result.tables_ingested}/{result.tables_filtered}/"
        f"{result.tables_failed}:\n{result.summary}",
    )
    check(result.warnings == 0 and result.errors == 0, f"warnings/errors:\n{result.summary}")
    check(result.success_percent == 100.0, f"success % {result.success_percent}")
    check(
        result.filtered == (ddb_catalog.TableOutcome(options.filtered, f"matched tableFilterPattern.excludes `{excludes[0]}`"),),
        f"filtered {result.filtered}",
    )
    check(result.sink is not None and result.sink.name == "File", f"sink {result.sink}")
    check(result.summary.startswith("Workflow DynamoDB Summary (wheel_dict):\n"), result.summary)
    check(result.summary.endswith("Workflow finished successfully\n"), result.summary)
    check(table_names(sink) == expected, f"{sink} holds {table_names(sink)}, not {expected}")
    check(bool(seen_modes), "no workflow file was seen while the run went")
    check(
        all(mode == "drwx------ -rw-------" for mode in seen_modes),
        f"the temporary workflow is not private: {sorted(set(seen_modes))}",
    )
    check(not any(scratch.iterdir()), f"run() left files in {scratch}: {list(scratch.iterdir())}")
    print(f"ok: a dict ran ({result.tables_ingested} tables), through a 0600 file in a 0700 directory, removed after")

    # The numbers come from the host's JSON run report when it writes one (`ingest --report`),
    # else from the summary's text; both readings agree.
    from ddb_catalog import _summary

    text = _summary.parse(result.log)
    check(text is not None, f"no summary in the log:\n{result.log}")
    assert text is not None
    check(
        (text.service, text.status, text.listed, text.ingested, text.filtered, text.failed)
        == (result.service, result.status, result.tables_listed, result.tables_ingested,
            result.tables_filtered, result.tables_failed),
        f"the summary's text says {text} but the result says {result}",
    )
    check(
        (text.warnings, text.errors, text.success_percent, text.requests)
        == (result.warnings, result.errors, result.success_percent, result.requests),
        f"the summary's text says {text} but the result says {result}",
    )
    # The wheel's own host writes a run report: the report path is the one taken. (The reading
    # of the summary's text serves older hosts only; it is checked above against the report.)
    check(result.report is not None, "the wheel's host wrote no run report (--report)")
    check(result.pipeline_state == "success", f"pipeline state {result.pipeline_state}")
    print("ok: the result is read from the host's run report (--report), and agrees with the summary")

    # 2. A path, as str and as PathLike, and a YAML string.
    yaml_file = out / "workflow.yaml"
    sink = out / "from-path.json"
    yaml_text = as_yaml(
        workflow("wheel_path", options.endpoint, options.access_key_id, secret, sink, excludes)
    )
    yaml_file.write_text(yaml_text, encoding="utf-8")
    for given in (str(yaml_file), yaml_file, yaml_text):
        sink.unlink(missing_ok=True)
        lines: List[str] = []
        result = ddb_catalog.run(given, echo=lines.append)
        kind = type(given).__name__ if given is not yaml_text else "YAML string"
        check(result.status == "success", f"{kind}: status {result.status}:\n{result.log}")
        check(result.tables_ingested == len(expected), f"{kind}: {result.summary}")
        check(table_names(sink) == expected, f"{kind}: {sink} holds {table_names(sink)}")
        check(
            any(line.startswith("Workflow DynamoDB Summary (wheel_path):") for line in lines),
            f"{kind}: the summary was not echoed line by line",
        )
        print(f"ok: a {kind} ran")
    check(not any(scratch.iterdir()), f"run() left files in {scratch}")

    # 3. An invalid workflow: WorkflowError, exit status 2, the key named, nothing run.
    bad = workflow("wheel_bad", options.endpoint, options.access_key_id, secret, out / "bad.json", excludes)
    config = bad["source"]["serviceConnection"]["config"]
    config["databaseNmae"] = config.pop("databaseName")
    try:
        ddb_catalog.run(bad, echo=None)
        fail("an invalid workflow did not raise WorkflowError")
    except ddb_catalog.WorkflowError as error:
        message = str(error)
        check(error.exit_code == 2, f"exit code {error.exit_code}: {message}")
        check(error.result is None, "an invalid workflow has no result")
        check("`source.serviceConnection.config.databaseNmae`" in message, message)
        check("did you mean `databaseName`?" in message, message)
        check(secret not in message and secret not in error.log, "the error holds the secret")
        check(str(scratch) not in message, f"the error names the deleted temporary file: {message}")
        print(f"ok: invalid workflow -> WorkflowError: {message}")
    check(not (out / "bad.json").exists(), "an invalid workflow wrote its sink")
    check(not any(scratch.iterdir()), f"run() left files in {scratch} after an invalid workflow")

    # A YAML string that does not parse, and a path that does not exist.
    for given, expect in (("source: [\n  unclosed", "invalid workflow"), (str(out / "missing.yaml"), "no workflow file")):
        try:
            ddb_catalog.run(given, echo=None)
            fail(f"{given!r} did not raise WorkflowError")
        except ddb_catalog.WorkflowError as error:
            check(expect in str(error), f"{given!r}: {error}")
    print("ok: unparsable YAML and a missing file -> WorkflowError")

    # 4. A failed run (nothing listens at the endpoint): WorkflowError with the summary.
    sink = out / "failed.json"
    down = workflow("wheel_down", options.unreachable, options.access_key_id, secret, sink, excludes)
    try:
        ddb_catalog.run(down, echo=None, args=["--timeout", "60"])
        fail("a failed run did not raise WorkflowError")
    except ddb_catalog.WorkflowError as error:
        message = str(error)
        check(error.exit_code == 1, f"exit code {error.exit_code}: {message}")
        failed = error.result
        if failed is None:
            fail("a failed run's error has no result")
        check(failed.status == "failures" and not failed.ok, f"status {failed.status}")
        check(
            failed.stopped is not None and "cannot reach the endpoint" in failed.stopped,
            f"stopped: {failed.stopped}",
        )
        check(failed.errors == 1 and failed.success_percent < 100.0, failed.summary)
        check(
            failed.pipeline_state in (None, "stopped"),
            f"pipeline state {failed.pipeline_state} for a stopped run",
        )
        check(message.startswith("workflow wheel_down finished with failures: stopped: cannot reach"), message)
        check("Workflow finished with failures" in message, message)
        check(secret not in message and secret not in error.log, "the error holds the secret")
        print(f"ok: failed run -> WorkflowError: {message.splitlines()[0]}")

    # The same failure, returned instead of raised.
    result = ddb_catalog.run(down, echo=None, raise_on_failure=False, args=["--timeout", "60"])
    check(result.status == "failures" and result.exit_code == 1, f"{result.status} {result.exit_code}")
    print("ok: raise_on_failure=False returns the failed result")
    check(not any(scratch.iterdir()), f"run() left files in {scratch} after failed runs")


if __name__ == "__main__":
    main(sys.argv[1:])
