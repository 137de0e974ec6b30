"""Load check: N browser sessions segmenting the sample at once against one dashboard server.

    .venv/bin/python bench/load_check.py                 # 10 sessions, 240 s budget, PCA maps
    .venv/bin/python bench/load_check.py --sessions 4 --map umap --json out.json

Starts `streamlit run app.py` on a free loopback port (127.0.0.1 only) with a fresh
embedding cache, opens N sessions at the same moment (one headless Chromium from
/usr/bin/chromium, one browser context each = one Streamlit session each), and in each:

1. opens the Overview, which segments the bundled sample with no click, and waits for its
   metrics and the segment table ("time to first segments", from the moment the session
   starts loading the page);
2. goes to the Segment page, turns automatic K off and moves K by one, and waits until the
   "Segments" metric shows the new K ("time to change K");
3. goes to the Segments page and waits for one card per segment.

Meanwhile it samples the server's resident memory (VmRSS in /proc/<pid>/status) and
/_stcore/health every second. It prints a table of figures and exits 0 only when every
session finished within the budget with no error element, exception or page error, the
health endpoint never failed, and peak RSS stayed under --max-rss-mb. The server is
always stopped (also on Ctrl-C and SIGTERM).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-quic",
                 "--disable-dev-shm-usage"]
VIEWPORT = {"width": 1400, "height": 1600}


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def rss_mb(pid: int) -> float | None:
    try:
        with open(f"/proc/{pid}/status") as status:
            for line in status:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1]) / 1024
    except OSError:
        return None
    return None


def health(url: str) -> bool:
    try:
        with urllib.request.urlopen(f"{url}/_stcore/health", timeout=5) as response:
            return response.read().strip() == b"ok"
    except OSError:
        return False


def timed_health(url: str) -> tuple[bool, float]:
    """Whether /_stcore/health answered ok, and how long it took (a failure counts its time)."""
    started = time.perf_counter()
    ok = health(url)
    return ok, time.perf_counter() - started


class Server:
    """`streamlit run app.py` on 127.0.0.1:<free port>, in its own process group."""

    def __init__(self, map_method: str | None, log_path: Path, extra_env: dict | None = None,
                 root: Path = ROOT) -> None:
        """`root`: the code tree to serve (another commit's worktree for a baseline)."""
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.log_path = log_path
        self.cache_dir = tempfile.mkdtemp(prefix="segkit-load-cache-")
        env = {**os.environ, "SEGKIT_CACHE_DIR": self.cache_dir, **(extra_env or {})}
        if map_method:  # else the dashboard's own default
            env["SEGKIT_MAP_METHOD"] = map_method
        command = [sys.executable, "-m", "streamlit", "run", str(root / "app.py"),
                   "--server.port", str(self.port), "--server.address", "127.0.0.1",
                   "--server.headless", "true", "--browser.gatherUsageStats", "false"]
        with open(log_path, "wb") as log:
            self.process = subprocess.Popen(command, cwd=root, env=env, stdout=log, stderr=subprocess.STDOUT,
                                            start_new_session=True)

    def wait_ready(self, timeout: float) -> None:
        deadline = time.time() + timeout
        while not health(self.url):
            if self.process.poll() is not None:
                raise RuntimeError(f"streamlit exited early:\n{self.log_tail()}")
            if time.time() > deadline:
                raise RuntimeError(f"streamlit did not start in {timeout:.0f} s:\n{self.log_tail()}")
            time.sleep(0.3)

    def log_tail(self, n: int = 40) -> str:
        try:
            return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-n:])
        except OSError:
            return ""

    def stop(self) -> None:
        if self.process.poll() is None:
            try:
                os.killpg(self.process.pid, signal.SIGTERM)
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait(timeout=10)
            except ProcessLookupError:
                pass
        import shutil

        shutil.rmtree(self.cache_dir, ignore_errors=True)


