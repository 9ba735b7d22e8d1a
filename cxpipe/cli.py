"""The `cxpipe` command: simulate source data, run the pipeline, read the KPIs, open the UI."""

from __future__ import annotations

import argparse
import os
import shutil
import sys
import traceback
from datetime import date
from pathlib import Path

from cxpipe.errors import CxpipeError

DEMO_START = date(2026, 10, 12)
DEMO_DAYS = 30
DEMO_TIMEZONE = "Europe/Berlin"


def _date(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a date like 2026-10-12") from None


def _positive_int(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"{text!r} must be 1 or more")
    return value


def _settings(landing: str | None, warehouse: str | None, timezone: str | None, state_dir: str | None,
              zendesk: str | None = None):
    from orchestration.settings import Settings, SettingsError

    env = dict(os.environ)
    for name, value in (
        ("CXPIPE_LANDING_DIR", landing),
        ("CXPIPE_WAREHOUSE", warehouse),
        ("CXPIPE_SITE_TIMEZONE", timezone),
        ("CXPIPE_STATE_DIR", state_dir),
        ("CXPIPE_ZENDESK", zendesk),
    ):
        if value:
            env[name] = value
    try:
        return Settings.from_env(env)
    except SettingsError as exc:
        raise CxpipeError(str(exc)) from exc


def _progress(done: int, total: int, message: str) -> None:
    width = 30
    filled = int(width * done / total) if total else width
    print(f"\r  [{'#' * filled}{'.' * (width - filled)}] {done}/{total} days {message[:40]:<40}",
          end="" if done < total else "\n", flush=True)


def cmd_simulate(args: argparse.Namespace) -> int:
    from simulator import SimulationConfig, simulate

    config = SimulationConfig(
        start=args.start,
        days=args.days,
        seed=args.seed,
        site_timezone=args.timezone,
        agents=args.agents,
        calls_per_day=args.calls_per_day,
        helpdesk=args.tickets_per_day > 0,
        tickets_per_day=max(args.tickets_per_day, 1),
    )
    out = Path(args.out)
    print(f"Simulating {args.days} days from {args.start} ({args.timezone}, seed {args.seed}) into {out}")
    result = simulate(config, out_dir=out, progress=_progress, clean=not args.keep_existing)
    print(f"Wrote {len(result.files)} files, {result.entries} queue entries, {result.tickets} helpdesk tickets; "
          f"true KPIs in {result.truth_dir}")
    return 0


def _print_outcome(outcome, settings) -> int:
    if outcome.warned_checks:
        print(f"Warnings: {', '.join(outcome.warned_checks)}")
    if outcome.success:
        print(f"Run {outcome.run_id[:8]} succeeded in {outcome.seconds:.0f} s; marts are in {settings.warehouse_path} "
              "(schema marts).")
        return 0
    reasons = []
    if outcome.failed_steps:
        reasons.append(f"step(s) failed: {', '.join(outcome.failed_steps)}")
    if outcome.failed_checks:
        reasons.append(f"check(s) failed: {', '.join(outcome.failed_checks)}")
    print(
        f"cxpipe: the run {outcome.run_id[:8]} did not succeed ({'; '.join(reasons) or 'see the log'}); "
        f"details in {outcome.log_path} and in `cxpipe ui`.",
        file=sys.stderr,
    )
    for reason in outcome.failure_reasons[:5]:
        print(f"  {reason}", file=sys.stderr)
    return 1


def cmd_run(args: argparse.Namespace) -> int:
    from cxpipe.runner import run_refresh

    settings = _settings(args.landing, args.warehouse, args.timezone, args.state_dir, args.zendesk)
    print(f"Running the pipeline: {settings.landing_dir} -> {settings.warehouse_path} "
          f"(site time zone {settings.site_timezone})")
    outcome = run_refresh(settings, start=args.start, end=args.end, full_refresh=args.full_refresh)
    return _print_outcome(outcome, settings)


def cmd_kpis(args: argparse.Namespace) -> int:
    from cxpipe.summary import (
        format_cx_summary,
        format_digital_summary,
        format_summary,
        format_trend,
        format_workforce_summary,
        load_daily_totals,
        load_queue_days,
        quarantine_count,
    )

    settings = _settings(None, args.warehouse, None, None)
    day, queues, days = load_queue_days(settings.warehouse_path, args.date)
    print(format_summary(day, queues, days, quarantine_count(settings.warehouse_path)))
    print(format_trend(load_daily_totals(settings.warehouse_path, day)))
    for extra in (format_digital_summary(settings.warehouse_path, day), format_cx_summary(settings.warehouse_path, day),
                  format_workforce_summary(settings.warehouse_path, day)):
        if extra:
            print(extra)
    return 0


def cmd_sql(args: argparse.Namespace) -> int:
    import duckdb

    settings = _settings(None, args.warehouse, None, None)
    if not settings.warehouse_path.exists():
        raise CxpipeError(f"The warehouse {settings.warehouse_path} does not exist; run `cxpipe run` first.")
    with duckdb.connect(str(settings.warehouse_path), read_only=True) as con:
        try:
            relation = con.sql(args.query)
        except duckdb.Error as exc:
            raise CxpipeError(f"The query failed: {str(exc).splitlines()[0]}") from exc
        if relation is not None:
            relation.show(max_rows=args.max_rows, max_width=200)
    return 0


def cmd_dbt(args: argparse.Namespace) -> int:
    """dbt on the project with this deployment's settings (for example `docs generate`)."""
    import subprocess

    from cxpipe.runner import prepare_environment
    from orchestration.dbt_project import DBT_PROJECT_DIR, dbt_executable

    settings = deployment_settings(Path("data"), warehouse=args.warehouse)
    prepare_environment(settings)
    dbt_args = [a for a in args.dbt_args if a != "--"]
    if not dbt_args:
        raise CxpipeError("Give the dbt command to run, for example `cxpipe dbt docs generate`.")
    command = [dbt_executable(), *dbt_args, "--project-dir", str(DBT_PROJECT_DIR),
               "--profiles-dir", str(DBT_PROJECT_DIR)]
    return subprocess.call(command)


def cmd_mf(args: argparse.Namespace) -> int:
    """MetricFlow's `mf` on the project's semantic layer and this deployment's warehouse."""
    import subprocess

    from cxpipe.runner import prepare_environment
    from orchestration.dbt_project import DBT_PROJECT_DIR, ensure_manifest, executable_beside_python

    settings = deployment_settings(Path("data"), warehouse=args.warehouse)
    if not settings.warehouse_path.exists():
        raise CxpipeError(f"No warehouse at {settings.warehouse_path}: run the pipeline first (`cxpipe run`).")
    prepare_environment(settings)
    mf_args = [a for a in args.mf_args if a != "--"]
    if not mf_args:
        raise CxpipeError("Give the mf command to run, for example "
                          "`cxpipe mf query --metrics service_level --group-by metric_time__week`.")
    # mf reads target/semantic_manifest.json of the project, which `dbt parse` writes.
    ensure_manifest()
    environment = {**os.environ, "DBT_PROJECT_DIR": str(DBT_PROJECT_DIR), "DBT_PROFILES_DIR": str(DBT_PROJECT_DIR)}
    return subprocess.call([executable_beside_python("mf"), *mf_args], env=environment)


def _published_snapshot(args: argparse.Namespace) -> Path:
    """The snapshot folder of --snapshot, else of the deployment (--warehouse, CXPIPE_*), which
    must hold a published snapshot."""
    settings = deployment_settings(Path("data"), warehouse=args.warehouse)
    snapshot_dir = Path(args.snapshot).expanduser().resolve() if args.snapshot else settings.snapshot_path
    if not (snapshot_dir / "cx_snapshot.duckdb").exists():
        raise CxpipeError(f"No published snapshot in {snapshot_dir}: run the pipeline first (`cxpipe run` or "
                          "`cxpipe demo`), or give --snapshot DIR.")
    return snapshot_dir


def cmd_dashboard(args: argparse.Namespace) -> int:
    """The reference dashboard (Streamlit) on the published snapshot, bound to 127.0.0.1."""
    from orchestration.dbt_project import executable_beside_python

    snapshot_dir = _published_snapshot(args)
    app = Path(__file__).resolve().parent.parent / "dashboard" / "app.py"
    command = [executable_beside_python("streamlit"), "run", str(app), "--server.address", args.host,
               "--server.port", str(args.port), "--server.headless", "true",
               "--browser.gatherUsageStats", "false", "--client.toolbarMode", "viewer"]
    print(f"Dashboard on http://{args.host}:{args.port} (snapshot {snapshot_dir}; Ctrl-C stops it)", flush=True)
    # Streamlit takes this process's place, so a signal to it (Ctrl-C, a service manager's stop)
    # stops the server itself.
    os.execve(command[0], command, {**os.environ, "CXPIPE_SNAPSHOT_DIR": str(snapshot_dir)})


def cmd_report(args: argparse.Namespace) -> int:
    """The weekly stakeholder report (HTML) from the published snapshot."""
    from dashboard.report import write_weekly_report

    snapshot_dir = _published_snapshot(args)
    if args.week and args.week.weekday() != 0:
        raise CxpipeError(f"--week takes the Monday the week starts on; {args.week} is a {args.week:%A}.")
    target = write_weekly_report(snapshot_dir, Path(args.out) if args.out else None, args.week)
    print(f"Weekly report: {target}")
    return 0


def _cxpipe_command() -> str:
    """How the person who ran us can run cxpipe again (the venv may not be on PATH)."""
    me = Path(sys.argv[0]).resolve()
    found = shutil.which("cxpipe")
    if found and Path(found).resolve() == me:
        return "cxpipe"
    try:
        return str(me.relative_to(Path.cwd()))
    except ValueError:
        return str(me)


def cmd_demo(args: argparse.Namespace) -> int:
    from cxpipe.runner import ensure_demo_key, run_refresh
    from cxpipe.summary import (
        format_cx_summary,
        format_digital_summary,
        format_summary,
        format_trend,
        format_workforce_summary,
        load_daily_totals,
        load_queue_days,
        quarantine_count,
    )
    from cxpipe.verify import (
        clear_personal_values,
        compare_agents_with_truth,
        compare_cx_with_truth,
        compare_tickets_with_truth,
        compare_with_truth,
        scan_marts_for_personal_data,
    )

    base = Path(args.dir).resolve()
    landing = base / "landing"
    # The helpdesk comes from the simulator's API, served on 127.0.0.1 during the load.
    settings = _settings(str(landing), str(base / "warehouse.duckdb"), DEMO_TIMEZONE, str(base / "state"),
                         zendesk="simulator")
    print(f"cx-pipeline demo: {args.days} simulated days of a contact center in {base}")
    # A fresh start: the demo's own landing data, warehouse and load state (run history is kept).
    for path in (landing, settings.dlt_pipelines_dir):
        shutil.rmtree(path, ignore_errors=True)
    settings.warehouse_path.unlink(missing_ok=True)
    created = ensure_demo_key(settings)
    if created:
        print(f"Created a random pseudonymization key for the demo in {created} (readable by you only, "
              "reused by later runs; set CXPIPE_PSEUDONYM_KEY to use your own).")

    args_sim = argparse.Namespace(
        out=str(landing), start=args.start, days=args.days, seed=args.seed,
        timezone=DEMO_TIMEZONE, agents=args.agents, calls_per_day=args.calls_per_day,
        tickets_per_day=args.tickets_per_day, keep_existing=False,
    )
    print("\n1/3 Simulating the phone system's files and the helpdesk")
    cmd_simulate(args_sim)
    print("\n2/3 Running the pipeline (dlt -> dbt -> checks) in-process")
    outcome = run_refresh(settings)
    if _print_outcome(outcome, settings):
        return 1
    print("\n3/3 Checking the marts against the simulator's ground truth, and for personal data")
    report = compare_with_truth(settings.warehouse_path, landing / "ground_truth")
    print(report.text())
    ticket_report = compare_tickets_with_truth(settings.warehouse_path, landing / "ground_truth")
    print(ticket_report.text())
    cx_report = compare_cx_with_truth(settings.warehouse_path, landing / "ground_truth")
    print(cx_report.text())
    agent_report = compare_agents_with_truth(settings.warehouse_path, landing / "ground_truth")
    print(agent_report.text())
    privacy = scan_marts_for_personal_data(settings.warehouse_path, clear_personal_values(landing))
    print(privacy.text())
    day, queues, days = load_queue_days(settings.warehouse_path, None)
    print()
    print(format_summary(day, queues, days, quarantine_count(settings.warehouse_path)))
    print(format_trend(load_daily_totals(settings.warehouse_path, day)))
    for extra in (format_digital_summary(settings.warehouse_path, day), format_cx_summary(settings.warehouse_path, day),
                  format_workforce_summary(settings.warehouse_path, day)):
        if extra:
            print(extra)
    from dashboard.report import write_weekly_report

    weekly = write_weekly_report(settings.snapshot_path)
    print(f"\nThe weekly stakeholder report of the last complete week: {weekly}")
    cxpipe = _cxpipe_command()
    dst_day = date(2026, 10, 25)  # the 25-hour day of the default demo
    example = dst_day if dst_day in days else days[0]
    print(
        "\nNext:\n"
        f"  {cxpipe} dashboard --warehouse {settings.warehouse_path}   # the dashboard on http://127.0.0.1:8501\n"
        f"  {cxpipe} kpis --warehouse {settings.warehouse_path} --date {example}   # another day\n"
        f"  {cxpipe} ui --dir {base}   # the Dagster UI on http://127.0.0.1:3000\n"
        f"  {cxpipe} sql --warehouse {settings.warehouse_path} "
        "\"select * from marts.kpi_queue_daily order by report_date desc limit 10\""
    )
    reports = (report, ticket_report, cx_report, agent_report)
    return 0 if all(r.matches for r in reports) and privacy.clean else 1


def cmd_keygen(args: argparse.Namespace) -> int:
    """Create the deployment's pseudonymization key file in its state folder (once)."""
    from ingestion.privacy import ENV_KEY, create_key_file

    settings = _settings(None, None, None, args.state_dir)
    path = settings.pseudonym_key_file
    if path.exists():
        print(f"{path} already exists; kept (a new key would give every phone number and e-mail "
              "another pseudonym, and joins with the data already loaded would break).")
        return 0
    create_key_file(path)
    print(f"Created a random pseudonymization key in {path} (readable by you only). `cxpipe run` "
          f"with this state folder uses it when {ENV_KEY} is not set; keep it with the warehouse "
          "and back it up.")
    return 0


def deployment_settings(base: Path, landing: str | None = None, warehouse: str | None = None,
                        timezone: str | None = None):
    """The deployment a command works on: flags, then CXPIPE_* variables, then what the last
    `cxpipe run` on the state folder used, then the defaults under `base`."""
    from cxpipe.runner import remembered_settings

    base = base.resolve()
    state_dir = Path(os.environ.get("CXPIPE_STATE_DIR") or base / "state")
    last = remembered_settings(state_dir)

    def pick(flag: str | None, name: str, fallback: str) -> str:
        return flag or os.environ.get(name) or last.get(name) or fallback

    return _settings(
        pick(landing, "CXPIPE_LANDING_DIR", str(base / "landing")),
        pick(warehouse, "CXPIPE_WAREHOUSE", str(base / "warehouse.duckdb")),
        pick(timezone, "CXPIPE_SITE_TIMEZONE", "UTC"),
        str(state_dir),
        pick(None, "CXPIPE_ZENDESK", "auto"),
    )


def ui_settings(args: argparse.Namespace):
    """The deployment the UI shows (see deployment_settings)."""
    return deployment_settings(Path(args.dir), args.landing, args.warehouse, args.timezone)


def cmd_ui(args: argparse.Namespace) -> int:
    from cxpipe.runner import prepare_environment

    settings = ui_settings(args)
    prepare_environment(settings)
    from orchestration.dbt_project import ensure_manifest

    ensure_manifest()
    dagster = Path(sys.executable).with_name("dagster")
    command = [str(dagster) if dagster.exists() else "dagster", "dev", "-m", "orchestration.definitions",
               "-h", args.host, "-p", str(args.port)]
    print(f"Starting the Dagster UI on http://{args.host}:{args.port} (Ctrl-C stops it)")
    print(f"  warehouse {settings.warehouse_path}, landing {settings.landing_dir}, "
          f"site time zone {settings.site_timezone}")
    sys.stdout.flush()
    # Become `dagster dev`: Ctrl-C and signals reach it directly, and it stops its own servers.
    os.execvpe(command[0], command, os.environ)
    return 0  # not reached


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="cxpipe", description="Contact-center analytics pipeline (dlt + dbt + Dagster on DuckDB)."
    )
    parser.add_argument("--debug", action="store_true", help="show tracebacks on errors")
    sub = parser.add_subparsers(dest="command", required=True)

    sim = sub.add_parser("simulate", help="write simulated phone-system files and their true KPIs")
    sim.add_argument("--out", required=True, help="landing folder to write into")
    sim.add_argument("--start", type=_date, default=DEMO_START, help="first site-local day (default %(default)s)")
    sim.add_argument("--days", type=_positive_int, default=7, help="number of days (default %(default)s)")
    sim.add_argument("--seed", type=int, default=42, help="random seed (default %(default)s)")
    sim.add_argument("--timezone", default="UTC",
                     help="site time zone (default %(default)s, like `cxpipe run`; give both the same)")
    sim.add_argument("--agents", type=_positive_int, default=30, help="agents on staff (default %(default)s)")
    sim.add_argument("--calls-per-day", type=_positive_int, default=2000,
                     help="average calls on a weekday (default %(default)s)")
    sim.add_argument("--tickets-per-day", type=int, default=300,
                     help="helpdesk tickets on an average weekday; 0: no helpdesk (default %(default)s)")
    sim.add_argument("--keep-existing", action="store_true",
                     help="keep simulated files already in --out (default: replace them)")
    sim.set_defaults(func=cmd_simulate)

    run = sub.add_parser("run", help="ingest the landing folder, build and test the marts (in-process)")
    run.add_argument("--landing", help="landing folder (CXPIPE_LANDING_DIR)")
    run.add_argument("--warehouse", help="DuckDB warehouse file (CXPIPE_WAREHOUSE)")
    run.add_argument("--timezone", help="site time zone (CXPIPE_SITE_TIMEZONE, default UTC)")
    run.add_argument("--state-dir", help="dlt and Dagster state folder (CXPIPE_STATE_DIR)")
    run.add_argument("--start", type=_date, help="first site-local day the run is for")
    run.add_argument("--end", type=_date, help="last site-local day the run is for")
    run.add_argument("--full-refresh", action="store_true",
                     help="rebuild every incremental mart from all history (after a model change)")
    run.add_argument("--zendesk", choices=["auto", "api", "simulator", "off"],
                     help="where the helpdesk comes from (CXPIPE_ZENDESK, default auto)")
    run.set_defaults(func=cmd_run)

    kpis = sub.add_parser("kpis", help="print the voice KPIs of a day")
    kpis.add_argument("--warehouse", help="DuckDB warehouse file (CXPIPE_WAREHOUSE)")
    kpis.add_argument("--date", type=_date, help="site-local day (default: the latest)")
    kpis.set_defaults(func=cmd_kpis)

    sql = sub.add_parser("sql", help="run a read-only SQL query on the warehouse and print the result")
    sql.add_argument("query", help="SQL, for example \"from marts.kpi_queue_daily limit 5\"")
    sql.add_argument("--warehouse", help="DuckDB warehouse file (CXPIPE_WAREHOUSE)")
    sql.add_argument("--max-rows", type=_positive_int, default=40)
    sql.set_defaults(func=cmd_sql)

    dbt = sub.add_parser("dbt", help="run dbt on the project with this deployment's settings")
    dbt.add_argument("--warehouse", help="DuckDB warehouse file (CXPIPE_WAREHOUSE)")
    dbt.add_argument("dbt_args", nargs=argparse.REMAINDER, help="dbt command and flags, e.g. docs generate")
    dbt.set_defaults(func=cmd_dbt)

    mf = sub.add_parser("mf", help="query the semantic layer (MetricFlow) on this deployment's warehouse")
    mf.add_argument("--warehouse", help="DuckDB warehouse file (CXPIPE_WAREHOUSE)")
    mf.add_argument("mf_args", nargs=argparse.REMAINDER,
                    help="mf command and flags, e.g. query --metrics service_level --group-by metric_time__week")
    mf.set_defaults(func=cmd_mf)

    dashboard = sub.add_parser("dashboard", help="open the reference dashboard on the BI snapshot (127.0.0.1)")
    dashboard.add_argument("--snapshot", help="snapshot folder (default: CXPIPE_SNAPSHOT_DIR, else snapshot/ "
                           "beside the warehouse)")
    dashboard.add_argument("--warehouse", help="DuckDB warehouse file (CXPIPE_WAREHOUSE), to find its snapshot")
    dashboard.add_argument("--host", default="127.0.0.1", help="address to bind (default %(default)s)")
    dashboard.add_argument("--port", type=int, default=8501)
    dashboard.set_defaults(func=cmd_dashboard)

    report = sub.add_parser("report", help="write the weekly stakeholder report (HTML) from the BI snapshot")
    report.add_argument("--week", type=_date, help="the Monday of the week (default: the last complete week)")
    report.add_argument("--out", help="folder for the file (default <snapshot>/reports)")
    report.add_argument("--snapshot", help="snapshot folder (default: CXPIPE_SNAPSHOT_DIR, else snapshot/ "
                        "beside the warehouse)")
    report.add_argument("--warehouse", help="DuckDB warehouse file (CXPIPE_WAREHOUSE), to find its snapshot")
    report.set_defaults(func=cmd_report)

    demo = sub.add_parser("demo", help="simulate a month, run everything, print the KPIs")
    demo.add_argument("--dir", default="data", help="folder for the demo's data (default %(default)s)")
    demo.add_argument("--start", type=_date, default=DEMO_START, help="first day (default %(default)s)")
    demo.add_argument("--days", type=_positive_int, default=DEMO_DAYS, help="days (default %(default)s)")
    demo.add_argument("--seed", type=int, default=42)
    demo.add_argument("--agents", type=_positive_int, default=30)
    demo.add_argument("--calls-per-day", type=_positive_int, default=2000)
    demo.add_argument("--tickets-per-day", type=_positive_int, default=300)
    demo.set_defaults(func=cmd_demo)

    keygen = sub.add_parser("keygen", help="create the pseudonymization key file in the state folder")
    keygen.add_argument("--state-dir", help="state folder (CXPIPE_STATE_DIR, default data/state)")
    keygen.set_defaults(func=cmd_keygen)

    ui = sub.add_parser("ui", help="open the Dagster UI (bound to 127.0.0.1)")
    ui.add_argument("--dir", default="data", help="demo data folder used for defaults (default %(default)s)")
    ui.add_argument("--landing")
    ui.add_argument("--warehouse")
    ui.add_argument("--timezone")
    ui.add_argument("--host", default="127.0.0.1", help="address to bind (default %(default)s)")
    ui.add_argument("--port", type=int, default=3000)
    ui.set_defaults(func=cmd_ui)
    return parser


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        return args.func(args)
    except CxpipeError as exc:
        print(f"cxpipe: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("cxpipe: interrupted", file=sys.stderr)
        return 130
    except Exception as exc:  # one sentence for a person; the traceback only when asked
        if args.debug:
            traceback.print_exc()
        from orchestration.failures import storage_problem

        problem = storage_problem(exc)
        if problem:
            print(f"cxpipe: {problem}", file=sys.stderr)
            return 1
        first = (str(exc).strip().splitlines() or [type(exc).__name__])[0]
        print(f"cxpipe: {type(exc).__name__}: {first} (run with --debug for the traceback)", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
