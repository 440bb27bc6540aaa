"""Redis going away, coming back, coming back empty; a replica started later; what a server
refuses to share."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor

import httpx
import pytest
import redis
from click.testing import CliRunner

from mockserver.cli import main
from mockserver.testing.server import free_port
from tests.conftest import make_jwt
from tests.redisworld.conftest import RedisProcess, Replica

PROFILE = "/billing/billing-profile"
NEW_PROFILE = {"company_name": "Kept across the restart", "address_line1": "Herengracht 1",
               "postal_code": "1015 BA", "country_code": "NL",
               "contact_email": "ap@restart.example"}


def _wait_for(check, timeout: float = 30.0):
    deadline = time.monotonic() + timeout
    while True:
        try:
            found = check()
            if found:
                return found
        except httpx.HTTPError:
            pass
        if time.monotonic() > deadline:
            raise AssertionError("not within the time")
        time.sleep(0.1)


def _unavailable(response: httpx.Response) -> None:
    assert response.status_code == 503, response.text
    assert response.headers["Retry-After"] == "1"
    error = response.json()["error"]
    assert error["code"] == "service_unavailable" and error["request_id"].startswith("req_")


def test_redis_restarted_in_the_middle_of_a_load(fresh, redis_server):
    a, b = fresh
    with a.client() as c:
        assert c.put(PROFILE, json={"company_name": "Kept across the restart"}).status_code == 200
    statuses: list[int] = []

    def load(i):
        """Until Redis went away and came back (five answers in a row since), at most 400.
        Each loop has a tenant of its own, so every read can be held to the city of the
        loop's last PUT that was answered (or of one answered 503: it may have been saved)."""
        replica = (a, b)[i % 2]
        token = make_jwt(f"tnt_restart_{i}")
        found, answered, maybe = [], None, set()
        with replica.client(token) as c:
            for round_ in range(400):
                if round_ % 4 == 0:
                    city = f"City {i}-{round_}"
                    r = c.put(PROFILE, json={**NEW_PROFILE, "city": city})
                    if r.status_code == 200:
                        answered, maybe = city, set()
                    elif r.status_code == 503:
                        maybe.add(city)
                else:
                    r = c.get(PROFILE)
                    if r.status_code == 200 and answered is not None:
                        assert r.json()["data"]["city"] in {answered} | maybe  # never stale
                found.append(r.status_code)
                if r.status_code == 503:
                    _unavailable(r)
                if 503 in found and found[-5:] == [200] * 5:
                    break
                time.sleep(0.02)
        return found

    with ThreadPoolExecutor(5) as pool:
        loops = [pool.submit(load, i) for i in range(4)]
        time.sleep(0.3)
        redis_server.stop()
        time.sleep(0.8)
        redis_server.start()
        found = [loop.result() for loop in loops]
    statuses = {s for loop in found for s in loop}
    assert statuses == {200, 503}, statuses  # never a 500, never a stale answer
    assert all(loop[-5:] == [200] * 5 for loop in found)  # recovered by itself
    for replica in fresh:  # the world is the one before
        with replica.client() as c:
            assert c.get(PROFILE).json()["data"]["company_name"] == "Kept across the restart"
        assert httpx.get(replica.url + "/_mock/health").status_code == 200


def test_while_redis_is_away_every_request_is_a_503_and_none_is_stale(fresh, redis_server):
    a, b = fresh
    with a.client() as c:
        c.get(PROFILE)  # the workers hold a copy
    redis_server.stop()
    try:
        for replica in fresh:
            with replica.client() as c:
                for path in (PROFILE, "/billing/invoices", "/billing/payment-methods"):
                    _unavailable(c.get(path))
                _unavailable(c.put(PROFILE, json={"company_name": "X", "city": "Nowhere"}))
            _unavailable(httpx.get(replica.url + "/_mock/health"))
            _unavailable(httpx.get(replica.url + "/_mock/tenants"))
    finally:
        redis_server.start()
    with b.client() as c:
        _wait_for(lambda: c.get(PROFILE).status_code == 200)
        assert c.get(PROFILE).json()["data"]["city"] != "Nowhere"


