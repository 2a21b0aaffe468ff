"""Configuration from environment variables, validated once at start."""

from __future__ import annotations

import ipaddress
import logging
import os
from collections.abc import Mapping
from dataclasses import dataclass, field

IpNetwork = ipaddress.IPv4Network | ipaddress.IPv6Network


class ConfigError(ValueError):
    """An environment variable has a value the app cannot run with."""


def _split(value: str | None) -> list[str]:
    return [part.strip() for part in (value or "").split(",") if part.strip()]


def _int(env: Mapping[str, str], name: str, default: int, minimum: int) -> int:
    raw = env.get(name, "").strip()
    if not raw:
        return default
    try:
        value = int(raw)
    except ValueError:
        raise ConfigError(f"{name} must be an integer, got {raw!r}") from None
    if value < minimum:
        raise ConfigError(f"{name} must be at least {minimum}, got {value}")
    return value


def _log_level(env: Mapping[str, str]) -> str:
    level = env.get("LOG_LEVEL", "INFO")
    if level not in logging.getLevelNamesMapping():
        raise ConfigError(f"LOG_LEVEL must be a logging level name such as INFO, got {level!r}")
    return level


def _networks(raw: str | None) -> tuple[IpNetwork, ...]:
    networks = []
    for entry in _split(raw):
        try:
            networks.append(ipaddress.ip_network(entry, strict=False))
        except ValueError:
            raise ConfigError(
                f"MOMO_SMS_ALLOWED_IPS: {entry!r} is not an IP address or CIDR range"
            ) from None
    return tuple(networks)


# The gateway routes, POST /functions/v1/momo-sms-hook/<name> (api/gateways.py). Each
# has its own secrets in MOMO_SMS_GATEWAY_SECRET_<NAME> (upper case, "-" as "_").
GATEWAY_ROUTES = ("sms-gate", "httpsms", "smssync", "android-income")


def gateway_secret_variable(route: str) -> str:
    return "MOMO_SMS_GATEWAY_SECRET_" + route.upper().replace("-", "_")


def _gateway_secrets(env: Mapping[str, str]) -> dict[str, tuple[bytes, ...]]:
    secrets = {}
    for route in GATEWAY_ROUTES:
        values = tuple(s.encode() for s in _split(env.get(gateway_secret_variable(route))))
        if values:
            secrets[route] = values
    return secrets


@dataclass(frozen=True)
class Settings:
    """Everything the app reads from its environment."""

    database_url: str
    hmac_secrets: tuple[bytes, ...] = ()
    allowed_networks: tuple[IpNetwork, ...] = ()
    trusted_proxy_hops: int = 0
    max_body_bytes: int = 64 * 1024
    allocator_token: str | None = None
    monitoring_token: str | None = None
    credits_admin_token: str | None = None
    pool_size: int = 8
    # route name -> its secrets (several while rotating); a route without any refuses all
    gateway_secrets: Mapping[str, tuple[bytes, ...]] = field(default_factory=dict)
    # how far a signed timestamp (X-Timestamp, webhook-timestamp, JWT exp/nbf) may be off
    signature_tolerance_seconds: int = 300
    # httpsms signs a JWT whose audience is the webhook URL as entered in httpSMS
    httpsms_audience: str | None = None
    # longest a delivery waits for its commit (then 503) before the gateway retries
    ingest_timeout_seconds: int = 3
    # longest an ingest batch waits on another session's uncommitted copy of one of
    # its SMS (lock_timeout of the group committer's connection; then 503)
    ingest_lock_timeout_ms: int = 1000
    # longest the body of an SMS request may take to arrive
    body_read_timeout_seconds: int = 10
    # the app's JSON log lines (api/logs.py): a logging level name
    log_level: str = "INFO"
    # the phone number whose SMS the spec route receives when a request names none
    # (its receivingAccount field): one phone, one account, whatever app forwards it
    receiving_account: str | None = None

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> Settings:
        env = os.environ if env is None else env
        database_url = env.get("DATABASE_URL", "").strip()
        if not database_url:
            raise ConfigError("DATABASE_URL is required (make run sets it for the local cluster)")
        return cls(
            database_url=database_url,
            hmac_secrets=tuple(s.encode() for s in _split(env.get("MOMO_SMS_HMAC_SECRET"))),
            allowed_networks=_networks(env.get("MOMO_SMS_ALLOWED_IPS")),
            trusted_proxy_hops=_int(env, "MOMO_SMS_TRUSTED_PROXY_HOPS", 0, 0),
            max_body_bytes=_int(env, "MOMO_SMS_MAX_BODY_BYTES", 64 * 1024, 1024),
            allocator_token=env.get("MOMO_ALLOCATOR_TOKEN") or None,
            monitoring_token=env.get("MOMO_MONITORING_TOKEN") or None,
            credits_admin_token=env.get("CREDITS_ADMIN_TOKEN") or None,
            pool_size=_int(env, "DB_POOL_SIZE", 8, 1),
            gateway_secrets=_gateway_secrets(env),
            signature_tolerance_seconds=_int(env, "MOMO_SMS_SIGNATURE_TOLERANCE_SECONDS", 300, 1),
            httpsms_audience=env.get("MOMO_SMS_GATEWAY_HTTPSMS_URL", "").strip() or None,
            ingest_timeout_seconds=_int(env, "MOMO_SMS_INGEST_TIMEOUT_SECONDS", 3, 1),
            ingest_lock_timeout_ms=_int(env, "MOMO_SMS_INGEST_LOCK_TIMEOUT_MS", 1000, 1),
            body_read_timeout_seconds=_int(env, "MOMO_SMS_BODY_READ_TIMEOUT_SECONDS", 10, 1),
            log_level=_log_level(env),
            receiving_account=env.get("MOMO_SMS_RECEIVING_ACCOUNT", "").strip() or None,
        )
