"""Publish the marts to a read-only snapshot for BI tools, swapped in atomically.

A BI tool that holds the warehouse file open blocks the pipeline's writes (DuckDB allows one
writer, and a reader's lock keeps it out). So readers get their own copy: after the checks pass,
`publish_snapshot` writes every table of the published schemas into a new DuckDB file (with the
tables' and columns' descriptions) and one Parquet file per table into a new folder, then swaps
both in with a rename:

    <snapshot_dir>/cx_snapshot.duckdb      the DuckDB snapshot (replaced by os.replace)
    <snapshot_dir>/parquet -> parquet-<id> a symbolic link to the current Parquet folder
    <snapshot_dir>/parquet-<id>/<table>.parquet

A reader that opened the old file keeps reading it (on POSIX a rename does not touch an open
file); the next connection sees the new one. A reader never sees half a snapshot: the new file
and folder are complete before their names point at them. Older Parquet folders are removed once
`keep_versions` newer ones exist (a reader still in one keeps its open files).
Each snapshot has a table `published.snapshot_info` (when, from which warehouse, rows per table),
so a reader can tell which day it sees, and a table `published.documents` with what a reader needs
to interpret the marts the way the pipeline does: the dbt semantic manifest (the metric
definitions the dashboard queries through MetricFlow) and the KPI settings (dbt vars).
"""

from __future__ import annotations

import os
import shutil
import uuid
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path

import duckdb

SNAPSHOT_FILE = "cx_snapshot.duckdb"
PARQUET_LINK = "parquet"
INFO_SCHEMA = "published"
INFO_TABLE = "snapshot_info"
DOCUMENTS_TABLE = "documents"


@dataclass(frozen=True)
class PublishResult:
    snapshot_file: Path
    parquet_dir: Path
    tables: dict[str, int]
    published_at: datetime


def _quote(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _literal(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def publish_snapshot(
    warehouse: Path,
    snapshot_dir: Path,
    schemas: tuple[str, ...] = ("marts",),
    keep_versions: int = 3,
    now: datetime | None = None,
    documents: dict[str, str] | None = None,
) -> PublishResult:
    """Copy every table of `schemas` from `warehouse` into a new snapshot and swap it in, with
    `documents` (name -> text) in `published.documents`."""
    snapshot_dir.mkdir(parents=True, exist_ok=True)
    published_at = now or datetime.now(timezone.utc)
    version = f"{published_at:%Y%m%dT%H%M%S}-{uuid.uuid4().hex[:8]}"
    staged_file = snapshot_dir / f".{SNAPSHOT_FILE}.{version}.tmp"
    parquet_dir = snapshot_dir / f"parquet-{version}"
    parquet_dir.mkdir()
    tables: dict[str, int] = {}
    try:
        with duckdb.connect(str(staged_file)) as con:
            # The warehouse read-only: publishing never takes its write lock.
            con.execute(f"attach {_literal(str(warehouse))} as source (read_only)")
            here = _quote(con.execute("select current_database()").fetchone()[0])
            listed = con.execute(
                "select schema_name, table_name, comment from duckdb_tables() "
                "where database_name = 'source' and schema_name in "
                f"({', '.join(_literal(s) for s in schemas)}) order by schema_name, table_name"
            ).fetchall()
            for schema in schemas:
                con.execute(f"create schema if not exists {here}.{_quote(schema)}")
            for schema, table, comment in listed:
                source = f"source.{_quote(schema)}.{_quote(table)}"
                target = f"{here}.{_quote(schema)}.{_quote(table)}"
                con.execute(f"create table {target} as select * from {source}")
                if comment:
                    con.execute(f"comment on table {target} is {_literal(comment)}")
                for column, column_comment in con.execute(
                    "select column_name, comment from duckdb_columns() where database_name = 'source' "
                    "and schema_name = ? and table_name = ? and comment is not null",
                    [schema, table],
                ).fetchall():
                    con.execute(
                        f"comment on column {target}.{_quote(column)} is {_literal(column_comment)}"
                    )
                name = table if schema == schemas[0] else f"{schema}.{table}"
                tables[name] = con.execute(f"select count(*) from {target}").fetchone()[0]
                con.execute(
                    f"copy {target} to {_literal(str(parquet_dir / (name + '.parquet')))} (format parquet)"
                )
            info = f"{here}.{INFO_SCHEMA}.{INFO_TABLE}"
            con.execute(f"create schema {here}.{INFO_SCHEMA}")
            con.execute(
                f"create table {info} "
                "(table_name varchar, row_count bigint, published_at timestamp with time zone, "
                "source_warehouse varchar, version varchar)"
            )
            con.executemany(
                f"insert into {info} values (?, ?, ?, ?, ?)",
                [(name, rows, published_at, str(warehouse), version) for name, rows in tables.items()],
            )
            con.execute(
                f"comment on table {info} is "
                "'One row per published table: its row count and when the snapshot was published.'"
            )
            con.execute(
                f"create table {here}.{INFO_SCHEMA}.{DOCUMENTS_TABLE} (name varchar primary key, content varchar)"
            )
            if documents:
                con.executemany(
                    f"insert into {here}.{INFO_SCHEMA}.{DOCUMENTS_TABLE} values (?, ?)", sorted(documents.items())
                )
            con.execute("detach source")
            con.execute("checkpoint")
    except BaseException:
        staged_file.unlink(missing_ok=True)
        shutil.rmtree(parquet_dir, ignore_errors=True)
        raise
    # The swap: each rename is atomic; a reader opening the file or following the link sees the
    # old snapshot or the new one.
    os.replace(staged_file, snapshot_dir / SNAPSHOT_FILE)
    staged_link = snapshot_dir / f".{PARQUET_LINK}.{version}.tmp"
    staged_link.symlink_to(parquet_dir.name, target_is_directory=True)
    os.replace(staged_link, snapshot_dir / PARQUET_LINK)
    _remove_old_versions(snapshot_dir, parquet_dir.name, keep_versions)
    return PublishResult(snapshot_dir / SNAPSHOT_FILE, parquet_dir, tables, published_at)


def _remove_old_versions(snapshot_dir: Path, current: str, keep_versions: int) -> None:
    versions = sorted(p for p in snapshot_dir.glob("parquet-*") if p.is_dir() and not p.is_symlink())
    older = [p for p in versions if p.name != current]
    for path in older[: max(0, len(older) - (keep_versions - 1))]:
        shutil.rmtree(path, ignore_errors=True)
