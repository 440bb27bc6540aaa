"""What never goes into a recorded scenario: bearer tokens, cookies, card numbers, IBANs, JWTs,
API keys and secrets. Each secret the recording holds is remembered, and the finished file is
checked for every one of them before it is written."""

from __future__ import annotations

import re
from collections import Counter

from mockserver.providers.stripe_testdata import iban_valid, luhn_valid

REDACTED = "<redacted>"
CARD = re.compile(r"(?<![\w-])\d(?:[ -]?\d){12,18}(?![\w-])")
IBAN = re.compile(r"(?<![A-Za-z0-9])[A-Z]{2}\d{2}(?: ?[A-Z0-9]){11,30}(?![A-Za-z0-9])")
JWT = re.compile(r"eyJ[A-Za-z0-9_-]{5,}\.[A-Za-z0-9_-]{5,}\.[A-Za-z0-9_-]*")
API_KEY = re.compile(r"(?:sk|rk)_(?:test|live)_[A-Za-z0-9]{8,}|whsec_[A-Za-z0-9]{8,}"
                     r"|[A-Za-z]+_[A-Za-z0-9]+_secret_[A-Za-z0-9]+|(?:live|test)_[A-Za-z0-9]{20,}")
SECRET_NAMES = re.compile(r"token|secret|password|passwd|authorization|cookie|api[_-]?key|"
                          r"session[_-]?key|signature", re.IGNORECASE)


def card_numbers(text: str) -> list[str]:
    return [m.group() for m in CARD.finditer(text)
            if luhn_valid(re.sub(r"\D", "", m.group()))]


def ibans(text: str) -> list[str]:
    return [m.group() for m in IBAN.finditer(text) if iban_valid(m.group().replace(" ", ""))]


def secret_name(name: str) -> bool:
    """Whether a field, header or query parameter of this name carries a secret."""
    return bool(SECRET_NAMES.search(name))


class Redactor:
    """Remembers the secrets of a recording and takes them out of what is kept."""

    def __init__(self) -> None:
        self.secrets: set[str] = set()
        self.counts: Counter[str] = Counter()

    def note_request(self, headers: dict[str, str]) -> str | None:
        """The bearer token of a request (remembered as a secret), and its cookies."""
        for cookie in filter(None, (c.strip() for c in headers.get("cookie", "").split(";"))):
            value = cookie.split("=", 1)[-1]
            self.remember(value, "cookies")
        authorization = headers.get("authorization", "")
        if not authorization:
            return None
        token = authorization.split(" ", 1)[1] if " " in authorization else authorization
        self.remember(token.strip(), "tokens")
        return token.strip()

    def note_response(self, headers: dict[str, str]) -> None:
        for cookie in filter(None, headers.get("set-cookie", "").split(",")):
            value = cookie.split(";", 1)[0].split("=", 1)[-1].strip()
            self.remember(value, "cookies")

    def scrub(self, value: str, name: str = "", *, remember: bool = True) -> str:
        """``value`` with every secret in it replaced (the whole value when ``name`` says it
        is a secret); what was replaced is remembered and counted."""
        if not value:
            return value
        if secret_name(name):
            if remember:
                self.remember(value, "tokens")
            return REDACTED
        for known in sorted(self.secrets, key=len, reverse=True):
            if known in value:
                value = value.replace(known, REDACTED)
        for kind, found in (("tokens", JWT.findall(value)), ("tokens", API_KEY.findall(value)),
                            ("card numbers", card_numbers(value)), ("IBANs", ibans(value))):
            for secret in found:
                if remember:
                    self.remember(secret, kind)
                value = value.replace(secret, REDACTED)
        return value

    def is_secret(self, value: str) -> bool:
        """Whether ``value`` holds a secret (an answer's value, left out, not counted)."""
        return self.scrub(value, remember=False) != value

    def leaks(self, text: str) -> list[str]:
        """The remembered secrets ``text`` still holds (each shown by its first characters)."""
        return sorted(f"{s[:4]}... ({len(s)} characters)" for s in self.secrets if s in text)

    def remember(self, value: str, kind: str) -> None:
        if len(value) < 6:  # too short to be anyone's secret, and it would match everywhere
            return
        if value not in self.secrets:
            self.counts[kind] += 1
        self.secrets.add(value)
        compact = re.sub(r"[ -]", "", value)
        if compact != value and len(compact) >= 6:
            self.secrets.add(compact)
