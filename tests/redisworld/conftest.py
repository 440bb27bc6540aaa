"""A real redis-server on a free loopback port, and billing-mock servers on it: each a
``billing-mock serve --state redis://... --workers N`` process of its own (a replica)."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest
import redis

from mockserver.testing.server import free_port

ROOT = Path(__file__).resolve().parents[2]
REDIS_SERVER = shutil.which("redis-server") or "/usr/bin/redis-server"


class RedisProcess:
    """``redis-server`` on a free loopback port, its files in ``directory``; with
    ``persist`` every write is in its append-only file before it answers, so a restart
    brings the world back."""

    def __init__(self, directory: Path, persist: bool = True) -> None:
        self.directory, self.persist = directory, persist
        self.port = free_port()
        self.proc: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> "RedisProcess":
        persistence = (["--appendonly", "yes", "--appendfsync", "always"] if self.persist
                       else ["--appendonly", "no"])
        self.proc = subprocess.Popen(
            [REDIS_SERVER, "--port", str(self.port), "--bind", "127.0.0.1", "--save", "",
             "--dir", str(self.directory), *persistence],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        client = redis.Redis(port=self.port)
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            try:
                client.ping()
                return self
            except redis.RedisError:
                time.sleep(0.05)
        raise RuntimeError("redis-server did not start")

    def stop(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)  # it writes what it has, then exits
            self.proc.wait(timeout=10)

    def wipe(self) -> None:
        """Forget everything on disk (the next start is an empty Redis)."""
        for path in self.directory.iterdir():
            if path.is_dir():
                shutil.rmtree(path)
            else:
                path.unlink()

    def client(self) -> redis.Redis:
        return redis.Redis(port=self.port)


class Replica:
    """``billing-mock serve --state URL --workers N`` on a port of its own."""

    def __init__(self, redis_url: str, workers: int = 2, *extra: str) -> None:
        self.port = free_port()
        self.argv = [sys.executable, "-m", "mockserver.cli", "serve", "--port", str(self.port),
                     "--state", redis_url, "--workers", str(workers), *extra]
        self.proc: subprocess.Popen | None = None
        self.log = b""

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def api_url(self) -> str:
        return self.url + "/api/v1"

    def start(self, timeout: float = 60) -> "Replica":
        env = {**os.environ, "PYTHONPATH": str(ROOT), "BILLING_MOCK_VERIFY_READS": "1"}
        self.proc = subprocess.Popen(self.argv, cwd=ROOT, env=env, stdout=subprocess.PIPE,
                                     stderr=subprocess.STDOUT, start_new_session=True)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"replica exited: {self.proc.stdout.read().decode()}")
            try:
                if httpx.get(self.url + "/_mock/health", timeout=2).status_code == 200:
                    return self
            except httpx.HTTPError:
                pass
            time.sleep(0.1)
        self.stop()
        raise RuntimeError(f"replica did not become ready: {self.log.decode()}")

    def workers(self) -> list[int]:
        """The worker processes' ids (the supervisor's children)."""
        found = []
        for entry in Path("/proc").iterdir():
            if entry.name.isdigit():
                try:
                    stat = (entry / "stat").read_text().rsplit(")", 1)[1].split()
                except OSError:
                    continue
                if int(stat[1]) == self.proc.pid and "spawn" in (entry / "cmdline").read_text():
                    found.append(int(entry.name))
        return found

    def stop(self) -> None:
        if self.proc is None or self.proc.poll() is not None:
            return
        os.killpg(self.proc.pid, signal.SIGTERM)  # its own session: the supervisor, workers
        try:
            self.proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            os.killpg(self.proc.pid, signal.SIGKILL)
            self.proc.wait()
        self.log = self.proc.stdout.read()

    def client(self, token: str | None = "demo-token") -> httpx.Client:
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        # A new connection per request: the kernel hands each to either worker.
        return httpx.Client(base_url=self.api_url, headers=headers, timeout=20,
                            limits=httpx.Limits(max_keepalive_connections=0))

    def control(self) -> httpx.Client:
        return httpx.Client(base_url=self.url + "/_mock", timeout=30,
                            limits=httpx.Limits(max_keepalive_connections=0))


@pytest.fixture(scope="module")
def redis_server(tmp_path_factory):
    if not Path(REDIS_SERVER).exists():
        pytest.skip("Debian redis-server is not installed; run bash tests/run.sh")
    server = RedisProcess(tmp_path_factory.mktemp("redis")).start()
    yield server
    server.stop()


@pytest.fixture(scope="module")
def replicas(redis_server):
    """Two replicas of two workers each on one Redis."""
    started = []
    try:
        for _ in range(2):
            started.append(Replica(redis_server.url, 2).start())
        yield started
    finally:
        for replica in started:
            replica.stop()


@pytest.fixture
def fresh(replicas):
    """Every test starts from the world's start (a reset, through one replica)."""
    with replicas[0].control() as control:
        assert control.post("/reset").status_code == 200
    return replicas
