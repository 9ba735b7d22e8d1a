"""The dbt project as Dagster sees it. Kept alone in a small module: dagster-dbt's packaging
command imports this file whole."""

from __future__ import annotations

import shutil
import sys
from collections.abc import Sequence
from pathlib import Path

from dagster_dbt import DbtCliResource, DbtProject
from dagster_dbt.dbt_project import using_dagster_dev

DBT_PROJECT_DIR = Path(__file__).resolve().parents[1] / "dbt_project"


def executable_beside_python(name: str) -> str:
    """The command `name` installed beside this Python (works without an activated virtual
    environment), else the one on PATH."""
    beside = Path(sys.executable).with_name(name)
    return str(beside) if beside.exists() else (shutil.which(name) or name)


def dbt_executable() -> str:
    """The dbt installed beside this Python."""
    return executable_beside_python("dbt")


dbt_project = DbtProject(project_dir=DBT_PROJECT_DIR, profiles_dir=DBT_PROJECT_DIR)


class CxDbtCliResource(DbtCliResource):
    """dagster-dbt's dbt resource without its in-process dbt adapter. dagster-dbt opens one before
    every dbt invocation (it loads the profile, the project and all macros: about 2 s) only for
    the optional `fetch_row_counts()` and `fetch_column_metadata()`, which this project does not
    use; dbt itself runs in its own process either way. Without the adapter those two would
    yield nothing (tests/unit/test_dbt_resource.py keeps this in step with dagster-dbt)."""

    def _initialize_dbt_core_adapter(self, args: Sequence[str]) -> None:
        return None


def manifest_is_stale() -> bool:
    """True when manifest.json is missing or older than any file of the dbt project."""
    manifest = dbt_project.manifest_path
    if not manifest.exists():
        return True
    built = manifest.stat().st_mtime
    for folder in ("models", "macros", "seeds", "tests"):
        for path in (DBT_PROJECT_DIR / folder).rglob("*"):
            if path.is_file() and path.stat().st_mtime > built:
                return True
    return any(
        (DBT_PROJECT_DIR / name).stat().st_mtime > built for name in ("dbt_project.yml", "profiles.yml")
    )


def ensure_manifest() -> Path:
    """Parse the dbt project when its manifest is missing or out of date (outside `dagster dev`,
    which does this itself), so the Dagster definitions can be built."""
    if manifest_is_stale():
        DbtCliResource(project_dir=dbt_project, dbt_executable=dbt_executable()).cli(
            ["parse", "--quiet"], target_path=dbt_project.target_path
        ).wait()
    return dbt_project.manifest_path


# Under `dagster dev`, parse the project when it changed. (DbtProject.prepare_if_dev would too, but
# with the `dbt` found on PATH, which is not there when the virtual environment is not activated.)
if using_dagster_dev():
    ensure_manifest()
