"""What one request may weigh and take, through the live server: bodies (413), heads (431),
clients that trickle (408, closed), and how much of a bad input a 422 echoes."""

from __future__ import annotations

import json
import socket
import time

import httpx
import pytest

from mockserver.settings import Settings
from mockserver.testing import LiveServer

LIMITED = Settings(seed=42, max_body_bytes=64 * 1024, max_header_bytes=16 * 1024,
                   request_timeout=1.0)
PROFILE_PUT = (b"PUT /api/v1/billing/billing-profile HTTP/1.1\r\nHost: 127.0.0.1\r\n"
               b"Authorization: Bearer demo-token\r\nContent-Type: application/json\r\n")


@pytest.fixture(scope="module")
def limited():
    with LiveServer(LIMITED) as server:
        yield server


def connect(server: LiveServer, timeout: float = 10) -> socket.socket:
    sock = socket.create_connection(("127.0.0.1", server.settings.port), timeout=timeout)
    return sock


def read_answer(sock: socket.socket) -> tuple[int, dict[str, str], bytes]:
    """Read until the server closes the connection; the answer's status, headers, body."""
    data = b""
    while True:
        try:
            chunk = sock.recv(65536)
        except ConnectionResetError:
            break
        if not chunk:
            break
        data += chunk
    head, _, body = data.partition(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    headers = dict(line.split(": ", 1) for line in lines[1:] if ": " in line)
    return int(lines[0].split()[1]), {k.lower(): v for k, v in headers.items()}, body


def assert_envelope(status: int, headers: dict, body: bytes, code: str) -> dict:
    error = json.loads(body)["error"]
    assert error["code"] == code, body
    assert error["request_id"] == headers["x-request-id"]
    assert headers["connection"] == "close"
    return error


def test_a_body_declared_over_the_limit_is_a_413_before_any_of_it_is_read(limited):
    with connect(limited) as sock:
        # 50 MB announced, one byte sent: the answer comes without waiting for the rest.
        sock.sendall(PROFILE_PUT + b"Content-Length: 52428800\r\n\r\n{")
        status, headers, body = read_answer(sock)
    assert status == 413
    error = assert_envelope(status, headers, body, "payload_too_large")
    assert error["details"] == {"limit": 64 * 1024} and "max_body_bytes" in error["message"]


def test_a_streamed_body_is_refused_once_it_passes_the_limit(limited):
    sent = 0
    with connect(limited) as sock:
        sock.sendall(PROFILE_PUT + b"Transfer-Encoding: chunked\r\n\r\n")
        chunk = b"4000\r\n" + b" " * 0x4000 + b"\r\n"
        try:
            for _ in range(64):  # up to 1 MiB, in 16 KiB chunks, never the last chunk
                sock.sendall(chunk)
                sent += 0x4000
        except (BrokenPipeError, ConnectionResetError):
            pass  # the server answered and closed while we were still sending
        status, headers, body = read_answer(sock)
    assert status == 413
    assert_envelope(status, headers, body, "payload_too_large")
    journal = httpx.get(f"{limited.url}/_mock/journal",
                        params={"operation_id": "upsertBillingProfile", "status": 413}).json()
    assert journal["data"], "the refusal is journaled"


def test_a_body_within_the_limit_is_served_as_before(limited):
    body = json.dumps({"company_name": "Demo BV"}).encode() + b" " * 60_000  # just under
    r = httpx.put(f"{limited.api_url}/billing/billing-profile", content=body,
                  headers={"Authorization": "Bearer demo-token",
                           "Content-Type": "application/json"})
    assert r.status_code == 200 and r.json()["data"]["company_name"] == "Demo BV"


def test_a_head_over_the_limit_is_a_431_while_it_still_arrives(limited):
    with connect(limited) as sock:
        sock.sendall(b"GET /api/v1/billing/invoices HTTP/1.1\r\nHost: 127.0.0.1\r\n")
        try:
            for n in range(2048):  # up to 2 MiB of headers, 1 KiB each, never the end
                sock.sendall(b"X-Pad-%d: " % n + b"a" * 1000 + b"\r\n")
        except (BrokenPipeError, ConnectionResetError):
            pass
        status, headers, body = read_answer(sock)
    assert status == 431
    error = assert_envelope(status, headers, body, "request_header_fields_too_large")
    assert error["details"] == {"limit": 16 * 1024}


def test_a_head_over_the_limit_that_arrives_in_one_piece_is_a_431(limited):
    with connect(limited) as sock:
        sock.sendall(b"GET /api/v1/billing/invoices HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                     b"Authorization: Bearer demo-token\r\nX-Big: " + b"a" * 20_000 +
                     b"\r\n\r\n")
        status, headers, body = read_answer(sock)
    assert status == 431
    assert_envelope(status, headers, body, "request_header_fields_too_large")


def test_a_head_within_the_limit_is_served(limited):
    r = httpx.get(f"{limited.api_url}/billing/invoices",
                  headers={"Authorization": "Bearer demo-token", "X-Pad": "a" * 8000})
    assert r.status_code == 200


def test_clients_trickling_their_heads_are_answered_408_and_closed(limited):
    socks = [connect(limited) for _ in range(20)]
    try:
        for sock in socks:
            sock.sendall(b"GET /api/v1/billing/invoices HTTP/1.1\r\nHost: 127.0.0.1\r\n")
        open_ = set(range(len(socks)))
        for _ in range(40):  # a byte each 0.1 s from every client: at most 4 s
            for i in list(open_):
                try:
                    socks[i].sendall(b"X")
                except (BrokenPipeError, ConnectionResetError):
                    open_.discard(i)
            if not open_:
                break
            time.sleep(0.1)
        answers = [read_answer(sock) for sock in socks]
    finally:
        for sock in socks:
            sock.close()
    assert not open_, f"{len(open_)} trickling clients were never closed"
    for status, headers, body in answers:
        assert status == 408
        assert_envelope(status, headers, body, "request_timeout")
    assert httpx.get(f"{limited.url}/_mock/health").status_code == 200


def test_a_client_trickling_its_body_is_closed(limited):
    with connect(limited) as sock:
        sock.sendall(PROFILE_PUT + b"Content-Length: 100\r\n\r\n{")
        closed = False
        for _ in range(40):
            try:
                sock.sendall(b" ")
            except (BrokenPipeError, ConnectionResetError):
                closed = True
                break
            time.sleep(0.1)
        assert closed or read_answer(sock)[0] in (408, 400)


def test_the_request_deadline_does_not_count_the_pauses_between_requests(limited):
    with httpx.Client(base_url=limited.api_url,
                      headers={"Authorization": "Bearer demo-token"}) as client:
        for _ in range(3):  # one kept-alive connection, idle longer than request_timeout
            assert client.get("/billing/overview").status_code == 200
            time.sleep(1.3)


def test_a_422_echoes_the_beginning_of_a_huge_input_not_all_of_it(live):
    # Default limits (1 MiB): a 900 KB string is taken, and refused by the schema.
    r = httpx.put(f"{live.api_url}/billing/billing-profile",
                  headers={"Authorization": "Bearer new-token"},
                  json={"company_name": "x" * 900_000}, timeout=30)
    assert r.status_code == 422
    [error] = r.json()["detail"]
    assert error["type"] == "string_too_long" and error["loc"] == ["body", "company_name"]
    assert error["input"].startswith("xxxx") and error["input"].endswith("…")
    assert len(r.content) < 8 * 1024


def test_a_422_echoes_small_inputs_whole_as_fastapi_does(live):
    r = httpx.put(f"{live.api_url}/billing/billing-profile",
                  headers={"Authorization": "Bearer new-token"},
                  json={"company_name": "x" * 300})
    assert r.json()["detail"][0]["input"] == "x" * 300
