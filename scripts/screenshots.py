"""Screenshots of each dashboard page in headless Chromium, for the README (docs/images/).

    .venv/bin/python scripts/screenshots.py [--snapshot data/snapshot] [--out docs/images]

Needs Debian's `chromium` (`apt-get install chromium`). Starts `cxpipe dashboard` on a free port
of 127.0.0.1, opens each page (`/?page=<page>`), waits for Streamlit to finish drawing, and saves
`dashboard-<page>.png`. Nothing is fetched from the internet: the browser only talks to the local
dashboard.
"""

from __future__ import annotations

import argparse
import asyncio
import base64
import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PAGES = ("executive", "operations", "agents", "cx", "staffing")
CHROMIUM_FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--hide-scrollbars",
                  "--disable-background-networking", "--disable-component-update", "--disable-sync"]


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def wait_for(url: str, seconds: float) -> None:
    deadline = time.monotonic() + seconds
    while True:
        try:
            with urllib.request.urlopen(url, timeout=2) as answer:
                if answer.status == 200:
                    return
        except OSError:
            pass
        if time.monotonic() > deadline:
            raise SystemExit(f"the dashboard did not answer on {url} within {seconds:.0f} s")
        time.sleep(0.5)


class Browser:
    """Headless Chromium driven over the DevTools protocol (with `websockets`, which Streamlit's
    server already brings): Streamlit draws a page over its own websocket after the load
    event, so the screenshot waits until the app has stopped running and its charts are drawn."""

    def __init__(self, chromium: str, profile: str, width: int, height: int) -> None:
        self.port = free_port()
        self.width, self.height = width, height
        self.process = subprocess.Popen(
            [chromium, *CHROMIUM_FLAGS, f"--user-data-dir={profile}", f"--remote-debugging-port={self.port}",
             f"--window-size={width},{height}", "about:blank"],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env={**os.environ, "HOME": profile},
        )
        self.ids = 0

    async def connect(self) -> None:
        from websockets.asyncio.client import connect

        deadline = time.monotonic() + 30
        while True:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{self.port}/json/list", timeout=2) as answer:
                    pages = [t for t in json.load(answer) if t["type"] == "page"]
                if pages:
                    break
            except OSError:
                pass
            if time.monotonic() > deadline:
                raise SystemExit("chromium did not open its DevTools port")
            await asyncio.sleep(0.3)
        self.socket = await connect(pages[0]["webSocketDebuggerUrl"], max_size=2**28)

    async def call(self, method: str, **params: object) -> dict:
        self.ids += 1
        await self.socket.send(json.dumps({"id": self.ids, "method": method, "params": params}))
        while True:
            message = json.loads(await self.socket.recv())
            if message.get("id") == self.ids:
                if "error" in message:
                    raise RuntimeError(f"{method}: {message['error']}")
                return message["result"]

    async def evaluate(self, expression: str) -> object:
        result = await self.call("Runtime.evaluate", expression=expression, returnByValue=True)
        return result["result"].get("value")

    async def screenshot(self, url: str, target: Path, timeout: float) -> None:
        await self.call("Emulation.setDeviceMetricsOverride", width=self.width, height=self.height,
                        deviceScaleFactor=1, mobile=False)
        await self.call("Page.navigate", url=url)
        deadline = time.monotonic() + timeout
        settled_since = None
        while True:
            await asyncio.sleep(0.5)
            ready = await self.evaluate(READY_JS)
            if ready:
                settled_since = settled_since or time.monotonic()
                if time.monotonic() - settled_since > 2:  # charts finish drawing after the run ends
                    break
            else:
                settled_since = None
            if time.monotonic() > deadline:
                raise SystemExit(f"{url} did not finish drawing within {timeout:.0f} s")
        height = await self.evaluate(
            "Math.max(...[...document.querySelectorAll('*')].map(e => e.scrollHeight))")
        await self.call("Emulation.setDeviceMetricsOverride", width=self.width,
                        height=min(int(height or self.height), 6000), deviceScaleFactor=1, mobile=False)
        await asyncio.sleep(1.5)
        shot = await self.call("Page.captureScreenshot", format="png")
        target.write_bytes(base64.b64decode(shot["data"]))

    def close(self) -> None:
        self.process.terminate()
        self.process.wait(timeout=30)


# Streamlit is done when its status widget says nothing is running and the page has content.
READY_JS = """(() => {
  const main = document.querySelector('[data-testid="stMain"]');
  if (!main || main.innerText.trim().length < 20) return false;
  const status = document.querySelector('[data-testid="stStatusWidget"]');
  if (status && /Running|Connecting/i.test(status.innerText)) return false;
  return document.querySelectorAll('[data-testid="stSkeleton"]').length === 0;
})()"""


async def shoot(browser: Browser, port: int, out: Path, timeout: float) -> None:
    await browser.connect()
    try:
        for page in PAGES:
            target = out / f"dashboard-{page}.png"
            await browser.screenshot(f"http://127.0.0.1:{port}/?page={page}", target, timeout)
            print(f"{target} ({target.stat().st_size // 1024} KB)")
    finally:
        await browser.socket.close()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--snapshot", default=str(ROOT / "data" / "snapshot"))
    parser.add_argument("--out", default=str(ROOT / "docs" / "images"))
    parser.add_argument("--width", type=int, default=1400)
    parser.add_argument("--height", type=int, default=1000)
    parser.add_argument("--timeout", type=float, default=120, help="seconds a page may take to draw")
    args = parser.parse_args()
    chromium = shutil.which("chromium") or shutil.which("chromium-browser")
    if not chromium:
        raise SystemExit("no chromium on PATH: apt-get install chromium")
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    port = free_port()
    cxpipe = Path(sys.executable).with_name("cxpipe")
    server = subprocess.Popen([str(cxpipe), "dashboard", "--snapshot", args.snapshot, "--port", str(port)],
                              stdout=subprocess.DEVNULL, stderr=subprocess.STDOUT)
    try:
        wait_for(f"http://127.0.0.1:{port}/_stcore/health", 60)
        with tempfile.TemporaryDirectory() as profile:
            browser = Browser(chromium, profile, args.width, args.height)
            try:
                asyncio.run(shoot(browser, port, out, args.timeout))
            finally:
                browser.close()
    finally:
        server.terminate()
        server.wait(timeout=30)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
