"""A newcomer's first minutes (issue 21), lived in a fresh clone in a private directory:
`make run` says each setup step as it runs, then prints next steps; each is run exactly
as printed (the demo included, twice) and works; `make stop` says what it stopped.
Minutes long: marked slow (`-m "not slow"` leaves it out).
"""

from __future__ import annotations

import json
import shutil
import subprocess
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.support.newcomer import ROOT, MakeRun, run

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def clone() -> Iterator[Path]:
    private = Path(tempfile.mkdtemp(prefix="baskets-newcomer-"))
    path = private / "baskets"
    subprocess.run(["git", "clone", "-q", str(ROOT), str(path)], check=True)
    yield path
    run(path, "make clean", timeout=120)
    shutil.rmtree(private, ignore_errors=True)


def test_newcomer_make_run_then_every_printed_next_step_verbatim(clone):
    served = MakeRun(clone)
    try:
        assert served.streamed, "no setup step was printed before the server started"
        steps = dict(served.next_steps())
        assert list(steps) == [
            "see a payment allocated",
            "post a sample SMS (unsigned: MOMO_SMS_HMAC_SECRET is not set)",
            "see it in the inbox",
            "monitoring",
        ], served.output()

        demo = run(clone, steps["see a payment allocated"])
        assert demo.returncode == 0, demo.stdout + demo.stderr
        assert demo.stdout.count("| allocated |") == 2, demo.stdout
        again = run(clone, steps["see a payment allocated"])  # idempotent: two more payments
        assert again.returncode == 0, again.stdout + again.stderr
        assert again.stdout.count("| allocated |") == 2, again.stdout

        posted = run(clone, steps["post a sample SMS (unsigned: MOMO_SMS_HMAC_SECRET is not set)"])
        assert posted.returncode == 0, posted.stderr
        assert json.loads(posted.stdout)["ok"] is True
        inbox = run(clone, steps["see it in the inbox"])
        assert inbox.returncode == 0, inbox.stderr
        assert inbox.stdout.count("allocated") >= 4, inbox.stdout
        monitoring = run(clone, steps["monitoring"])
        assert monitoring.returncode == 0, monitoring.stderr
        assert json.loads(monitoring.stdout)["ok"] is True, monitoring.stdout

        stop = run(clone, "make stop", timeout=120)
        assert stop.returncode == 0, stop.stderr
        assert "stopped the API server" in stop.stdout, stop.stdout
        assert "stopped the PostgreSQL cluster dev" in stop.stdout, stop.stdout
        served.process.wait(timeout=60)  # make run ends with its server
    finally:
        served.kill()
