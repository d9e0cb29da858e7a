"""What the results were measured on: machine, operating system, device, package versions, repository state."""

from __future__ import annotations

import importlib.metadata
import os
import platform
import subprocess
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]


def _cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


def _memory_gib() -> float | None:
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal"):
                return round(int(line.split()[1]) / 2**20, 1)
    except OSError:
        pass
    return None


def _gpus() -> list[str]:
    try:
        out = subprocess.run(["nvidia-smi", "--query-gpu=name,memory.total,driver_version", "--format=csv,noheader"],
                             capture_output=True, text=True, timeout=30, check=True).stdout
    except (OSError, subprocess.SubprocessError):
        return []
    return [line.strip() for line in out.splitlines() if line.strip()]


def _git() -> str:
    try:
        head = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=REPO, capture_output=True, text=True,
                              check=True).stdout.strip()
        dirty = subprocess.run(["git", "status", "--porcelain", "--", "jaxreg"], cwd=REPO, capture_output=True,
                               text=True, check=True).stdout.strip()
    except (OSError, subprocess.SubprocessError):  # a copy of the tree without .git (e.g. on an accelerator host)
        return os.environ.get("JAXREG_BENCH_REV", "unknown")
    return head + (" (jaxreg/ modified)" if dirty else "")


def _version(dist: str) -> str | None:
    try:
        return importlib.metadata.version(dist)
    except importlib.metadata.PackageNotFoundError:
        return None


def _blas() -> str:
    try:
        from threadpoolctl import threadpool_info

        return ", ".join(f"{i['internal_api']} {i.get('version')} ({i['num_threads']} threads)"
                         for i in threadpool_info() if i.get("user_api") == "blas")
    except Exception:  # noqa: BLE001 - purely informative
        return "unknown"


def _jax_device() -> str:
    try:
        import jax

        d = jax.devices()[0]
        return f"{d.platform}: {getattr(d, 'device_kind', str(d))} (x64 {'on' if jax.config.jax_enable_x64 else 'off'})"
    except Exception as exc:  # noqa: BLE001
        return f"jax unavailable ({exc})"


def machine_info(solver_versions: dict[str, str]) -> dict:
    """A JSON-serializable description of this machine and software."""
    return {
        "date": time.strftime("%Y-%m-%d %H:%M:%S %Z"),
        "host_cpu": _cpu_model(),
        "cpu_count": os.cpu_count(),
        "memory_gib": _memory_gib(),
        "os": platform.platform(),
        "python": platform.python_version(),
        "jax_device": _jax_device(),
        "gpus": _gpus(),
        "blas": _blas(),
        "git": _git(),
        "packages": {d: _version(d) for d in ("numpy", "scipy", "scikit-learn", "jax", "jaxlib", "celer", "skglm",
                                              "numba", "jaxreg")},
        "solvers": solver_versions,
    }
