"""Issue 16 target 5: 200,000 users uploaded in the browser.

    .venv/bin/python bench/browser_scale.py                       # 200,000 users, TF-IDF
    .venv/bin/python bench/browser_scale.py --embedder static --sessions 2
    .venv/bin/python bench/browser_scale.py --baseline dd994fd   # that commit first, same run
    .venv/bin/python bench/browser_scale.py --users 20000 --budget 120   # a quick look

Builds a CSV of N users, one review each, from real review texts in ../shared/data
(womens_clothing and yelp_10k): each row is a real review with noise (about one word in
ten dropped, sentences shuffled in half of them) and its own 1-5 rating, so no two rows
hold the same text. Starts `streamlit run app.py` on a loopback port with a fresh cache
(SEGKIT_EMBEDDER chooses the embedder; the map method is the server's default), and in
headless Chromium, per session, one after the other:

1. opens the Data page (the bundled sample loads first), uploads the file, and waits
   until the Overview shows the metrics, the segment table and the map; "upload to map"
   runs from handing the file to the browser to the map being drawn;
2. reads the Overview's user count (every user, not the map's sample) and the map's
   "draws 50,000 of the N users" caption.

The server's resident memory (VmRSS) is sampled every second. Session 2 uploads the same
file in a second browser context, so the table shows what the second session adds (what
the two share). With --baseline COMMIT, that commit's code (a temporary git worktree) is
served and measured first in the same way, on the same file, and this tree's rows say how
their time to the map and peak RSS compare. Exits 0 when every session of this tree drew its
map within --budget seconds and peak RSS stayed under --max-rss-mb.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parent))

from baseline import BASELINE_COMMIT  # noqa: E402
from common import ROOT, load_average, print_table  # noqa: E402
from datasets import DATA_ROOT as DATA  # noqa: E402
from load_check import (  # noqa: E402
    CHROMIUM,
    CHROMIUM_ARGS,
    VIEWPORT,
    Monitor,
    Server,
    check_no_error,
    main_area,
    wait_idle,
)

from segkit.embed.cache import default_cache_dir  # noqa: E402


def real_reviews() -> pd.DataFrame:
    """Review texts with their own star rating (a rating drawn apart from its text would be
    a noise trait that splits every segment in two)."""
    womens = pd.read_csv(DATA / "womens_clothing" / "womens_clothing_reviews.csv")
    yelp = pd.read_csv(DATA / "yelp_10k" / "yelp.csv")
    reviews = pd.concat([womens[["Review Text", "Rating"]].set_axis(["text", "rating"], axis=1),
                         yelp[["text", "stars"]].set_axis(["text", "rating"], axis=1)]).dropna()
    return reviews[reviews["text"].astype(str).str.len() >= 40].reset_index(drop=True)


def noisy_review(text: str, rng: np.random.Generator) -> str:
    sentences = re.split(r"(?<=[.!?])\s+", text.strip())
    if len(sentences) > 2 and rng.random() < 0.5:
        rng.shuffle(sentences)
    words = " ".join(sentences).split()
    keep = rng.random(len(words)) > 0.1
    keep[0] = True
    return " ".join(w for w, k in zip(words, keep, strict=True) if k)


def scale_csv(n_users: int, seed: int = 0) -> bytes:
    rng = np.random.default_rng(seed)
    reviews = real_reviews()
    picked = rng.integers(0, len(reviews), n_users)
    texts = reviews["text"].astype(str).to_numpy()
    frame = pd.DataFrame({
        "user_id": [f"u{i:07d}" for i in range(n_users)],
        "review": [noisy_review(texts[i], rng) for i in picked],
        "rating": reviews["rating"].to_numpy()[picked].astype(int),
    })
    return frame.to_csv(index=False).encode("utf-8")


async def upload_session(index: int, browser, url: str, payload: Path, name: str, budget: float,
                         spy: Callable[[], Callable[[], None]] | None = None) -> dict:
    context = await browser.new_context(viewport=VIEWPORT)
    page = await context.new_page()
    page.set_default_timeout(budget * 1000)
    result = {"session": index + 1, "upload_to_map_s": None, "users_shown": None, "map_caption": "", "error": ""}
    step = "open the Data page"
    try:
        await page.goto(f"{url}/data")
        await main_area(page).get_by_text("Validation report").wait_for(timeout=240_000)
        await wait_idle(page, 240)
        step = "upload"
        stop_spy = spy() if spy else None
        started = time.time()
        # A path, not a buffer: Playwright refuses buffers over 50 MB.
        await page.locator('[data-testid="stFileUploaderDropzoneInput"]').set_input_files(str(payload))
        await main_area(page).get_by_text(f"Current dataset: {Path(name).stem}", exact=False).wait_for()
        step = "overview"
        await page.locator('[data-testid="stSidebarNav"]').get_by_role("link", name="Overview").click()
        await main_area(page).get_by_text("The segments", exact=True).wait_for()
        result["upload_to_segments_s"] = round(time.time() - started, 1)
        await main_area(page).locator('[data-testid="stPlotlyChart"]').nth(1).locator(".main-svg").first.wait_for(
            state="attached")
        result["upload_to_map_s"] = round(time.time() - started, 1)
        await wait_idle(page, budget)
        result["upload_to_idle_s"] = round(time.time() - started, 1)
        if stop_spy:
            stop_spy()
        await check_no_error(page, "overview")
        users = main_area(page).locator('[data-testid="stMetric"]').first.locator('[data-testid="stMetricValue"]')
        result["users_shown"] = (await users.inner_text()).strip()
        caption = main_area(page).get_by_text("The map draws", exact=False)
        result["map_caption"] = (await caption.first.inner_text())[:60] if await caption.count() else "(all users drawn)"
    except Exception as exc:  # noqa: BLE001 - reported in the table
        shot = Path(tempfile.gettempdir()) / f"segkit-browser-scale-{index + 1}.png"
        await page.screenshot(path=str(shot), full_page=True)
        result["error"] = f"{step} ({shot}): {type(exc).__name__}: {str(exc).splitlines()[0][:200] if str(exc) else ''}"
    finally:
        await context.close()
    return result


def py_spy_recorder(pid: int, out: Path) -> Callable[[], Callable[[], None]]:
    """Samples the server with py-spy (collapsed stacks in `out`) from the upload to the
    drawn map of session 1: where the waiting goes, per function."""
    def start() -> Callable[[], None]:
        spy = subprocess.Popen([str(Path(sys.executable).with_name("py-spy")), "record", "--pid", str(pid),
                                "--format", "raw", "--rate", "50", "--output", str(out)],
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)

        def stop() -> None:
            spy.send_signal(signal.SIGINT)
            spy.wait(timeout=60)
        return stop
    return start


async def run_sessions(url: str, payload: Path, name: str, sessions: int, budget: float, monitor: Monitor,
                       spy_out: Path | None = None) -> list[dict]:
    from playwright.async_api import async_playwright

    results = []
    async with async_playwright() as playwright:
        browser = await playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            # The first page run starts the UMAP warm-up (app.py): let it finish before
            # timing, as on a server that has been up a while.
            context = await browser.new_context(viewport=VIEWPORT)
            page = await context.new_page()
            await page.goto(url)
            await main_area(page).get_by_text("The segments", exact=True).wait_for(timeout=240_000)
            await context.close()
            quiet_s = wait_until_quiet(monitor.server.process.pid)
            results.append({"session": "(warm-up)", "note": f"server quiet after {quiet_s:.0f} s",
                            "rss_peak_mb": round(max(monitor.rss), 0)})
            for index in range(sessions):
                before = max(monitor.rss) if monitor.rss else 0.0
                spy = (py_spy_recorder(monitor.server.process.pid, spy_out)
                       if spy_out and index == int(os.environ.get("SEGKIT_SPY_SESSION", "1")) - 1 else None)
                result = await upload_session(index, browser, url, payload, name, budget, spy)
                await asyncio.sleep(2)
                result["rss_peak_mb"] = round(max(monitor.rss), 0)
                result["rss_added_mb"] = round(max(monitor.rss) - before, 0)
                results.append(result)
        finally:
            await browser.close()
    return results


def server_cpu_seconds(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def wait_until_quiet(pid: int, timeout: float = 120.0) -> float:
    """Seconds waited until the server used < 10% of a core over 2 s: its start-up work
    (UMAP's background compilation) is done, as on a server that has been up a while."""
    started = time.time()
    while time.time() - started < timeout:
        before = server_cpu_seconds(pid)
        time.sleep(2)
        if server_cpu_seconds(pid) - before < 0.2:
            break
    return time.time() - started


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--users", type=int, default=200_000)
    parser.add_argument("--embedder", default="tfidf", help="SEGKIT_EMBEDDER for the server (tfidf, static)")
    parser.add_argument("--sessions", type=int, default=2)
    parser.add_argument("--budget", type=float, default=30.0, help="seconds from upload to map (target 30)")
    parser.add_argument("--max-rss-mb", type=float, default=4096.0)
    parser.add_argument("--baseline", metavar="COMMIT", help=f"first serve COMMIT's code (a temporary git "
                        f"worktree; e.g. {BASELINE_COMMIT}, before issue 16) the same way, in the same run")
    parser.add_argument("--py-spy", type=Path, help="record session 1's upload with py-spy (pip install py-spy) here; "
                                                    "SEGKIT_SPY_SESSION=2 records session 2's")
    args = parser.parse_args(argv)
    rows, server_log = run(args.users, args.embedder, args.sessions, args.budget, args.max_rss_mb, args.py_spy,
                           baseline=args.baseline)
    if any(r.get("error") for r in rows):
        print(server_log)
    return 0 if all(r["met"] in ("yes", "-", "(baseline)") for r in rows) else 1


@contextlib.contextmanager
def code_tree(commit: str | None):
    """This repository's tree for None; else a temporary git worktree of `commit`, checked to
    be what Python imports (PYTHONPATH), and removed afterwards."""
    if commit is None:
        yield ROOT, {}
        return
    holder = Path(tempfile.mkdtemp(prefix="segkit-baseline-"))
    tree = holder / "tree"
    subprocess.run(["git", "worktree", "add", "--detach", str(tree), commit], cwd=ROOT, check=True,
                   capture_output=True)
    env = {"PYTHONPATH": str(tree)}
    try:
        imported = subprocess.run([sys.executable, "-c", "import segkit; print(segkit.__file__)"], cwd=tree,
                                  env={**os.environ, **env}, capture_output=True, text=True, check=True).stdout
        if not Path(imported.strip()).is_relative_to(tree):
            raise RuntimeError(f"the baseline's server would import segkit from {imported.strip()}, not {tree}")
        yield tree, env
    finally:
        subprocess.run(["git", "worktree", "remove", "--force", str(tree)], cwd=ROOT, capture_output=True)
        shutil.rmtree(holder, ignore_errors=True)


def serve_and_upload(payload: Path, name: str, embedder: str, sessions: int, budget: float, root: Path,
                     env: dict, py_spy: Path | None) -> tuple[list[dict], str]:
    """One server of the code at `root` with a fresh embedding cache: the sessions' rows, and
    its log's tail."""
    log_path = Path(os.environ.get("TMPDIR", "/tmp")) / f"segkit-browser-scale-{os.getpid()}.log"
    # A fresh embedding cache (every session embeds or shares in this server), but the
    # models set-up converted and distilled, as on an installed machine.
    cache_dir = Path(tempfile.mkdtemp(prefix="segkit-scale-cache-"))
    models = default_cache_dir() / "models"
    if models.is_dir():
        (cache_dir / "models").symlink_to(models)
    server = Server(None, log_path, root=root,
                    extra_env={"SEGKIT_EMBEDDER": embedder, "SEGKIT_CACHE_DIR": str(cache_dir), **env})
    monitor = Monitor(server)
    try:
        server.wait_ready(120)
        monitor.start()
        # Playwright waits up to --budget x 4 so that a miss is measured, not cut off.
        results = asyncio.run(run_sessions(server.url, payload, name, sessions, budget * 4, monitor, py_spy))
    finally:
        monitor.stopping.set()
        server.stop()
        shutil.rmtree(cache_dir, ignore_errors=True)
    return results, server.log_tail()


def run(users: int, embedder: str, sessions: int = 2, budget: float = 30.0, max_rss_mb: float = 4096.0,
        py_spy: Path | None = None, baseline: str | None = None) -> tuple[list[dict], str]:
    """Rows of the table (printed; with `baseline`, that commit's rows first and each of this
    tree's sessions as a ratio to the baseline's), and the last server log's tail."""
    built = time.time()
    name = f"scale_{users}.csv"
    work = Path(tempfile.mkdtemp(prefix="segkit-scale-"))
    payload = work / name
    payload.write_bytes(scale_csv(users))
    build_s, file_mb = time.time() - built, payload.stat().st_size / 1e6
    rows: list[dict] = []
    log = ""
    try:
        for commit in ([baseline] if baseline else []) + [None]:
            with code_tree(commit) as (root, env):
                results, log = serve_and_upload(payload, name, embedder, sessions, budget, root, env,
                                                None if commit else py_spy)
            for r in results:
                met = ("-" if "note" in r else "(baseline)" if commit else "yes"
                       if r["upload_to_map_s"] is not None and r["upload_to_map_s"] <= budget
                       and r["rss_peak_mb"] <= max_rss_mb else "NO")
                rows.append({"code": commit or "this tree", **r, "met": met})
    finally:
        shutil.rmtree(work, ignore_errors=True)
    if baseline:
        add_ratios(rows, baseline)
    first = ("code", "session", "upload_to_map_s", "map_time_ratio", "upload_to_segments_s", "rss_peak_mb",
             "rss_ratio", "rss_added_mb", "met")
    columns = [*first, *dict.fromkeys(k for r in rows for k in r if k not in first)]
    rows = [{k: r.get(k, "") for k in columns} for r in rows]  # one column order for the table
    print_table(f"Target 5: {users:,} users uploaded in the browser, embedder {embedder} "
                f"(file {file_mb:.0f} MB built in {build_s:.0f} s; "
                f"load average {load_average()})", rows,
                f"ratios: this tree / {baseline} in the same run" if baseline else "")
    return rows, log


def add_ratios(rows: list[dict], baseline: str) -> None:
    """Each of this tree's sessions gets its time to the map and peak RSS over the baseline's."""
    old = {r["session"]: r for r in rows if r["code"] == baseline}
    for r in rows:
        before = old.get(r["session"])
        if r["code"] == baseline or before is None:
            continue
        if r.get("upload_to_map_s") and before.get("upload_to_map_s"):
            r["map_time_ratio"] = round(r["upload_to_map_s"] / before["upload_to_map_s"], 2)
        if r.get("rss_peak_mb") and before.get("rss_peak_mb"):
            r["rss_ratio"] = round(r["rss_peak_mb"] / before["rss_peak_mb"], 2)


if __name__ == "__main__":
    sys.exit(main())
