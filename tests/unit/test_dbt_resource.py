"""The dbt resource and the dbt steps' housekeeping: no in-process dbt adapter, each step hands its
parse on to the next, and a step that succeeded leaves no target folder behind."""

from __future__ import annotations

import inspect

from dagster_dbt import DbtCliResource

from orchestration.assets import dbt as dbt_assets
from orchestration.dbt_project import CxDbtCliResource, dbt_executable, dbt_project


def test_dagster_dbt_still_opens_its_adapter_through_the_hook_we_override():
    """CxDbtCliResource skips the adapter by overriding a private method of dagster-dbt: if a new
    dagster-dbt renames it, the override would silently do nothing."""
    assert "self._initialize_dbt_core_adapter(" in inspect.getsource(DbtCliResource.cli)
    assert CxDbtCliResource._initialize_dbt_core_adapter is not DbtCliResource._initialize_dbt_core_adapter


def test_an_invocation_runs_dbt_without_an_adapter(tmp_path, monkeypatch):
    monkeypatch.setenv("CXPIPE_WAREHOUSE", str(tmp_path / "warehouse.duckdb"))
    resource = CxDbtCliResource(project_dir=dbt_project, profiles_dir=dbt_project.profiles_dir,
                                dbt_executable=dbt_executable())
    invocation = resource.cli(["ls", "--select", "resource_type:seed", "--quiet"], target_path=tmp_path / "target")
    invocation.wait()
    assert invocation.is_successful()
    assert invocation.adapter is None


def test_a_finished_step_hands_on_its_parse_and_removes_its_folder(tmp_path, monkeypatch):
    """Wherever the process runs from, the parse lands in the dbt project's target folder (where
    dagster-dbt takes it from for the next invocation), and the invocation's folder goes."""
    project_target = tmp_path / "project-target"
    monkeypatch.setenv("DBT_TARGET_PATH", str(project_target))
    monkeypatch.chdir(tmp_path)
    invocation = tmp_path / "cx_dbt_models-abc1234-0001"
    (invocation / "compiled").mkdir(parents=True)
    (invocation / "partial_parse.msgpack").write_bytes(b"parse of this step")
    (invocation / "manifest.json").write_text("{}")
    (invocation / "run_results.json").write_text('{"results": []}')

    dbt_assets.finish_invocation(invocation)

    assert (project_target / "partial_parse.msgpack").read_bytes() == b"parse of this step"
    assert (project_target / "last_runs" / "cx_dbt_models.json").read_text() == '{"results": []}'
    assert not invocation.exists()
    assert sorted(p.name for p in project_target.iterdir()) == ["last_runs", "partial_parse.msgpack"]


def test_the_parse_goes_to_the_project_target_folder_not_the_working_directory(tmp_path, monkeypatch):
    monkeypatch.delenv("DBT_TARGET_PATH", raising=False)
    monkeypatch.chdir(tmp_path)
    assert dbt_assets.project_target_path() == dbt_assets.DBT_PROJECT_DIR / "target"
    monkeypatch.setenv("DBT_TARGET_PATH", "elsewhere")
    assert dbt_assets.project_target_path() == dbt_assets.DBT_PROJECT_DIR / "elsewhere"


def test_a_step_without_a_parse_leaves_the_project_parse_alone(tmp_path, monkeypatch):
    project_target = tmp_path / "project-target"
    project_target.mkdir()
    (project_target / "partial_parse.msgpack").write_bytes(b"older parse")
    monkeypatch.setenv("DBT_TARGET_PATH", str(project_target))
    invocation = tmp_path / "cx_dbt_seeds-abc1234-0002"
    invocation.mkdir()

    dbt_assets.finish_invocation(invocation)

    assert (project_target / "partial_parse.msgpack").read_bytes() == b"older parse"
    assert not invocation.exists()
