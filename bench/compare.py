"""billing-mock against Prism on the same document, measured in the same run.

Run through ``bash bench/run.sh`` (it installs wrk, Prism and the project first), or from the
repository root: ``.venv/bin/python bench/compare.py [--duration 5] [--skip-big]``.

What it does, in order:
1. start-up: each server is started ``--start-rounds`` times, alternating ours/Prism; the time
   from process start to the first 200 on the invoice list (polled every 10 ms) is recorded and
   the median kept. The last instance of each stays up for the load phase.
2. load: wrk (``-t1 -c1`` and ``-t2 -c32``, ``--latency``, bearer token) on the invoice list,
   an invoice detail (a real id from our list), profile GET and profile PUT (JSON body from
   bench/profile_put.json), alternating ours/Prism per measurement, ``--repeats`` rounds (who
   goes first alternates by round); the table shows the median of the rounds. Each
   measurement also records the CPU that processes outside the benchmark used meanwhile (the
   machine is shared): rows measured while others used >= 0.25 cores are marked ``*``.
3. RSS of each server process tree after the load (``VmRSS`` of /proc/PID/status, children
   included, e.g. Prism's node).
4. ``billing-mock contract`` against our server: its duration.
5. ours alone with ``--big-tenants`` x ``--big-invoices`` loaded (bench/big_world.py): RSS and
   the list's latency for one tenant.

Beside ours (one process) and Prism, the load phase measures ours with ``--workers 2 --state
redis://...`` on a redis-server of the benchmark's own (free loopback port, nothing written to
disk), in the same rounds (``--no-redis`` leaves it out, ``--workers`` sets the count).

Prints one table and writes bench/results.json. Exit 0 whether or not targets are met (it is a
measurement, not a test); exit 1 only if a measurement could not be taken.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import platform
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import time
from pathlib import Path

BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent
VENV = ROOT / ".venv" / "bin"
PRISM = BENCH / ".node" / "node_modules" / ".bin" / "prism"
DOCUMENT = ROOT / "mockserver" / "openapi" / "billing.yaml"
RESULTS_DIR = BENCH / "results"
TOKEN = "demo-token"
LIST = "/billing/invoices"
PROFILE = "/billing/billing-profile"
CLK_TCK = os.sysconf("SC_CLK_TCK")


# ---------------------------------------------------------------------------------------------
# processes

def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Server:
    """A server process we started (own session, so its whole group can be stopped)."""

    def __init__(self, name: str, argv: list[str], port: int, log_name: str,
                 env: dict | None = None) -> None:
        self.name, self.argv, self.port = name, argv, port
        self.log_path = RESULTS_DIR / log_name
        self.env = env
        self.proc: subprocess.Popen | None = None
        self.base = ""  # API root as served, e.g. "/api/v1" (ours) or "" (Prism)
        self.started_at = 0.0

    def start(self) -> "Server":
        log = self.log_path.open("ab")
        self.started_at = time.perf_counter()
        self.proc = subprocess.Popen(self.argv, cwd=ROOT, stdout=log, stderr=subprocess.STDOUT,
                                     stdin=subprocess.DEVNULL, start_new_session=True,
                                     env=self.env)
        log.close()
        return self

    def wait_first_200(self, bases: list[str], timeout: float = 60.0) -> float:
        """Seconds from process start to the first 200 on the invoice list under one of
        ``bases``; sets ``self.base`` to the one that answered."""
        deadline = self.started_at + timeout
        while time.perf_counter() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"{self.name} exited with {self.proc.returncode}; "
                                   f"see {self.log_path}")
            for base in bases:
                if get_status(self.port, base + LIST) == 200:
                    self.base = base
                    return time.perf_counter() - self.started_at
            time.sleep(0.01)
        raise RuntimeError(f"{self.name} gave no 200 on {LIST} within {timeout:.0f}s")

    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self.port}{self.base}{path}"

    def tree_pids(self) -> list[int]:
        return [self.proc.pid, *descendants(self.proc.pid)]

    def rss_mib(self) -> float:
        return sum(rss_kib(pid) for pid in self.tree_pids()) / 1024

    def stop(self) -> None:
        if self.proc is None or self.proc.poll() is not None:
            return
        try:
            os.killpg(self.proc.pid, signal.SIGTERM)  # the group of the process we started
            self.proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            os.killpg(self.proc.pid, signal.SIGKILL)
            self.proc.wait()
        except ProcessLookupError:
            pass


def get_status(port: int, path: str, token: str = TOKEN) -> int | None:
    try:
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
        conn.request("GET", path, headers={"Authorization": f"Bearer {token}"})
        response = conn.getresponse()
        response.read()
        conn.close()
        return response.status
    except OSError:
        return None
    except http.client.HTTPException:
        return None


def get_json(url: str, token: str = TOKEN) -> dict:
    rest = url.split("://", 1)[1]
    hostport, path = rest.split("/", 1)
    host, port = hostport.split(":")
    conn = http.client.HTTPConnection(host, int(port), timeout=10)
    conn.request("GET", "/" + path, headers={"Authorization": f"Bearer {token}"})
    response = conn.getresponse()
    body = response.read()
    conn.close()
    if response.status != 200:
        raise RuntimeError(f"GET {url}: {response.status} {body[:200]!r}")
    return json.loads(body)


def descendants(pid: int) -> list[int]:
    children: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        children.setdefault(int(fields[1]), []).append(int(entry.name))
    found, todo = [], [pid]
    while todo:
        for child in children.get(todo.pop(), []):
            found.append(child)
            todo.append(child)
    return found


def rss_kib(pid: int) -> int:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    except OSError:
        pass
    return 0


# ---------------------------------------------------------------------------------------------
# how busy the machine is (other engineers run tests on the same two cores)

def busy_ticks() -> int:
    fields = Path("/proc/stat").read_text().splitlines()[0].split()[1:]
    values = list(map(int, fields))
    idle = values[3] + values[4]  # idle + iowait
    return sum(values[:8]) - idle


def own_ticks() -> float:
    t = os.times()
    return (t.user + t.system + t.children_user + t.children_system) * CLK_TCK


class LoadWatch:
    """CPU used by everything that is not this benchmark (its servers, wrk and tools are all
    waited-for children, so they are in os.times()), in cores, between start and stop."""

    def __init__(self) -> None:
        self.t0, self.busy0, self.own0 = time.monotonic(), busy_ticks(), own_ticks()
        self.load_before = os.getloadavg()

    def stop(self) -> dict:
        elapsed = time.monotonic() - self.t0
        others = (busy_ticks() - self.busy0) - (own_ticks() - self.own0)
        return {"elapsed_s": round(elapsed, 1),
                "other_cpu_cores": round(max(others, 0) / CLK_TCK / elapsed, 2),
                "loadavg_before": [round(x, 2) for x in self.load_before],
                "loadavg_after": [round(x, 2) for x in os.getloadavg()]}


def proc_ticks(pids: list[int]) -> int:
    total = 0
    for pid in pids:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        total += sum(int(x) for x in fields[11:15])  # utime stime cutime cstime
    return total


class Others:
    """Cores used by processes outside this benchmark during one measurement: all busy CPU
    minus our running servers' trees minus this process and its reaped children (wrk)."""

    def __init__(self, servers) -> None:
        self.pids = [pid for server in servers for pid in server.tree_pids()]
        self.t0, self.busy0 = time.monotonic(), busy_ticks()
        self.srv0, self.own0 = proc_ticks(self.pids), own_ticks()

    def cores(self) -> float:
        elapsed = time.monotonic() - self.t0
        used = (busy_ticks() - self.busy0) - (proc_ticks(self.pids) - self.srv0) \
            - (own_ticks() - self.own0)
        return round(max(used, 0) / CLK_TCK / elapsed, 2)


