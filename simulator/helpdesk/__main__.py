"""Serve a saved simulated helpdesk on 127.0.0.1 until stdin closes or the process is stopped.

    python -m simulator.helpdesk <out>/helpdesk [--port 0] [--email E --token T]

Prints one line, `serving http://127.0.0.1:<port>`, once the port is open, so a parent process
(the pipeline's demo mode) can read the address; the token is read from the environment variable
CX_HELPDESK_TOKEN when given there, so it never shows in a process list.
"""

from __future__ import annotations

import argparse
import os
import signal
import sys
import threading

from simulator.helpdesk.data import HelpdeskData
from simulator.helpdesk.server import DEFAULT_EMAIL, DEFAULT_TOKEN, HelpdeskServer


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m simulator.helpdesk", description=__doc__.splitlines()[0])
    parser.add_argument("folder", help="a saved helpdesk folder (<out>/helpdesk)")
    parser.add_argument("--port", type=int, default=0, help="0 (default): a free port")
    parser.add_argument("--email", default=DEFAULT_EMAIL)
    parser.add_argument("--token", default=None, help="default: $CX_HELPDESK_TOKEN or the simulator's token")
    args = parser.parse_args(argv)
    token = args.token or os.environ.get("CX_HELPDESK_TOKEN") or DEFAULT_TOKEN
    try:
        data = HelpdeskData.load(args.folder)
    except (OSError, ValueError, KeyError) as exc:
        print(f"cannot read the helpdesk in {args.folder}: {exc}", file=sys.stderr)
        return 2
    server = HelpdeskServer(data, args.port, credentials=[(args.email, token)]).start()
    stopped = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stopped.set())
    signal.signal(signal.SIGINT, lambda *_: stopped.set())
    print(f"serving {server.base_url}", flush=True)

    def watch_stdin() -> None:
        sys.stdin.read()          # returns when the parent closes the pipe (or dies)
        stopped.set()

    threading.Thread(target=watch_stdin, daemon=True).start()
    try:
        stopped.wait()
    finally:
        server.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
