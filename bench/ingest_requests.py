"""Write unique, signed SMS deliveries for bench/ingest.lua (wrk's Lua has no HMAC).

One request per line: "<hex HMAC-SHA256 of the body> <JSON body>". Every body is a
different SMS (its message names the run and a sequence number), so a run stores
each one once and a later run against the same database does not collide with it.

Usage: MOMO_SMS_HMAC_SECRET=... python bench/ingest_requests.py COUNT OUT_FILE RUN_ID
"""

from __future__ import annotations

import argparse
import hashlib
import hmac
import json
import os


def sms_body(run_id: str, seq: int) -> str:
    amount = 500 + (seq * 37) % 99_500
    payer = f"{seq % 1000:03d}"
    return json.dumps(
        {
            "message": (
                f"You have received {amount} RWF from BENCH PAYER {seq} (*********{payer}) on "
                f"your mobile money account at 2025-01-18 14:20:00. Message from sender: "
                f"{run_id}. Your new balance:{amount + 15_200} RWF. Financial Transaction Id: "
                f"{run_id.replace('-', '')}{seq:08d}."
            ),
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
    args = parser.parse_args()
    # The server accepts any secret of the comma-separated list; sign with the first.
    secret = os.environ["MOMO_SMS_HMAC_SECRET"].split(",")[0].strip().encode()
    with open(args.out, "w", encoding="utf-8") as out:
        for seq in range(args.count):
            body = sms_body(args.run_id, seq)
            signature = hmac.new(secret, body.encode(), hashlib.sha256).hexdigest()
            out.write(f"{signature} {body}\n")


if __name__ == "__main__":
    main()
