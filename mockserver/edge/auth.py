"""Who is calling: bearer tokens to tenants and permissions.

A JWT names its tenant in the ``tenant_id`` claim; its signature is checked only when the
server has a secret, its time window (``exp``, ``nbf``, ``iat``) always. Any other token is
looked up in the store's token table.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass

import jwt

from mockserver.edge.errors import Forbidden, Unauthorized
from mockserver.state import ALL_PERMISSIONS, Store, TokenGrant

TENANT_ID = re.compile(r"^[A-Za-z0-9_.:-]{1,64}$")
SUPER_ADMIN = "super_admin"
JWT_ALGORITHMS = ["HS256", "HS384", "HS512"]
# Without a secret PyJWT checks nothing unless asked: the claims of time are checked anyway, so
# a token that expired or is not valid yet is refused whether or not the server has a secret.
UNSIGNED = {"verify_signature": False, "verify_exp": True, "verify_nbf": True,
            "verify_iat": True}


@dataclass(frozen=True)
class Principal:
    tenant_id: str
    permissions: frozenset[str]
    via: str  # "jwt" | "token"

    def require(self, permission: str | None) -> None:
        if permission is None or SUPER_ADMIN in self.permissions:
            return
        if permission not in self.permissions:
            raise Forbidden(f"Missing permission '{permission}'")


def authenticate(token: str, store: Store, jwt_secret: str | None) -> Principal:
    """The principal behind ``token``, or :class:`Unauthorized` (a shared store makes sure
    its copy of the tokens is current first: ``Store.grant``)."""
    if token.count(".") == 2:
        return _from_jwt(token, jwt_secret)
    return _granted(store.grant(token))


def authenticate_with(token: str, tokens: Mapping[str, TokenGrant],
                      jwt_secret: str | None) -> Principal:
    """The principal behind ``token`` for a world with this token table (a JWT needs none),
    or :class:`Unauthorized`."""
    if token.count(".") == 2:
        return _from_jwt(token, jwt_secret)
    return _granted(tokens.get(token))


def _granted(grant: TokenGrant | None) -> Principal:
    if grant is None:
        raise Unauthorized("Provided token is not valid")
    return Principal(grant.tenant_id, frozenset(grant.permissions), "token")


def _from_jwt(token: str, secret: str | None) -> Principal:
    try:
        if secret:
            claims = jwt.decode(token, secret, algorithms=JWT_ALGORITHMS,
                                options={"verify_aud": False})
        else:
            claims = jwt.decode(token, options=UNSIGNED)
    except jwt.PyJWTError as exc:
        raise Unauthorized(f"Invalid token: {exc}") from None
    tenant_id = claims.get("tenant_id")
    if not isinstance(tenant_id, str) or not TENANT_ID.match(tenant_id):
        raise Unauthorized("Token has no usable tenant_id claim")
    permissions = claims.get("permissions")
    if permissions is None:
        granted = frozenset(ALL_PERMISSIONS)
    elif isinstance(permissions, list) and all(isinstance(p, str) for p in permissions):
        granted = frozenset(permissions)
    else:
        raise Unauthorized("The permissions claim must be a list of strings")
    return Principal(tenant_id, granted, "jwt")


def current_principal() -> Principal:
    """Who is calling in the request being answered (Connexion's security layer put it in the
    request context); :class:`Unauthorized` when no token came."""
    from connexion import context

    info = context.context.get("token_info") or {}
    principal = info.get("principal")
    if not isinstance(principal, Principal):
        raise Unauthorized("No authorization token provided")
    return principal