NOISY = 0.25  # cores used by others during a measurement above which it is flagged


def other_cpu_now(seconds: float = 1.0) -> float:
    """Cores busy right now with work that is not ours (for the pre-flight note)."""
    b0, o0 = busy_ticks(), own_ticks()
    time.sleep(seconds)
    return max((busy_ticks() - b0) - (own_ticks() - o0), 0) / CLK_TCK / seconds


# ---------------------------------------------------------------------------------------------
# wrk

def wrk(url: str, connections: int, duration: float, method: str = "GET",
        body_file: Path | None = None, token: str = TOKEN) -> dict:
    threads = 1 if connections == 1 else 2
    env = {**os.environ, "WRK_METHOD": method, "WRK_TOKEN": token,
           "WRK_BODY_FILE": str(body_file) if body_file else ""}
    argv = ["wrk", f"-t{threads}", f"-c{connections}", f"-d{duration:g}s", "--latency",
            "--timeout", "5s", "-s", str(BENCH / "wrk.lua"), url]
    out = subprocess.run(argv, capture_output=True, text=True, env=env,
                         timeout=duration + 30)
    line = next((l for l in out.stdout.splitlines() if l.startswith("WRKJSON ")), None)
    if out.returncode != 0 or line is None:
        raise RuntimeError(f"wrk failed on {url}: {out.stderr or out.stdout}")
    data = json.loads(line[len("WRKJSON "):])
    data["rps"] = data["requests"] / (data["duration_us"] / 1e6)
    data["p50_ms"], data["p99_ms"] = data["p50_us"] / 1000, data["p99_us"] / 1000
    data["errors"] = sum(data[k] for k in ("non2xx", "connect_errors", "read_errors",
                                           "write_errors", "timeouts"))
    return data


