import time

import httpx
import jwt
import pytest

from mockserver.edge.auth import authenticate
from mockserver.domain.clock import Clock
from mockserver.domain.ids import IdSource
from mockserver.edge.errors import Forbidden, Unauthorized
from mockserver.state import Store, TokenGrant


@pytest.fixture
def store():
    s = Store(Clock(), IdSource(1))
    s.tokens["demo-token"] = TokenGrant("tnt_demo")
    return s


def test_opaque_token_from_the_table_carries_both_scopes(store):
    principal = authenticate("demo-token", store, None)
    assert principal.tenant_id == "tnt_demo" and principal.via == "token"
    principal.require("billing:manage")
    principal.require("billing:read")


def test_unknown_opaque_token_is_unauthorized(store):
    with pytest.raises(Unauthorized):
        authenticate("nope", store, None)


def test_jwt_without_secret_is_read_for_its_tenant(store):
    token = jwt.encode({"tenant_id": "tnt_x"}, "a-test-secret-of-at-least-32-bytes!", algorithm="HS256")
    assert authenticate(token, store, None).tenant_id == "tnt_x"


def test_jwt_signature_is_checked_when_a_secret_is_set(store):
    good = jwt.encode({"tenant_id": "tnt_x"}, "s3cret-s3cret-s3cret-s3cret-s3cret", algorithm="HS256")
    bad = jwt.encode({"tenant_id": "tnt_x"}, "other-other-other-other-other-other", algorithm="HS256")
    assert authenticate(good, store, "s3cret-s3cret-s3cret-s3cret-s3cret").tenant_id == "tnt_x"
    with pytest.raises(Unauthorized, match="Signature"):
        authenticate(bad, store, "s3cret-s3cret-s3cret-s3cret-s3cret")


@pytest.mark.parametrize("claims", [
    {"tenant_id": "tnt_x", "exp": int(time.time()) - 60},
    {"sub": "no tenant"},
    {"tenant_id": 42},
    {"tenant_id": "has spaces"},
    {"tenant_id": "tnt_x", "permissions": "billing:read"},
])
def test_unusable_jwts_are_unauthorized(store, claims):
    with pytest.raises(Unauthorized):
        authenticate(jwt.encode(claims, "a-test-secret-of-at-least-32-bytes!", algorithm="HS256"), store, None)


def test_permissions_claim_is_enforced_and_super_admin_passes(store):
    reader = authenticate(jwt.encode({"tenant_id": "t", "permissions": ["billing:read"]}, "a-test-secret-of-at-least-32-bytes!"),
                          store, None)
    reader.require("billing:read")
    with pytest.raises(Forbidden, match="billing:manage"):
        reader.require("billing:manage")
    admin = authenticate(jwt.encode({"tenant_id": "t", "permissions": ["super_admin"]}, "a-test-secret-of-at-least-32-bytes!"),
                         store, None)
    admin.require("billing:manage")


@pytest.mark.parametrize("claim", ["exp", "nbf", "iat"])
def test_a_jwt_not_valid_now_is_refused_without_a_secret_too(live, claim):
    """Without ``--jwt-secret`` the signature goes unchecked, but the token's time window does
    not: one that expired, or is not valid yet, is a 401 like any unusable token."""
    now = int(time.time())
    when = now - 60 if claim == "exp" else now + 3600
    token = jwt.encode({"tenant_id": "tnt_timed", claim: when},
                       "a-test-secret-of-at-least-32-bytes!", algorithm="HS256")
    r = httpx.get(f"{live.api_url}/billing/overview", headers={"Authorization": f"Bearer {token}"})
    assert r.status_code == 401, r.text
    assert r.json()["error"]["code"] == "unauthorized" and r.headers["WWW-Authenticate"] == "Bearer"
