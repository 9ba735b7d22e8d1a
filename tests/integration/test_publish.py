"""The published snapshot for BI (orchestration/publish.py): readers querying it while it is
refreshed see one whole snapshot or the next, never an error or half of one; a reader holding
the file open blocks nothing; descriptions travel with the tables."""

from __future__ import annotations

import multiprocessing
import os
import time
from pathlib import Path

import duckdb
import pytest

from orchestration.publish import (
    DOCUMENTS_TABLE,
    INFO_SCHEMA,
    INFO_TABLE,
    PARQUET_LINK,
    SNAPSHOT_FILE,
    publish_snapshot,
)


def _write_version(warehouse: Path, version: int) -> None:
    """Two marts that belong together: `version` rows each, every row carrying the version."""
    with duckdb.connect(str(warehouse)) as con:
        con.execute("create schema if not exists marts")
        con.execute("create schema if not exists staging")
        for table in ("kpi_a", "kpi_b"):
            con.execute(f"create or replace table marts.{table} as select {version} as version, i "
                        f"from range({version * 100}) t(i)")
        con.execute("comment on table marts.kpi_a is 'One row per thing, for the test.'")
        con.execute("comment on column marts.kpi_a.version is 'Which refresh wrote the row.'")
        con.execute("create or replace table staging.not_published as select 1 as x")


def _reader(snapshot_dir: str, seconds: float, results) -> None:
    """Query the snapshot (DuckDB file and Parquet) over and over; record what was seen."""
    seen, reads, problems = set(), 0, []
    deadline = time.monotonic() + seconds
    database = os.path.join(snapshot_dir, SNAPSHOT_FILE)
    while time.monotonic() < deadline:
        try:
            with duckdb.connect(database, read_only=True) as con:
                a = con.execute("select min(version), max(version), count(*) from marts.kpi_a").fetchone()
                b = con.execute("select min(version), max(version), count(*) from marts.kpi_b").fetchone()
                info = con.execute(f"select max(row_count) from {INFO_SCHEMA}.{INFO_TABLE}").fetchone()
                # Parquet: resolve the link once, then read every file of that version.
                folder = os.path.realpath(os.path.join(snapshot_dir, PARQUET_LINK))
                pa = con.execute(f"select min(version), max(version), count(*) from '{folder}/kpi_a.parquet'").fetchone()
                pb = con.execute(f"select min(version), max(version), count(*) from '{folder}/kpi_b.parquet'").fetchone()
            reads += 1
            if not (a == b and a[0] == a[1] and a[2] == a[0] * 100 and info[0] == a[2]):
                problems.append(f"database mixes versions: {a} {b} {info}")
            if not (pa == pb and pa[0] == pa[1] and pa[2] == pa[0] * 100):
                problems.append(f"parquet mixes versions: {pa} {pb}")
            seen.add(a[0])
        except Exception as exc:  # noqa: BLE001 - any error is what the test looks for
            problems.append(f"{type(exc).__name__}: {exc}")
    results.put((reads, sorted(seen), problems[:10]))


def test_readers_see_whole_snapshots_while_it_is_refreshed(tmp_path: Path) -> None:
    warehouse, snapshot_dir = tmp_path / "warehouse.duckdb", tmp_path / "snapshot"
    _write_version(warehouse, 1)
    publish_snapshot(warehouse, snapshot_dir)

    context = multiprocessing.get_context("spawn")
    results = context.Queue()
    reader = context.Process(target=_reader, args=(str(snapshot_dir), 8.0, results))
    reader.start()
    try:
        time.sleep(1.5)  # the reader is up and reading version 1
        for version in range(2, 7):
            # The pipeline writes the warehouse while the reader reads the snapshot.
            _write_version(warehouse, version)
            publish_snapshot(warehouse, snapshot_dir)
            time.sleep(0.6)
        reads, seen, problems = results.get(timeout=60)
    finally:
        reader.join(timeout=30)
    assert problems == []
    assert reads > 20
    assert len(seen) >= 3, f"the reader saw versions {seen}"
    assert seen == sorted(set(seen)) and max(seen) <= 6


