"""Request authentication: HMAC signatures (plain, timestamped, Standard Webhooks), HS256
JWTs, shared secrets, IP allow-lists, bearer tokens. Every comparison is constant-time.
"""

from __future__ import annotations

import base64
import binascii
import hmac
import ipaddress
import json

from flask import Request

from api.config import IpNetwork


def signature_valid(body: bytes, header: str | None, secrets: tuple[bytes, ...]) -> bool:
    """True when `header` is the hex HMAC-SHA256 of `body` under any of `secrets`.

    Several secrets let keys rotate. Every secret is compared, in constant time.
    """
    if not header:
        return False
    given = header.strip().lower().encode("ascii", "replace")
    valid = False
    for secret in secrets:
        # hmac.digest: OpenSSL's one-shot HMAC, without building an HMAC object per SMS.
        expected = hmac.digest(secret, body, "sha256").hex().encode()
        valid |= hmac.compare_digest(expected, given)
    return valid


def client_address(request: Request, trusted_hops: int) -> str | None:
    """The caller's address: X-Forwarded-For is believed only through `trusted_hops` proxies.

    With N trusted proxies, the client is the Nth address from the right of the
    header (each proxy appends the address it saw). A header with fewer entries
    than that did not pass through all the proxies and is ignored, as is any
    header when no proxy is trusted, so a forged header gets no one in.
    """
    if trusted_hops > 0:
        forwarded = [
            part.strip()
            for header in request.headers.getlist("X-Forwarded-For")
            for part in header.split(",")
            if part.strip()
        ]
        if len(forwarded) >= trusted_hops:
            return forwarded[-trusted_hops]
    return request.remote_addr


def address_allowed(address: str | None, networks: tuple[IpNetwork, ...]) -> bool:
    if not address:
        return False
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return False
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped:
        ip = ip.ipv4_mapped
    return any(ip in network for network in networks)


def bearer_token_valid(request: Request, expected: str | None) -> bool:
    """True when the Authorization header carries `expected` as a bearer token."""
    if not expected:
        return False
    header = request.headers.get("Authorization", "")
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer":
        return False
    return hmac.compare_digest(token.strip().encode(), expected.encode())


def timestamp_fresh(header: str | None, now: float, tolerance: int) -> bool:
    """True when `header` is Unix seconds (digits only) within `tolerance` of `now`."""
    if not header or not header.isascii() or not header.isdigit() or len(header) > 12:
        return False
    return abs(int(header) - now) <= tolerance


def timestamped_signature_valid(
    body: bytes, timestamp: str, header: str | None, secrets: tuple[bytes, ...]
) -> bool:
    """sms-gate: `header` is the hex HMAC-SHA256 of the body followed by the X-Timestamp value."""
    return signature_valid(body + timestamp.encode("ascii"), header, secrets)


def _standard_webhooks_key(secret: bytes) -> bytes:
    """A `whsec_` secret is base64 (the Standard Webhooks form); any other is used as it is."""
    if secret.startswith(b"whsec_"):
        try:
            return base64.b64decode(secret[6:], validate=True)
        except (binascii.Error, ValueError):
            return secret
    return secret


def standard_webhooks_valid(
    body: bytes,
    message_id: str | None,
    timestamp: str | None,
    header: str | None,
    secrets: tuple[bytes, ...],
    now: float,
    tolerance: int,
) -> bool:
    """Standard Webhooks: `header` holds space-separated `v1,<base64 HMAC-SHA256>` of
    `<webhook-id>.<webhook-timestamp>.<body>`, under any of `secrets`, and the
    timestamp is within `tolerance` of `now`. Every candidate is compared in constant time.
    """
    if not message_id or not header or not timestamp_fresh(timestamp, now, tolerance):
        return False
    assert timestamp is not None
    try:
        signed = f"{message_id}.{timestamp}.".encode() + body
    except UnicodeEncodeError:
        return False
    given = [
        part[3:].encode("ascii", "replace") for part in header.split(" ") if part.startswith("v1,")
    ]
    valid = False
    for secret in secrets:
        expected = base64.b64encode(hmac.digest(_standard_webhooks_key(secret), signed, "sha256"))
        for candidate in given:
            valid |= hmac.compare_digest(expected, candidate)
    return valid


def _b64url(part: str) -> bytes:
    return base64.urlsafe_b64decode(part + "=" * (-len(part) % 4))


def jwt_hs256_claims(token: str, secrets: tuple[bytes, ...]) -> dict[str, object] | None:
    """The claims of an HS256 JWT signed with one of `secrets`, else None.

    Only HS256 is accepted (never `none` or another algorithm named by the token).
    The caller checks the claims.
    """
    parts = token.split(".")
    if len(parts) != 3 or not token.isascii():
        return None
    try:
        header = json.loads(_b64url(parts[0]))
        claims = json.loads(_b64url(parts[1]))
        signature = _b64url(parts[2])
    except (ValueError, binascii.Error, RecursionError):
        return None
    if not isinstance(header, dict) or header.get("alg") != "HS256":
        return None
    if not isinstance(claims, dict):
        return None
    signed = f"{parts[0]}.{parts[1]}".encode("ascii")
    valid = False
    for secret in secrets:
        valid |= hmac.compare_digest(hmac.digest(secret, signed, "sha256"), signature)
    return claims if valid else None


def secret_matches(given: str | None, secrets: tuple[bytes, ...]) -> bool:
    """SMSSync: the shared secret posted in the form equals one of `secrets` (constant time)."""
    if not given:
        return False
    candidate = given.encode("utf-8", "replace")
    valid = False
    for secret in secrets:
        valid |= hmac.compare_digest(secret, candidate)
    return valid