def test_a_stalled_redis_is_503s_at_once_and_the_server_goes_on_when_it_answers(tmp_path):
    """Redis stops answering without closing its connections (paused, a full network
    queue): the first request waits out the timeout, every other is a 503 at once, the
    worker serves the rest meanwhile, and it goes on by itself when Redis answers (before:
    each request waited a timeout or two in turn, health checks 10, 20, 30, 40 s)."""
    stalled = RedisProcess(tmp_path, persist=False).start()
    replica = Replica(stalled.url, 1).start()
    try:
        with replica.client() as c:
            assert c.get(PROFILE).status_code == 200
        os.kill(stalled.proc.pid, signal.SIGSTOP)
        try:
            def ask(i):
                with httpx.Client(timeout=8) as client:  # a hang fails here
                    if i % 2:
                        return client.get(replica.url + "/_mock/health")
                    return client.get(replica.api_url + PROFILE,
                                      headers={"Authorization": "Bearer demo-token"})

            with ThreadPoolExecutor(6) as pool:
                answers = list(pool.map(ask, range(6)))
            for answer in answers:
                _unavailable(answer)
            for _ in range(3):  # asked again later: still at once, without waiting
                _unavailable(ask(1))
        finally:
            os.kill(stalled.proc.pid, signal.SIGCONT)
        with replica.client() as c:
            _wait_for(lambda: c.get(PROFILE).status_code == 200)
        health = httpx.get(replica.url + "/_mock/health")
        assert health.status_code == 200
        assert health.json()["shared"] == {"redis": stalled.url, "reachable": True,
                                           "journal_dropped": 0}
    finally:
        replica.stop()
        stalled.stop()


def test_redis_back_empty_starts_the_world_again_from_its_start(fresh, redis_server):
    a, b = fresh
    with a.client() as c:
        original = c.get(PROFILE).json()["data"]["company_name"]
        c.put(PROFILE, json={"company_name": "Lost with Redis"})
    redis_server.stop()
    redis_server.wipe()
    redis_server.start()
    for replica in (b, a):
        with replica.client() as c:
            found = _wait_for(lambda: c.get(PROFILE).status_code == 200 and c.get(PROFILE))
            assert found.json()["data"]["company_name"] == original
    with a.control() as control:
        assert len(control.get("/tenants").json()["data"]) == 5


def test_a_replica_started_later_serves_the_same_world(fresh, redis_server):
    a, _ = fresh
    with a.client() as c:
        c.put(PROFILE, json={"company_name": "Seen by the newcomer"})
        request_id = c.get("/billing/overview").headers["X-Request-ID"]
    late = Replica(redis_server.url, 1, "--seed", "7").start()
    try:
        with late.client() as c:
            assert c.get(PROFILE).json()["data"]["company_name"] == "Seen by the newcomer"
        with late.control() as control, a.control() as on_a:
            assert control.get("/tenants").json()["data"] == on_a.get("/tenants").json()["data"]
            assert request_id in {e["request_id"] for e in control.get("/journal").json()["data"]}
    finally:
        late.stop()
    assert b"state in Redis" in late.log and b"the world kept there" in late.log


@pytest.mark.parametrize("workers", ["1", "2"])
def test_a_world_written_by_another_version_is_refused(redis_server, workers):
    """Refused once, before any worker starts (before: with --workers 2 the supervisor
    started worker after worker, each dying with a traceback, and never exited)."""
    other = redis_server.url.rsplit("/", 1)[0] + "/3"  # another database of the same Redis
    redis.Redis.from_url(other).hset("billing-mock:meta", mapping={
        "format": "billing-mock-redis/1", "version": "0.0.1"})
    result = subprocess.run(
        [sys.executable, "-m", "mockserver.cli", "serve", "--port", str(free_port()),
         "--state", other, "--workers", workers],
        capture_output=True, text=True, timeout=60)
    assert result.returncode == 1
    assert "holds a world of billing-mock-redis/1 0.0.1" in result.stderr
    assert "Traceback" not in result.stderr + result.stdout


