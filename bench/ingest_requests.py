"""Write unique, signed SMS deliveries for bench/ingest.lua (wrk's Lua has no HMAC).

One request per line: "<hex HMAC-SHA256 of the body> <JSON body>". Every body is a
different SMS (its message names the run and a sequence number), so a run stores
each one once and a later run against the same database does not collide with it.

With --format sms-gate the lines are sms-gate's native event (the route
POST /functions/v1/momo-sms-hook/sms-gate): "<signature> <unix seconds> <JSON body>",
the signature being the hex HMAC-SHA256 of the body followed by the timestamp under
MOMO_SMS_GATEWAY_SECRET_SMS_GATE. The timestamp is now: the run must start within the
route's tolerance window (5 minutes by default).

Usage: MOMO_SMS_HMAC_SECRET=... python bench/ingest_requests.py COUNT OUT_FILE RUN_ID
       MOMO_SMS_GATEWAY_SECRET_SMS_GATE=... python bench/ingest_requests.py --format sms-gate ...
"""

from __future__ import annotations

import argparse
import hashlib
import hmac
import json
import os
import time


def sms_text(run_id: str, seq: int) -> str:
    amount = 500 + (seq * 37) % 99_500
    payer = f"{seq % 1000:03d}"
    return (
        f"You have received {amount} RWF from BENCH PAYER {seq} (*********{payer}) on "
        f"your mobile money account at 2025-01-18 14:20:00. Message from sender: "
        f"{run_id}. Your new balance:{amount + 15_200} RWF. Financial Transaction Id: "
        f"{run_id.replace('-', '')}{seq:08d}."
    )


def sms_gate_body(run_id: str, seq: int) -> str:
    """sms-gate's sms:received event as its documentation shows it (two phones, two SIMs)."""
    return json.dumps(
        {
            "deviceId": f"bench-device-{seq % 2}",
            "event": "sms:received",
            "id": f"{run_id}/{seq}",
            "payload": {
                "messageId": f"{run_id}-{seq}",
                "message": sms_text(run_id, seq),
                "sender": "M-Money",
                "recipient": "+250788000111",
                "simNumber": 1 + seq % 2,
                "receivedAt": "2025-01-18T14:20:00.000+02:00",
            },
            "webhookId": "bench",
        },
        separators=(",", ":"),
    )


def sms_body(run_id: str, seq: int) -> str:
    return json.dumps(
        {
            "message": sms_text(run_id, seq),
            "msisdn": "M-Money",
            "receivedAt": "2025-01-18T12:20:00Z",
            "ingestSource": "bench",
            "metadata": {"run": run_id, "seq": seq},
        },
        separators=(",", ":"),
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("count", type=int)
    parser.add_argument("out")
    parser.add_argument("run_id")
    parser.add_argument("--format", choices=("spec", "sms-gate"), default="spec")
    args = parser.parse_args()
    # The server accepts any secret of the comma-separated list; sign with the first.
    variable = "MOMO_SMS_HMAC_SECRET"
    if args.format == "sms-gate":
        variable = "MOMO_SMS_GATEWAY_SECRET_SMS_GATE"
    secret = os.environ[variable].split(",")[0].strip().encode()
    stamp = str(int(time.time()))
    with open(args.out, "w", encoding="utf-8") as out:
        for seq in range(args.count):
            if args.format == "sms-gate":
                body = sms_gate_body(args.run_id, seq)
                signed = body.encode() + stamp.encode()
                signature = hmac.new(secret, signed, hashlib.sha256).hexdigest()
                out.write(f"{signature} {stamp} {body}\n")
            else:
                body = sms_body(args.run_id, seq)
                signature = hmac.new(secret, body.encode(), hashlib.sha256).hexdigest()
                out.write(f"{signature} {body}\n")


if __name__ == "__main__":
    main()