class Monitor(threading.Thread):
    """RSS of the server and its health endpoint, once a second."""

    def __init__(self, server: Server) -> None:
        super().__init__(daemon=True)
        self.server = server
        self.rss: list[float] = []
        self.health_ok = 0
        self.health_failed = 0
        self.health_latency: list[float] = []
        self.stopping = threading.Event()

    def run(self) -> None:
        while not self.stopping.is_set():
            started = time.time()
            value = rss_mb(self.server.process.pid)
            if value is not None:
                self.rss.append(value)
            ok, seconds = timed_health(self.server.url)
            self.health_latency.append(seconds)
            if ok:
                self.health_ok += 1
            else:
                self.health_failed += 1
            self.stopping.wait(max(0.0, 1.0 - (time.time() - started)))


# ------------------------------------------------------------------------- one session

async def wait_idle(page, timeout: float) -> None:
    """Until the script has finished running and stayed finished for a moment."""
    app = page.locator('[data-testid="stApp"]')
    await app.wait_for(timeout=timeout * 1000)
    deadline = time.time() + timeout
    quiet_since = None
    while time.time() < deadline:
        if await app.get_attribute("data-test-script-state") == "notRunning":
            quiet_since = quiet_since or time.time()
            if time.time() - quiet_since > 1.0:
                return
        else:
            quiet_since = None
        await page.wait_for_timeout(250)
    raise TimeoutError(f"the app kept running for {timeout:.0f} s")


def main_area(page):
    return page.locator('[data-testid="stMain"]')


async def metric_value(page, label: str) -> str:
    metric = main_area(page).locator('[data-testid="stMetric"]').filter(
        has=page.locator('[data-testid="stMetricLabel"]', has_text=label)).first
    return (await metric.locator('[data-testid="stMetricValue"]').inner_text()).strip()


async def check_no_error(page, where: str) -> None:
    shown = page.locator('[data-testid="stException"], [data-testid="stAlertContentError"]')
    if await shown.count():
        raise RuntimeError(f"{where}: {(await shown.first.inner_text())[:300]}")


async def nav(page, label: str, expect: str, timeout: float) -> None:
    await page.locator('[data-testid="stSidebarNav"]').get_by_role("link", name=label).click(timeout=timeout * 1000)
    await main_area(page).get_by_text(expect, exact=False).first.wait_for(timeout=timeout * 1000)
    await wait_idle(page, timeout)


async def session(index: int, browser, url: str, deadline: float, cards: bool, start: asyncio.Event) -> dict:
    result: dict = {"session": index, "first_segments_s": None, "change_k_s": None, "cards_s": None,
                    "k": None, "error": None}
    context = await browser.new_context(viewport=VIEWPORT)
    page = await context.new_page()
    page_errors: list[str] = []
    page.on("pageerror", lambda exc: page_errors.append(str(exc)))
    page.set_default_timeout(max(1.0, deadline - time.time()) * 1000)
    step = "start"

    def left() -> float:
        return max(1.0, deadline - time.time())

    try:
        await start.wait()
        step = "overview"
        started = time.time()
        await page.goto(url, timeout=left() * 1000)
        await main_area(page).get_by_text("The segments", exact=True).wait_for(timeout=left() * 1000)
        await wait_idle(page, left())
        await check_no_error(page, "overview")
        k = int(await metric_value(page, "Segments"))
        result["first_segments_s"] = round(time.time() - started, 2)

        step = "open the Segment page"
        await nav(page, "2 · Segment", "Quality", left())
        step = "change K"
        started = time.time()
        await main_area(page).get_by_text("Choose K automatically").click(timeout=left() * 1000)
        await wait_idle(page, left())
        slider = main_area(page).locator('[data-testid="stSlider"]').filter(has_text="K (number of segments)")
        await slider.get_by_role("slider").focus()
        await page.keyboard.press("ArrowRight")
        await page.wait_for_function(
            "k => [...document.querySelectorAll('[data-testid=\"stMetric\"]')].some(m => "
            "m.innerText.startsWith('Segments') && m.innerText.includes(String(k)))", arg=k + 1,
            timeout=left() * 1000)
        await wait_idle(page, left())
        await check_no_error(page, "segment")
        if int(await metric_value(page, "Segments")) != k + 1:
            raise RuntimeError(f"K did not move from {k} to {k + 1}")
        result["change_k_s"] = round(time.time() - started, 2)
        result["k"] = k + 1

        if cards:
            step = "segment cards"
            started = time.time()
            await nav(page, "4 · Segments", "Words that set it apart", left())
            await check_no_error(page, "segments")
            n_cards = await main_area(page).get_by_text("Most representative reviews").count()
            if n_cards != k + 1:
                raise RuntimeError(f"{n_cards} segment cards for K = {k + 1}")
            result["cards_s"] = round(time.time() - started, 2)
        if page_errors:
            raise RuntimeError(f"page error: {page_errors[0][:300]}")
    except Exception as exc:  # noqa: BLE001 - reported per session
        result["error"] = f"{step}: {type(exc).__name__}: {str(exc).splitlines()[0][:300] if str(exc) else ''}"
    finally:
        try:
            await context.close()
        except Exception:  # noqa: BLE001
            pass
    return result