def test_a_database_redis_does_not_have_is_refused_at_start(redis_server):
    result = subprocess.run(
        [sys.executable, "-m", "mockserver.cli", "serve", "--port", str(free_port()),
         "--state", redis_server.url.rsplit("/", 1)[0] + "/99", "--workers", "2"],
        capture_output=True, text=True, timeout=60)
    assert result.returncode == 1
    assert "refused this server: DB index is out of range" in result.stderr
    assert "Traceback" not in result.stderr + result.stdout


@pytest.mark.parametrize("state, message", [
    ("redis://127.0.0.1:notaport/0", "is not a Redis URL redis-py can use"),
    ("redis://127.0.0.1:6379/0?socket_timeout=abc", "is not a Redis URL redis-py can use"),
    ("redis://127.0.0.1:6379/abc", "the database is a number"),
    ("redis:/127.0.0.1:6379/0", "a Redis URL is redis://HOST:PORT/DB"),
    ("redis//127.0.0.1:6379/0", "a Redis URL is redis://HOST:PORT/DB"),
    ("http://127.0.0.1/world", "not a place to keep the world"),
])
def test_a_state_that_is_no_place_to_keep_the_world_is_a_usage_error(state, message):
    """Before: a raw traceback, database 0 taken for ``/abc``, or a typo of a URL taken for
    a state file's name."""
    result = CliRunner().invoke(main, ["serve", "--port", str(free_port()), "--state", state])
    assert result.exit_code == 2, result.output
    assert message in result.output


@pytest.mark.parametrize("argv, message", [
    (["--workers", "2"], "several workers serve one world only from Redis"),
    (["--workers", "2", "--state", "world.json"], "only from Redis"),
    (["--state", "a.json", "--state-file", "b.json"], "give the state file once"),
])
def test_workers_need_redis(argv, message):
    result = CliRunner().invoke(main, ["serve", *argv])
    assert result.exit_code == 2 and message in result.output


def test_isolated_runs_are_refused_by_a_server_of_several_workers(fresh):
    a, _ = fresh
    with a.client() as c:
        r = c.get(a.url + "/_runs/alice/api/v1/billing/invoices")
    assert r.status_code == 409
    assert "worker process that forked them" in r.json()["error"]["message"]


def test_the_password_in_a_redis_url_is_never_shown():
    """Not in the start-up lines, the logs, a 503's details or the health: only Redis and
    whoever configured the server know it."""
    from mockserver import __version__
    from mockserver.redisworld import RedisBackend
    from mockserver.state import WorldUnavailable

    url = f"redis://:s3cret-pw@127.0.0.1:{free_port()}/0"  # nobody listens there
    proc = subprocess.Popen([sys.executable, "-m", "mockserver.cli", "serve", "--port",
                             str(free_port()), "--state", url], stdout=subprocess.PIPE,
                            stderr=subprocess.STDOUT, text=True)
    try:
        lines = []
        for line in proc.stdout:
            lines.append(line)
            if "console:" in line:
                break
    finally:
        proc.terminate()
        lines.append(proc.communicate(timeout=30)[0])
    shown = "".join(lines)
    assert "state in Redis redis://:***@127.0.0.1:" in shown and "s3cret" not in shown
    backend = RedisBackend(url, version=__version__)
    try:
        with pytest.raises(WorldUnavailable) as away:
            backend.ping()
        assert "s3cret" not in away.value.message + repr(away.value.context)
        assert "s3cret" not in repr(backend.status())
    finally:
        backend.stop()