def test_a_reader_holding_the_snapshot_open_blocks_neither_the_pipeline_nor_the_publish(tmp_path: Path) -> None:
    warehouse, snapshot_dir = tmp_path / "warehouse.duckdb", tmp_path / "snapshot"
    _write_version(warehouse, 1)
    publish_snapshot(warehouse, snapshot_dir)
    with duckdb.connect(str(snapshot_dir / SNAPSHOT_FILE), read_only=True) as held:
        _write_version(warehouse, 2)  # the warehouse is free to write
        result = publish_snapshot(warehouse, snapshot_dir)
        # The held connection still sees its snapshot; a new one sees the new.
        assert held.execute("select max(version) from marts.kpi_a").fetchone() == (1,)
    with duckdb.connect(str(result.snapshot_file), read_only=True) as fresh:
        assert fresh.execute("select max(version) from marts.kpi_a").fetchone() == (2,)
    assert result.tables == {"kpi_a": 200, "kpi_b": 200}


def test_descriptions_and_info_travel_and_only_published_schemas_do(tmp_path: Path) -> None:
    warehouse, snapshot_dir = tmp_path / "warehouse.duckdb", tmp_path / "snapshot"
    _write_version(warehouse, 3)
    for _ in range(4):
        result = publish_snapshot(warehouse, snapshot_dir, keep_versions=2, documents={"kpi_settings": "{}"})
    with duckdb.connect(str(result.snapshot_file), read_only=True) as con:
        tables = con.execute("select schema_name, table_name, comment from duckdb_tables() order by 1, 2").fetchall()
        column = con.execute("select comment from duckdb_columns() where table_name = 'kpi_a' "
                             "and column_name = 'version'").fetchone()
        info = con.execute(f"select table_name, row_count from {INFO_SCHEMA}.{INFO_TABLE} order by 1").fetchall()
        documents = con.execute(f"select name, content from {INFO_SCHEMA}.{DOCUMENTS_TABLE}").fetchall()
    assert [(s, t) for s, t, _ in tables] == [("marts", "kpi_a"), ("marts", "kpi_b"), (INFO_SCHEMA, DOCUMENTS_TABLE),
                                              (INFO_SCHEMA, INFO_TABLE)]
    assert documents == [("kpi_settings", "{}")]
    assert tables[0][2] == "One row per thing, for the test."
    assert column == ("Which refresh wrote the row.",)
    assert info == [("kpi_a", 300), ("kpi_b", 300)]
    # Old Parquet versions are cleaned up; no staged file is left behind.
    assert len(list(snapshot_dir.glob("parquet-*"))) == 2
    assert not list(snapshot_dir.glob(".*"))
    assert (snapshot_dir / PARQUET_LINK / "kpi_a.parquet").is_file()


def test_a_failed_publish_leaves_the_current_snapshot(tmp_path: Path) -> None:
    warehouse, snapshot_dir = tmp_path / "warehouse.duckdb", tmp_path / "snapshot"
    _write_version(warehouse, 1)
    first = publish_snapshot(warehouse, snapshot_dir)
    with pytest.raises(duckdb.Error):
        publish_snapshot(tmp_path / "missing" / "warehouse.duckdb", snapshot_dir)
    with duckdb.connect(str(first.snapshot_file), read_only=True) as con:
        assert con.execute("select max(version) from marts.kpi_a").fetchone() == (1,)
    assert not list(snapshot_dir.glob(".*"))
    assert len(list(snapshot_dir.glob("parquet-*"))) == 1


def test_a_bi_tool_reads_the_snapshot_through_sqlalchemy_read_only(tmp_path: Path) -> None:
    """The connection docs/dashboard.md gives Superset (duckdb-engine's SQLAlchemy URL): it lists
    the marts, reads them, and cannot write."""
    sqlalchemy = pytest.importorskip("sqlalchemy")
    pytest.importorskip("duckdb_engine")
    warehouse, snapshot_dir = tmp_path / "warehouse.duckdb", tmp_path / "snapshot"
    _write_version(warehouse, 2)
    publish_snapshot(warehouse, snapshot_dir)
    engine = sqlalchemy.create_engine(f"duckdb:///{snapshot_dir / SNAPSHOT_FILE}?access_mode=read_only")
    with engine.connect() as con:
        assert sqlalchemy.inspect(con).get_table_names(schema="marts") == ["kpi_a", "kpi_b"]
        assert con.execute(sqlalchemy.text("select count(*) from marts.kpi_a")).scalar() == 200
        with pytest.raises(sqlalchemy.exc.DBAPIError, match="Cannot execute statement of type"):
            con.execute(sqlalchemy.text("create table marts.scratch (x integer)"))
    engine.dispose()