# ---------------------------------------------------------------------------------------------
# the run

def aggregate(raw: list[dict]) -> list[dict]:
    """One entry per (route, connections, server): the median of the rounds (req/s, p50, p99),
    errors summed, the busiest round's ``other_cpu_cores``, and each round's req/s."""
    groups: dict[tuple, list[dict]] = {}
    for m in raw:
        groups.setdefault((m["route"], m["connections"], m["server"]), []).append(m)
    out = []
    for (route, connections, server), ms in groups.items():
        out.append({
            "route": route, "connections": connections, "server": server, "url": ms[0]["url"],
            "rounds": len(ms), "rps": statistics.median(m["rps"] for m in ms),
            "p50_ms": statistics.median(m["p50_ms"] for m in ms),
            "p99_ms": statistics.median(m["p99_ms"] for m in ms),
            "max_ms": max(m["max_us"] for m in ms) / 1000,
            "errors": sum(m["errors"] for m in ms),
            "bytes_per_response": ms[0]["bytes"] / max(ms[0]["requests"], 1),
            "other_cpu_cores": max(m["other_cpu_cores"] for m in ms),
            "rps_rounds": [round(m["rps"]) for m in ms],
        })
    return out


def ours_server(port: int) -> Server:
    return Server("ours", [str(VENV / "billing-mock"), "serve", "--port", str(port)], port,
                  "ours.log")


def shared_server(port: int, redis_url: str, workers: int = 2) -> Server:
    """Ours with ``--workers N`` on one world in Redis."""
    return Server("ours-2w", [str(VENV / "billing-mock"), "serve", "--port", str(port),
                              "--state", redis_url, "--workers", str(workers)], port,
                  "ours-2w.log")


