"""What isolated runs cost: the resident memory of N idle runs and how long forking one takes.

    .venv/bin/python bench/runs.py [--runs 100] [--scenario NAME]

Starts ``billing-mock serve`` on a free port, reads its resident memory (VmRSS), creates the
runs through ``POST /_mock/runs`` (each a fork of the loaded world's start) and reads it again,
then asks each run for its clock once. The fork time is the server-side time of a ``POST
/_mock/runs`` (from the request's start to its answer on the loopback, so an upper bound) and,
separately, ``World.fork()`` measured in this process without HTTP.
"""

from __future__ import annotations

import argparse
import os
import socket
import statistics
import subprocess
import sys
import time
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parents[1]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def rss_mib(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    raise RuntimeError("no VmRSS")


def in_process_fork_ms(scenario: str | None, rounds: int = 50) -> float:
    sys.path.insert(0, str(ROOT))
    from mockserver.scenarios.watcher import store_for
    from mockserver.services.world import World
    from mockserver.settings import Settings

    world = World(store_for(Settings(scenario=scenario)))
    times = []
    for _ in range(rounds):
        started = time.perf_counter()
        world.fork()
        times.append((time.perf_counter() - started) * 1000)
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=100)
    parser.add_argument("--scenario", default=None)
    args = parser.parse_args()
    port = free_port()
    command = [sys.executable, "-m", "mockserver.cli", "serve", "--port", str(port),
               *(["--scenario", args.scenario] if args.scenario else [])]
    env = {**os.environ, "PYTHONPATH": str(ROOT), "BILLING_MOCK_MAX_RUNS": str(args.runs)}
    server = subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL,
                              stderr=subprocess.DEVNULL)
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(200):
            try:
                if httpx.get(f"{base}/_mock/health", timeout=1).status_code == 200:
                    break
            except httpx.TransportError:
                time.sleep(0.05)
        with httpx.Client(base_url=base, timeout=30) as client:
            client.get("/_mock/clock")  # the control API's first call warms it up
            before = rss_mib(server.pid)
            posts = []
            for number in range(args.runs):
                started = time.perf_counter()
                assert client.post("/_mock/runs", json={"id": f"r{number}"}).status_code == 201
                posts.append((time.perf_counter() - started) * 1000)
            for number in range(args.runs):
                assert client.get(f"/_runs/r{number}/_mock/clock").status_code == 200
            after = rss_mib(server.pid)
        print(f"world: {args.scenario or 'default'}; {args.runs} idle runs")
        print(f"resident memory: {before:.1f} MiB before, {after:.1f} MiB after "
              f"(+{after - before:.1f} MiB, {(after - before) / args.runs * 1024:.0f} KiB a run)")
        print(f"POST /_mock/runs: median {statistics.median(posts):.1f} ms, "
              f"max {max(posts):.1f} ms")
        print(f"World.fork() in process: median {in_process_fork_ms(args.scenario):.1f} ms")
    finally:
        server.terminate()
        server.wait(timeout=10)


if __name__ == "__main__":
    main()