async def run_sessions(url: str, n: int, deadline: float, cards: bool) -> list[dict]:
    from playwright.async_api import async_playwright

    async with async_playwright() as playwright:
        browser = await playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            start = asyncio.Event()
            tasks = [asyncio.create_task(session(i, browser, url, deadline, cards, start)) for i in range(n)]
            await asyncio.sleep(0.5)  # every context is being created; then all load at once
            start.set()
            remaining = max(1.0, deadline - time.time() + 5)
            done, pending = await asyncio.wait(tasks, timeout=remaining)
            for task in pending:
                task.cancel()
            results = []
            for i, task in enumerate(tasks):
                if task in done and not task.cancelled() and task.exception() is None:
                    results.append(task.result())
                else:
                    results.append({"session": i, "first_segments_s": None, "change_k_s": None, "cards_s": None,
                                    "k": None, "error": "did not finish within the budget"})
            return results
        finally:
            await browser.close()


# ------------------------------------------------------------------------------ report

def latency_figures(seconds: list[float]) -> dict:
    """Median, 95th percentile and maximum time the health endpoint took to answer."""
    ordered = sorted(seconds) or [0.0]
    p95 = ordered[min(len(ordered) - 1, int(round(0.95 * (len(ordered) - 1))))]
    return {"health_median_s": statistics.median(ordered), "health_p95_s": p95, "health_max_s": ordered[-1]}


def summarise(values: list[float | None]) -> str:
    done = [v for v in values if v is not None]
    if not done:
        return "–"
    return f"median {statistics.median(done):.1f} s · max {max(done):.1f} s"


