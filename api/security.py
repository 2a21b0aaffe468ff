"""Request authentication: HMAC signatures, IP allow-lists, bearer tokens."""

from __future__ import annotations

import hashlib
import hmac
import ipaddress

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
        expected = hmac.new(secret, body, hashlib.sha256).hexdigest().encode()
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
