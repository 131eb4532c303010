"""Shared bits of the benchmark scripts: machine description, percentiles, result files."""

from __future__ import annotations

import contextlib
import json
import os
import platform
import resource
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "benchmarks" / "results"
SHARED_CACHE = ROOT / ".shenbao-cache" / "embeddings.sqlite"

if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

os.environ.setdefault("RAGAS_DO_NOT_TRACK", "true")
os.environ.setdefault("ANONYMIZED_TELEMETRY", "False")
os.environ.setdefault("HF_HUB_OFFLINE", "1")


def machine() -> dict[str, Any]:
    """What the numbers were measured on (CPU, cores, memory, load at start)."""
    cpu = platform.processor() or ""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    mem_gb = None
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal"):
                mem_gb = round(int(line.split()[1]) / 1024 / 1024, 1)
    except OSError:
        pass
    return {"cpu": cpu, "cores": os.cpu_count(), "mem_gb": mem_gb, "python": platform.python_version(),
            "os": platform.platform(), "load_avg_at_start": [round(x, 2) for x in os.getloadavg()],
            "date": time.strftime("%Y-%m-%d %H:%M:%S %Z")}


def pct(values: list[float], p: float) -> float | None:
    """Percentile by linear interpolation (numpy's default)."""
    if not values:
        return None
    import numpy as np

    return float(np.percentile(values, p))


def peak_rss_mb() -> float:
    """Peak resident memory of this process so far (MB)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def dir_size_mb(path: Path) -> float:
    """Bytes on disk under a directory (MB)."""
    total = 0
    for p in path.rglob("*"):
        if p.is_file():
            total += p.stat().st_size
    return total / 1024 / 1024


def timed_cmd(cmd: list[str], env: dict[str, str], repeat: int) -> list[float]:
    """Wall seconds of each of ``repeat`` runs of a command (a fresh process each time)."""
    out = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        proc = subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=600)
        out.append(time.perf_counter() - t0)
        if proc.returncode != 0:
            raise RuntimeError(f"{' '.join(cmd)} failed ({proc.returncode}): {proc.stderr[-500:]}")
    return out


def write_results(name: str, data: dict[str, Any], markdown: str) -> tuple[Path, Path]:
    """benchmarks/results/<name>.json and .md."""
    RESULTS.mkdir(parents=True, exist_ok=True)
    js = RESULTS / f"{name}.json"
    md = RESULTS / f"{name}.md"
    js.write_text(json.dumps(data, ensure_ascii=False, indent=2), encoding="utf-8")
    md.write_text(markdown, encoding="utf-8")
    return js, md


def machine_md(m: dict[str, Any]) -> str:
    """One markdown line describing the machine."""
    return (f"Machine: {m['cpu']}, {m['cores']} cores, {m['mem_gb']} GB RAM, Python {m['python']}, "
            f"load average at start {m['load_avg_at_start']} (shared with other jobs), {m['date']}.")


def free_port() -> int:
    """A free TCP port on the loopback interface."""
    import socket

    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@contextlib.contextmanager
def local_server(args: list[str], port: int, ready: Callable[[str], bool], env_extra: dict[str, str],
                 log_path: Path, startup_timeout: float, what: str) -> Iterator[str]:
    """A server of this checkout (``python ARGS``) on a loopback port, with a clean environment (no model
    key, no data dir of the caller); yields its base URL once ``ready(url)`` says so, and stops it after.

    Raises:
        RuntimeError: it exited or was not ready in time (with the end of its log).
    """
    env = {k: v for k, v in os.environ.items() if not k.startswith(("OPENAI_", "SHENBAO_", "CHROMA_"))}
    env.update({"HF_HUB_OFFLINE": "1", "ANONYMIZED_TELEMETRY": "False", "PYTHONPATH": str(ROOT)}, **env_extra)
    log = log_path.open("w")
    proc = subprocess.Popen([sys.executable, *args], cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT,
                            start_new_session=True)
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.time() + startup_timeout
        while True:
            try:
                if ready(url):
                    break
            except OSError:
                pass
            if proc.poll() is not None or time.time() > deadline:
                raise RuntimeError(f"{what} did not start:\n" + log_path.read_text()[-3000:])
            time.sleep(0.3)
        yield url
    finally:
        os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
        log.close()
