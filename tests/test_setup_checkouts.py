"""`make run` and `make test` work wherever a newcomer clones, as a newcomer runs them.

Two clones of this repository sit in a private directory (mode 700, like root's
home or a `mktemp -d`), where the `postgres` OS user cannot enter when the tests
run as root. Each sets itself up from nothing, passes the foundation tests and
serves, both at once and while this suite's own test cluster holds the default
test port; an occupied port is refused by name. These tests run `make` in the
clones, so they take a few minutes: they are marked slow, and `make test-fast`
leaves them out while iterating.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import signal
import socket
import subprocess
import tempfile
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

# Two clones set up from nothing (virtualenvs, clusters, make in each): minutes.
pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parent.parent
# What the outer `make test` exported must not leak into the clones' own make.
LEAKY = ("MAKEFLAGS", "MFLAGS", "MAKELEVEL", "DATABASE_URL", "TEST_DATABASE_URL", "PORT")


def clean_env() -> dict[str, str]:
    return {
        k: v
        for k, v in os.environ.items()
        # PYTEST_*: this run's (xdist worker id, current test), not the clone's
        if k not in LEAKY and not k.endswith("_PGPORT") and not k.startswith("PYTEST_")
    }


def make(clone: Path, *args: str, timeout: int = 900) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        ["make", *args],
        cwd=clone,
        env=clean_env(),
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )


def get(url: str) -> tuple[int, dict]:
    try:
        with urllib.request.urlopen(url, timeout=5) as response:
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read())


class Served:
    """`make run` in a clone, read until it prints where it serves."""

    def __init__(self, clone: Path) -> None:
        self.clone = clone
        self.log = clone / "make-run.log"
        with open(self.log, "w") as out:
            self.process = subprocess.Popen(
                ["make", "run"],
                cwd=clone,
                env=clean_env(),
                stdout=out,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        deadline = time.monotonic() + 600
        while not (match := re.search(r"Serving (http://\S+) against (\S+)", self.output())):
            if self.process.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"make run did not start:\n{self.output()}")
            time.sleep(0.5)
        self.base, self.database_url = match.group(1), match.group(2)
        while True:
            try:
                if get(self.base + "/readyz")[0] == 200:
                    return
            except OSError:
                pass
            if self.process.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"make run never became ready:\n{self.output()}")
            time.sleep(0.5)

    def output(self) -> str:
        return self.log.read_text()

    def stop(self) -> None:
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            self.process.wait(timeout=60)


@pytest.fixture(scope="module")
def private_dir() -> Iterator[Path]:
    path = Path(tempfile.mkdtemp(prefix="baskets-checkouts-"))
    yield path
    for clone in sorted(path.iterdir()):
        if (clone / "Makefile").exists():
            make(clone, "clean", timeout=120)
    shutil.rmtree(path, ignore_errors=True)


@pytest.fixture(scope="module")
def first(private_dir: Path) -> Iterator[tuple[Path, subprocess.CompletedProcess[str]]]:
    clone = private_dir / "first"
    subprocess.run(["git", "clone", "-q", str(ROOT), str(clone)], check=True)
    yield clone, make(clone, "test", "PYTEST_ARGS=-q tests/test_smoke_foundation.py")


@pytest.fixture(scope="module")
def first_served(first) -> Iterator[Served]:
    served = Served(first[0])
    yield served
    served.stop()


@pytest.fixture(scope="module")
def second(private_dir: Path, first_served: Served):
    clone = private_dir / "second"
    subprocess.run(["git", "clone", "-q", str(ROOT), str(clone)], check=True)
    return clone, make(clone, "test", "PYTEST_ARGS=-q tests/test_smoke_foundation.py")


def test_checkouts_a_clone_in_a_private_directory_sets_up_and_passes_the_foundation_tests(
    private_dir, first
):
    clone, result = first
    assert private_dir.stat().st_mode & 0o777 == 0o700
    assert private_dir.stat().st_uid == os.getuid()
    assert result.returncode == 0, result.stdout + result.stderr
    assert re.search(r"\d+ passed", result.stdout)
    # The tool noise went to the setup log, not to the terminal.
    assert "Successfully installed" not in result.stdout + result.stderr
    assert "Successfully installed" in (clone / ".pgdata" / "setup.log").read_text()


def test_checkouts_make_run_prints_the_next_steps_and_stores_a_posted_sms(first_served):
    out = first_served.output()
    command = re.search(r"post a sample SMS .*:\s+(scripts/post_sms\.sh \S+)", out)
    assert command, out
    assert f"psql {first_served.database_url}" in out
    assert "/monitoring/overview" in out
    posted = subprocess.run(
        command.group(1).split(),
        cwd=first_served.clone,
        env=clean_env(),
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    answer = json.loads(posted.stdout)
    assert answer["ok"] is True and int(answer["inboxId"]) >= 1
    stored = subprocess.run(
        ["psql", "-X", "-tAc", "select count(*) from momo_sms_inbox", first_served.database_url],
        capture_output=True,
        text=True,
        check=True,
    )
    assert int(stored.stdout) >= 1


def test_checkouts_a_second_clone_beside_a_running_first_tests_and_serves_too(first_served, second):
    clone, result = second
    assert result.returncode == 0, result.stdout + result.stderr
    assert re.search(r"\d+ passed", result.stdout)
    served = Served(clone)
    try:
        assert served.base != first_served.base
        assert served.database_url != first_served.database_url
        assert get(served.base + "/readyz")[0] == 200
        assert get(first_served.base + "/readyz")[0] == 200
    finally:
        served.stop()


def test_checkouts_an_occupied_port_is_refused_naming_the_port_its_holder_and_the_variable(
    second,
):
    clone, _ = second
    with socket.socket() as listener:
        listener.bind(("127.0.0.1", 0))
        listener.listen()
        port = listener.getsockname()[1]
        result = make(clone, "db", f"DEV_PGPORT={port}", timeout=300)
    assert result.returncode != 0
    message = result.stderr
    assert f"port {port} (DEV_PGPORT) is in use by" in message
    assert f"pid {os.getpid()}" in message
    assert "Traceback" not in message


def test_checkouts_a_remembered_port_taken_meanwhile_moves_with_a_note(second):
    clone, _ = second
    make(clone, "stop", timeout=120)
    remembered = int((clone / ".pgdata" / "ports" / "dev").read_text())
    with socket.socket() as squatter:
        # the stopped cluster's connections may linger in TIME_WAIT on that port
        squatter.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        squatter.bind(("127.0.0.1", remembered))
        squatter.listen()
        result = make(clone, "db", timeout=300)
    assert result.returncode == 0, result.stdout + result.stderr
    assert f"note: port {remembered} is in use by" in result.stderr
    moved = int((clone / ".pgdata" / "ports" / "dev").read_text())
    assert moved != remembered
    assert result.stdout.strip().splitlines()[-1].endswith(f":{moved}/baskets")


def test_checkouts_a_cluster_that_cannot_start_shows_its_log_and_the_likely_fix(second):
    clone, _ = second
    make(clone, "stop", timeout=120)
    auto_conf = (clone / ".pgdata" / "dev").resolve() / "postgresql.auto.conf"
    original = auto_conf.read_text()
    auto_conf.write_text(original + "no_such_setting_for_this_test = on\n")
    try:
        result = make(clone, "db", timeout=300)
    finally:
        auto_conf.write_text(original)
    assert result.returncode != 0
    assert "error: the dev cluster did not start" in result.stderr
    assert "no_such_setting_for_this_test" in result.stderr  # a line of its log
    assert "likely fix:" in result.stderr


def test_checkouts_make_clean_removes_the_clusters_outside_the_checkout(second):
    clone, _ = second
    home_file = clone / ".pgdata" / "home"
    home = Path(home_file.read_text().strip()) if home_file.exists() else None
    result = make(clone, "clean", timeout=120)
    assert result.returncode == 0, result.stdout + result.stderr
    assert not (clone / ".pgdata").exists()
    if os.getuid() == 0:
        assert home is not None
        assert not home.exists()
