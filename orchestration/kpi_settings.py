"""The KPI settings of the Python assets: the dbt vars of dbt_project.yml (KPI_DEFINITIONS.md:
"settings are dbt vars"), so the forecast's staffing uses the same service-level target and
interval as the SQL marts. Vars that are Jinja (site_timezone reads CXPIPE_SITE_TIMEZONE) are left
out: the deployment's settings give those."""

from __future__ import annotations

from functools import cache
from pathlib import Path
from typing import Any

import yaml

from orchestration.dbt_project import DBT_PROJECT_DIR


@cache
def _project_vars(path: Path) -> dict[str, Any]:
    document = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    return {
        name: value
        for name, value in (document.get("vars") or {}).items()
        if not (isinstance(value, str) and "{{" in value)
    }


def kpi_vars(project_dir: Path = DBT_PROJECT_DIR) -> dict[str, Any]:
    """The literal vars of the dbt project (interval_minutes, service_level_seconds, ...)."""
    return dict(_project_vars(project_dir / "dbt_project.yml"))