def report(results: list[dict], figures: dict) -> str:
    lines = [
        f"{'sessions':<28}{figures['sessions']} started, {figures['finished']} finished, "
        f"{figures['errors']} with errors",
        f"{'time to first segments':<28}{summarise([r['first_segments_s'] for r in results])}",
        f"{'time to change K':<28}{summarise([r['change_k_s'] for r in results])}",
        f"{'time to segment cards':<28}{summarise([r['cards_s'] for r in results])}",
        f"{'server RSS':<28}start {figures['rss_start_mb']:.0f} MB · peak {figures['rss_peak_mb']:.0f} MB · "
        f"end {figures['rss_end_mb']:.0f} MB (limit {figures['max_rss_mb']:.0f} MB)",
        f"{'health checks':<28}{figures['health_ok']} ok, {figures['health_failed']} failed; answered in "
        f"median {figures['health_median_s']:.2f} s · 95th percentile {figures['health_p95_s']:.2f} s · "
        f"max {figures['health_max_s']:.2f} s",
        f"{'wall time':<28}{figures['wall_s']:.1f} s (budget {figures['budget_s']:.0f} s; server start "
        f"{figures['server_start_s']:.1f} s)",
        f"{'machine':<28}{os.cpu_count()} CPUs, load average {figures['load_average']}",
        "",
        f"{'session':>7} {'first segments':>15} {'change K':>9} {'cards':>7} {'K':>3}  error",
    ]
    for r in results:
        def cell(v):
            return "–" if v is None else f"{v:.1f}"

        lines.append(f"{r['session']:>7} {cell(r['first_segments_s']):>15} {cell(r['change_k_s']):>9} "
                     f"{cell(r['cards_s']):>7} {r['k'] if r['k'] is not None else '–':>3}  {r['error'] or ''}")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sessions", type=int, default=10)
    parser.add_argument("--timeout", type=float, default=240.0, help="seconds for all sessions (server start excluded)")
    parser.add_argument("--map", choices=["pca", "umap"], default="pca",
                        help="map method of the server (umap compiles numba once: ~35 s of CPU)")
    parser.add_argument("--max-rss-mb", type=float, default=2048.0, help="fail above this server RSS peak")
    parser.add_argument("--no-cards", action="store_true", help="skip step 3 (the Segments page)")
    parser.add_argument("--json", type=Path, help="also write the figures and per-session results here")
    parser.add_argument("--log", type=Path, help="server log (default: a temporary file)")
    args = parser.parse_args(argv)
    if not CHROMIUM.exists():
        print(f"{CHROMIUM} is missing (apt-get install chromium)", file=sys.stderr)
        return 2

    def _terminate(signum, frame):  # run the finally blocks on SIGTERM too
        raise KeyboardInterrupt

    signal.signal(signal.SIGTERM, _terminate)
    log_path = args.log or Path(tempfile.mkstemp(prefix="segkit-load-", suffix=".log")[1])
    server = Server(args.map, log_path)
    monitor = Monitor(server)
    try:
        t0 = time.time()
        server.wait_ready(120)
        server_start = time.time() - t0
        monitor.start()
        time.sleep(1.1)  # a first RSS sample of the idle server
        started = time.time()
        deadline = started + args.timeout
        results = asyncio.run(run_sessions(server.url, args.sessions, deadline, not args.no_cards))
        wall = time.time() - started
        alive = server.process.poll() is None and health(server.url)
        time.sleep(1.1)
    finally:
        monitor.stopping.set()
        if monitor.is_alive():
            monitor.join(timeout=5)
        log_tail = server.log_tail()
        server.stop()

    errors = sum(1 for r in results if r["error"])
    rss = monitor.rss or [0.0]
    figures = {
        "sessions": args.sessions,
        "finished": sum(1 for r in results if not r["error"]),
        "errors": errors,
        "first_segments_median_s": statistics.median([r["first_segments_s"] for r in results
                                                      if r["first_segments_s"] is not None] or [0]),
        "first_segments_max_s": max([r["first_segments_s"] for r in results if r["first_segments_s"] is not None]
                                    or [0]),
        "rss_start_mb": rss[0], "rss_peak_mb": max(rss), "rss_end_mb": rss[-1], "max_rss_mb": args.max_rss_mb,
        "health_ok": monitor.health_ok, "health_failed": monitor.health_failed,
        **latency_figures(monitor.health_latency),
        "server_alive_after": alive,
        "wall_s": wall, "budget_s": args.timeout, "server_start_s": server_start,
        "map": args.map,
        "load_average": " ".join(f"{v:.1f}" for v in os.getloadavg()),
    }
    print(report(results, figures))
    problems = []
    if errors:
        problems.append(f"{errors} session(s) failed")
    if monitor.health_failed or not alive:
        problems.append("the health endpoint failed or the server died")
    if figures["rss_peak_mb"] > args.max_rss_mb:
        problems.append(f"peak RSS {figures['rss_peak_mb']:.0f} MB over {args.max_rss_mb:.0f} MB")
    if wall > args.timeout:
        problems.append(f"took {wall:.0f} s, over the {args.timeout:.0f} s budget")
    if args.json:
        args.json.write_text(json.dumps({"figures": figures, "sessions": results, "problems": problems,
                                         "health_latency_s": [round(s, 3) for s in monitor.health_latency]}, indent=2))
    if problems:
        print("FAILED: " + "; ".join(problems), file=sys.stderr)
        if errors:
            print("server log (end):\n" + log_tail, file=sys.stderr)
        return 1
    print("OK: every session finished, the server stayed up, memory stayed bounded.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