class RedisServer:
    """A redis-server of the benchmark's own on a free loopback port, nothing on disk."""

    def __init__(self) -> None:
        self.port = free_port()
        self.proc: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> "RedisServer":
        binary = shutil.which("redis-server") or "/usr/bin/redis-server"
        log = (RESULTS_DIR / "redis.log").open("ab")
        self.proc = subprocess.Popen([binary, "--port", str(self.port), "--bind", "127.0.0.1",
                                      "--save", "", "--appendonly", "no"], stdout=log,
                                     stderr=subprocess.STDOUT, start_new_session=True)
        log.close()
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=1) as sock:
                    sock.sendall(b"PING\r\n")
                    if sock.recv(16).startswith(b"+PONG"):
                        return self
            except OSError:
                time.sleep(0.05)
        raise RuntimeError("redis-server did not start")

    def rss_mib(self) -> float:
        return rss_kib(self.proc.pid) / 1024

    def stop(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.terminate()
            self.proc.wait(timeout=10)


def prism_server(port: int) -> Server:
    # Static examples (no -d); Prism validates requests against the document by default.
    return Server("prism", [str(PRISM), "mock", str(DOCUMENT), "--host", "127.0.0.1",
                            "--port", str(port)], port, "prism.log")


def measure_startup(rounds: int, say) -> tuple[Server, Server, dict]:
    times = {"ours": [], "prism": []}
    ours = prism = None
    for index in range(rounds):
        last = index == rounds - 1
        for name in ("ours", "prism"):
            server = ours_server(free_port()) if name == "ours" else prism_server(free_port())
            server.start()
            # Prism mocks paths at its root unless the document's servers url is absolute;
            # ours serves under /api/v1. Poll both and keep what answers.
            elapsed = server.wait_first_200(["/api/v1", ""])
            times[name].append(elapsed)
            say(f"  start-up {name} round {index + 1}: {elapsed:.2f}s (base {server.base!r})")
            if last:
                if name == "ours":
                    ours = server
                else:
                    prism = server
            else:
                server.stop()
    return ours, prism, times


def run(args, say) -> dict:
    RESULTS_DIR.mkdir(exist_ok=True)
    for log in ("ours.log", "prism.log", "big_world.log", "ours-2w.log", "redis.log"):
        (RESULTS_DIR / log).unlink(missing_ok=True)
    results: dict = {"started": time.strftime("%Y-%m-%dT%H:%M:%S%z"), "args": vars(args)}
    results["environment"] = environment()
    pre = other_cpu_now()
    results["environment"]["other_cpu_cores_before"] = round(pre, 2)
    say(f"other work on the machine before the run: {pre:.2f} cores busy "
        f"(of {os.cpu_count()}); loadavg {os.getloadavg()[0]:.2f}")
    watch = LoadWatch()

    say("start-up (process start -> first 200 on the invoice list)")
    ours, prism, shared, redis_server = None, None, None, None
    try:
        ours, prism, startup = measure_startup(args.start_rounds, say)
        results["startup_s"] = {k: [round(v, 3) for v in vals] for k, vals in startup.items()}
        results["prism_base"], results["ours_base"] = prism.base, ours.base
        servers = [ours, prism]
        if not args.no_redis:
            redis_server = RedisServer().start()
            shared = shared_server(free_port(), redis_server.url, args.workers).start()
            results["shared_startup_s"] = round(shared.wait_first_200(["/api/v1"]), 3)
            say(f"  ours with --workers {args.workers} --state {redis_server.url}: first 200 "
                f"after {results['shared_startup_s']:.2f}s")
            servers.append(shared)

        invoice_id = get_json(ours.url(LIST))["data"][0]["id"]
        results["invoice_id"] = invoice_id
        routes = [
            ("invoice list", "GET", LIST, None),
            ("invoice detail", "GET", f"/billing/invoices/{invoice_id}", None),
            ("profile GET", "GET", PROFILE, None),
            ("profile PUT", "PUT", PROFILE, BENCH / "profile_put.json"),
        ]
        say("warm-up")
        for server in servers:
            for _, method, path, body in routes:
                wrk(server.url(path), 4, 1, method, body)

        say(f"load: wrk {args.duration:g}s per measurement, {args.repeats} rounds, alternating "
            "ours/Prism (who goes first alternates by round)")
        raw: list[dict] = []
        plan = [(c, r) for c in (1, 32) for r in routes]
        if not args.no_page1:
            plan.append((32, ("invoice list ?page_size=1", "GET", LIST + "?page_size=1", None)))
        for round_index in range(args.repeats):
            order = servers if round_index % 2 == 0 else servers[::-1]
            for connections, (label, method, path, body) in plan:
                for server in order:
                    others = Others(servers)
                    m = wrk(server.url(path), connections, args.duration, method, body)
                    m.update(server=server.name, route=label, connections=connections,
                             url=server.url(path), other_cpu_cores=others.cores(),
                             round=round_index + 1)
                    raw.append(m)
                    flag = f"  ERRORS {m['errors']}" if m["errors"] else ""
                    if m["other_cpu_cores"] >= NOISY:
                        flag += f"  (busy: others used {m['other_cpu_cores']} cores)"
                    say(f"  r{round_index + 1} {label:<27} c={connections:<2} {server.name:<7} "
                        f"{m['rps']:8.0f} req/s  p50 {m['p50_ms']:6.2f} ms  p99 "
                        f"{m['p99_ms']:7.2f} ms  {m['bytes'] / max(m['requests'], 1):7.0f} "
                        f"B/resp{flag}")
        results["load_raw"] = raw
        results["load"] = aggregate(raw)
        results["rss_after_load_mib"] = {"ours": round(ours.rss_mib(), 1),
                                         "prism": round(prism.rss_mib(), 1),
                                         "prism_pids": prism.tree_pids()}
        if shared is not None:
            results["rss_after_load_mib"]["ours-2w"] = round(shared.rss_mib(), 1)
            results["rss_after_load_mib"]["redis"] = round(redis_server.rss_mib(), 1)
            shared.stop()
            redis_server.stop()
        say(f"RSS after load: ours {results['rss_after_load_mib']['ours']} MiB, "
            f"Prism {results['rss_after_load_mib']['prism']} MiB")
        prism.stop()

        say("billing-mock contract against ours")
        t0 = time.perf_counter()
        contract = subprocess.run(
            [str(VENV / "billing-mock"), "contract", "--base-url", ours.url(""), "--token",
             TOKEN, "--token-b", "eu-token"], cwd=ROOT, capture_output=True, text=True,
            timeout=600)
        elapsed = time.perf_counter() - t0
        (RESULTS_DIR / "contract.log").write_text(contract.stdout + contract.stderr)
        results["contract"] = {"seconds": round(elapsed, 2), "exit_code": contract.returncode,
                               "summary": (contract.stdout.strip().splitlines() or [""])[-1]}
        say(f"  {elapsed:.1f}s, exit {contract.returncode}: {results['contract']['summary']}")
    finally:
        for server in (ours, prism, shared, redis_server):
            if server is not None:
                server.stop()

    if not args.skip_big:
        results["big_world"] = big_world(args, say)
    results["conditions"] = watch.stop()
    return results


def big_world(args, say) -> dict:
    say(f"ours alone with {args.big_tenants} tenants x {args.big_invoices} invoices")
    port = free_port()
    server = Server("ours-big", [str(VENV / "python"), str(BENCH / "big_world.py"),
                                 "--tenants", str(args.big_tenants), "--invoices",
                                 str(args.big_invoices), "--port", str(port)],
                    port, "big_world.log")
    token = f"bench-token-{args.big_tenants // 2}"
    try:
        server.start()
        server.base = "/api/v1"
        deadline = time.perf_counter() + 300
        while get_status(port, server.base + LIST, token) != 200:
            if server.proc.poll() is not None or time.perf_counter() > deadline:
                raise RuntimeError(f"big world server did not come up; see {server.log_path}")
            time.sleep(0.1)
        ready_s = time.perf_counter() - server.started_at
        report = {}
        for line in server.log_path.read_text().splitlines():
            if line.startswith("BIGWORLD "):
                report = json.loads(line[len("BIGWORLD "):])
        rss_idle = server.rss_mib()
        wrk(server.url(LIST), 4, 1, token=token)  # warm-up
        others = Others([server])
        one = wrk(server.url(LIST), 1, args.duration, token=token)
        one["other_cpu_cores"] = others.cores()
        others = Others([server])
        many = wrk(server.url(LIST), 32, args.duration, token=token)
        many["other_cpu_cores"] = others.cores()
        result = {"tenants": args.big_tenants, "invoices_per_tenant": args.big_invoices,
                  "ready_s": round(ready_s, 2), "build": report,
                  "rss_idle_mib": round(rss_idle, 1), "rss_after_load_mib":
                  round(server.rss_mib(), 1), "list_c1": one, "list_c32": many}
        say(f"  ready after {ready_s:.1f}s; RSS {result['rss_after_load_mib']} MiB; list c=1 "
            f"p50 {one['p50_ms']:.2f} ms p99 {one['p99_ms']:.2f} ms; c=32 {many['rps']:.0f} "
            f"req/s")
        return result
    finally:
        server.stop()


def environment() -> dict:
    def version(argv):
        try:
            out = subprocess.run(argv, capture_output=True, text=True, timeout=30)
            return (out.stdout or out.stderr).strip().splitlines()[0]
        except (OSError, IndexError, subprocess.TimeoutExpired):
            return None

    return {"python": platform.python_version(), "cpus": os.cpu_count(),
            "prism": version([str(PRISM), "--version"]), "node": version(["node", "--version"]),
            "wrk": version(["wrk", "-v"])}


# ---------------------------------------------------------------------------------------------
# the table

def table(results: dict) -> list[dict]:
    rows = []

    def row(metric, ours, prism, target, met, fmt="{:.0f}", ratio=None, noisy=False):
        rows.append({"noisy": noisy,
            "metric": metric, "ours": ours, "prism": prism,
            "ratio": ratio if ratio is not None else (
                ours / prism if isinstance(ours, (int, float)) and prism else None),
            "target": target, "met": met, "fmt": fmt})

    load = {(m["route"], m["connections"], m["server"]): m for m in results.get("load", [])}

    def busy(*measurements):
        return any(m and m.get("other_cpu_cores", 0) >= NOISY for m in measurements)

    routes = list(dict.fromkeys(m["route"] for m in results.get("load", [])))
    for route in routes:
        o, p = load.get((route, 32, "ours")), load.get((route, 32, "prism"))
        if o and p:
            info = route.endswith("page_size=1")
            ok = (o["rps"] >= 1.5 * p["rps"]) and not o["errors"]
            row(f"{route}: req/s @32", o["rps"], p["rps"],
                "(info: same-size answers)" if info else ">= 1.5x Prism",
                None if info else ok, noisy=busy(o, p))
    for route in routes:
        w, o, p = (load.get((route, 32, name)) for name in ("ours-2w", "ours", "prism"))
        if w and p and not route.endswith("page_size=1"):
            ok = (w["rps"] >= 1.5 * p["rps"]) and not w["errors"]
            row(f"{route}: req/s @32, 2 workers on Redis", w["rps"], p["rps"], ">= 1.5x Prism",
                ok, noisy=busy(w, p))
        if w and o and not route.endswith("page_size=1"):
            rows.append({"noisy": busy(w, o), "metric": f"  {route}: 1 -> 2 workers (vs ours)",
                         "ours": w["rps"], "prism": o["rps"], "ratio": w["rps"] / o["rps"],
                         "target": "(scaling: 2 workers / 1 process)", "met": None,
                         "fmt": "{:.0f}"})
    for route in routes:
        o, p = load.get((route, 1, "ours")), load.get((route, 1, "prism"))
        if o and p:
            row(f"{route}: p99 ms @1", o["p99_ms"], p["p99_ms"], "<= 5 ms",
                o["p99_ms"] <= 5 and not o["errors"], "{:.2f}", noisy=busy(o, p))
    for route in routes:
        o, p = load.get((route, 1, "ours")), load.get((route, 1, "prism"))
        if o and p:
            row(f"{route}: p50 ms @1", o["p50_ms"], p["p50_ms"], "", None, "{:.2f}",
                noisy=busy(o, p))
            row(f"{route}: req/s @1", o["rps"], p["rps"], "", None, noisy=busy(o, p))
    for route in routes:
        o, p = load.get((route, 32, "ours")), load.get((route, 32, "prism"))
        if o and p:
            row(f"{route}: p99 ms @32", o["p99_ms"], p["p99_ms"], "", None, "{:.1f}",
                noisy=busy(o, p))
    if "startup_s" in results:
        o = statistics.median(results["startup_s"]["ours"])
        p = statistics.median(results["startup_s"]["prism"])
        row("start to first 200, s (median)", o, p, "<= 0.8x Prism", o <= 0.8 * p, "{:.2f}")
    for route in routes:
        w = load.get((route, 1, "ours-2w"))
        if w:
            row(f"{route}: p99 ms @1, 2 workers on Redis", w["p99_ms"], None, "", None,
                "{:.2f}", noisy=busy(w))
    if "rss_after_load_mib" in results:
        r = results["rss_after_load_mib"]
        row("RSS after load, MiB (default world)", r["ours"], r["prism"], "", None, "{:.0f}")
        if "ours-2w" in r:
            rows.append({"noisy": False, "metric": "  ours, 2 workers on Redis: their RSS, and "
                         "redis-server's (Prism column)", "ours": r["ours-2w"],
                         "prism": r["redis"], "ratio": None, "target": "", "met": None,
                         "fmt": "{:.0f}"})
    if "contract" in results:
        c = results["contract"]
        row(f"billing-mock contract duration, s (exit {c['exit_code']})", c["seconds"], None,
            "", None, "{:.1f}")
    big = results.get("big_world")
    if big:
        label = f"{big['tenants']}x{big['invoices_per_tenant']}"
        row(f"RSS with {label} loaded, MiB", big["rss_after_load_mib"], None, "<= 300 MiB",
            big["rss_after_load_mib"] <= 300, "{:.0f}")
        if "rss_before_mark_kib" in big["build"]:
            b = big["build"]
            row(f"  of which start snapshot (mark_start), MiB",
                (b["rss_after_build_kib"] - b["rss_before_mark_kib"]) / 1024, None, "", None,
                "{:.0f}")
        row(f"{label}: list p50 ms @1", big["list_c1"]["p50_ms"], None, "", None, "{:.2f}",
            noisy=busy(big["list_c1"]))
        row(f"{label}: list p99 ms @1", big["list_c1"]["p99_ms"], None, "<= 5 ms",
            big["list_c1"]["p99_ms"] <= 5, "{:.2f}", noisy=busy(big["list_c1"]))
        row(f"{label}: list req/s @32", big["list_c32"]["rps"], None, "", None,
            noisy=busy(big["list_c32"]))
        row(f"{label}: process start to first 200, s", big["ready_s"], None, "", None,
            "{:.1f}")
    return rows


def render(rows: list[dict], results: dict) -> str:
    def cell(value, fmt):
        return "-" if value is None else fmt.format(value)

    header = ("metric", "ours", "Prism", "ratio", "target", "met")
    lines = [[r["metric"] + (" *" if r.get("noisy") else ""), cell(r["ours"], r["fmt"]),
              cell(r["prism"], r["fmt"]),
              "-" if r["ratio"] is None else f"{r['ratio']:.2f}x", r["target"] or "-",
              {True: "met", False: "NOT MET", None: "-"}[r["met"]]] for r in rows]
    widths = [max(len(str(x)) for x in col) for col in zip(header, *lines)]
    out = []
    fmt_line = lambda cells: "  ".join(  # noqa: E731
        str(c).ljust(w) if i in (0, 4, 5) else str(c).rjust(w)
        for i, (c, w) in enumerate(zip(cells, widths)))
    out.append(fmt_line(header))
    out.append("  ".join("-" * w for w in widths))
    out.extend(fmt_line(cells) for cells in lines)
    cond = results.get("conditions", {})
    env = results.get("environment", {})
    busy = max(cond.get("other_cpu_cores", 0), env.get("other_cpu_cores_before", 0))
    out.append("")
    if any(r.get("noisy") for r in rows):
        out.append(f"* measured while other processes used >= {NOISY} cores (noisy)")
    out.append(
        f"conditions: {env.get('cpus')} cores; other processes used {cond.get('other_cpu_cores')}"
        f" cores on average during the run ({env.get('other_cpu_cores_before')} just before); "
        f"loadavg {cond.get('loadavg_before')} -> {cond.get('loadavg_after')}; run took "
        f"{cond.get('elapsed_s')}s. " + ("MACHINE BUSY: figures are noisy, re-run when quiet."
                                        if busy >= 0.25 else "machine quiet."))
    out.append(f"Prism {env.get('prism')} (node {env.get('node')}) at base "
               f"{results.get('prism_base')!r}; ours at {results.get('ours_base')!r}; "
               f"{env.get('wrk')}")
    return "\n".join(out)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--duration", type=float, default=4, help="seconds per wrk run")
    parser.add_argument("--repeats", type=int, default=2,
                        help="rounds of the whole load plan; the table shows medians")
    parser.add_argument("--start-rounds", type=int, default=3)
    parser.add_argument("--big-tenants", type=int, default=1000)
    parser.add_argument("--big-invoices", type=int, default=50)
    parser.add_argument("--skip-big", action="store_true")
    parser.add_argument("--no-redis", action="store_true",
                        help="skip ours with --workers N --state redis://... (a redis-server "
                             "of its own)")
    parser.add_argument("--workers", type=int, default=2,
                        help="workers of ours on Redis  [default: 2]")
    parser.add_argument("--no-page1", action="store_true",
                        help="skip the informational ?page_size=1 list comparison")
    parser.add_argument("--out", default=str(BENCH / "results.json"))
    args = parser.parse_args()
    for need, hint in ((PRISM, "bash bench/run.sh installs it"),
                       (VENV / "billing-mock", "pip install -e '.[contract]'")):
        if not Path(need).exists():
            print(f"missing {need}: {hint}", file=sys.stderr)
            return 1

    def say(text):
        print(text, flush=True)

    try:
        results = run(args, say)
    except (RuntimeError, subprocess.TimeoutExpired) as exc:
        print(f"benchmark failed: {exc}", file=sys.stderr)
        return 1
    rows = table(results)
    results["table"] = [{k: v for k, v in r.items() if k != "fmt"} for r in rows]
    text = render(rows, results)
    results["table_text"] = text
    Path(args.out).write_text(json.dumps(results, indent=2, default=str))
    print()
    print(text)
    print(f"\nresults: {args.out}; server logs: {RESULTS_DIR}/")
    return 0


if __name__ == "__main__":
    sys.exit(main())
