"""What one more day costs on top of an existing warehouse, against a full refresh (issue 6).

Simulates DAYS + 1 days, delivers the first DAYS (the files of the last day are held back), runs a
full refresh, then delivers the last day's files and runs again, as the daily job would. Prints the
time of both runs and the steps that took longest; the figures go to docs/operations.md.

    .venv/bin/python scripts/bench_new_day.py --days 30 [--start 2026-10-01] [--dir /tmp/bench_new_day]

Not a test: timings depend on the machine.
"""

from __future__ import annotations

import argparse
import re
import shutil
import sys
import time
from datetime import date, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

_STEP = re.compile(r"^  done: (.+) \(([\d.]+) s\)$")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--days", type=int, default=30)
    parser.add_argument("--dir", default="/tmp/bench_new_day")
    parser.add_argument("--start", type=date.fromisoformat, default=None,
                        help="first simulated day (default: so that the held-back day is the day before yesterday; "
                             "a day after today is not a partition yet)")
    args = parser.parse_args()
    if args.start is None:
        args.start = date.today() - timedelta(days=args.days + 2)

    import contextlib
    import io
    import os

    from cxpipe.runner import run_refresh
    from orchestration.settings import Settings
    from simulator import SimulationConfig, simulate

    base = Path(args.dir)
    shutil.rmtree(base, ignore_errors=True)
    complete, landing = base / "complete", base / "landing"
    zone = "Europe/Berlin"
    began = time.perf_counter()
    result = simulate(SimulationConfig(start=args.start, days=args.days + 1, seed=42, site_timezone=zone),
                      out_dir=complete)
    print(f"Simulated {args.days + 1} days ({result.entries} queue entries) in {time.perf_counter() - began:.0f} s")
    last_day = args.start + timedelta(days=args.days)
    # The last day's files (and the night after it): named by the UTC day they were written.
    held = {f"{day:%Y%m%d}" for day in (last_day, last_day + timedelta(days=1))}

    def is_held(path: Path) -> bool:
        relative = path.relative_to(complete).as_posix()
        if relative.startswith(("wfm/", "ground_truth/", "crm/customers", "crm/contracts")):
            return False
        return any(stamp in path.name for stamp in held)

    shutil.copytree(complete, landing, ignore=shutil.ignore_patterns("ground_truth"))
    later = [path for path in complete.rglob("*") if path.is_file() and is_held(path)]
    for path in later:
        (landing / path.relative_to(complete)).unlink()

    os.environ.setdefault("CXPIPE_PSEUDONYM_KEY", "bench-new-day-pseudonymization-key")
    settings = Settings(landing_dir=landing, warehouse_path=base / "warehouse.duckdb", site_timezone=zone,
                        state_dir=base / "state", zendesk="simulator")

    def run(title: str):
        out = io.StringIO()
        with contextlib.redirect_stdout(out):
            outcome = run_refresh(settings)
        steps = sorted(((float(m[2]), m[1]) for line in out.getvalue().splitlines() if (m := _STEP.match(line))),
                       reverse=True)
        status = "succeeded" if outcome.success else "FAILED"
        print(f"{title}: days {outcome.first_day}..{outcome.last_day}, {status} in {outcome.seconds:.0f} s; "
              "slowest steps: " + ", ".join(f"{name} {seconds:.0f} s" for seconds, name in steps[:4]))
        return outcome

    full = run(f"Full refresh of {args.days} days")
    for path in later:
        target = landing / path.relative_to(complete)
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(path, target)
    day = run("One more day")
    print(f"One more day costs {day.seconds / full.seconds:.0%} of the full refresh.")
    return 0 if full.success and day.success else 1


if __name__ == "__main__":
    sys.exit(main())
