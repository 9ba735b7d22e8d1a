"""The dbt project as Dagster sees it. Kept alone in a small module: dagster-dbt's packaging
command imports this file whole."""

from __future__ import annotations

from pathlib import Path

from dagster_dbt import DbtProject

DBT_PROJECT_DIR = Path(__file__).resolve().parents[1] / "dbt_project"

dbt_project = DbtProject(project_dir=DBT_PROJECT_DIR, profiles_dir=DBT_PROJECT_DIR)
dbt_project.prepare_if_dev()


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
        dbt_project.preparer.prepare(dbt_project)
    return dbt_project.manifest_path
