"""A fresh clone driven the way a newcomer drives it: `make run`, then what it prints."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import time
import urllib.error
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent.parent
# What an outer `make test` exported must not leak into the clone's own make.
LEAKY = ("MAKEFLAGS", "MFLAGS", "MAKELEVEL", "DATABASE_URL", "TEST_DATABASE_URL", "PORT")


def newcomer_env() -> dict[str, str]:
    """A newcomer's environment: none of this project's variables set."""
    return {
        k: v
        for k, v in os.environ.items()
        if k not in LEAKY and not k.endswith("_PGPORT") and not k.startswith("MOMO_")
    }


def run(clone: Path, command: str, timeout: int = 600) -> subprocess.CompletedProcess[str]:
    """One shell command line, verbatim, in the clone."""
    return subprocess.run(
        ["bash", "-c", command],
        cwd=clone,
        env=newcomer_env(),
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )


class MakeRun:
    """`make run` in a clone; `streamed` says whether a setup line showed before serving."""

    def __init__(self, clone: Path) -> None:
        self.clone = clone
        self.log = clone / "make-run.log"
        self.streamed = False
        with open(self.log, "w") as out:
            self.process = subprocess.Popen(
                ["make", "run"],
                cwd=clone,
                env=newcomer_env(),
                stdout=out,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        deadline = time.monotonic() + 900
        while not (match := re.search(r"Serving (http://\S+) against (\S+)", self.output())):
            self.streamed = self.streamed or "setup: " in self.output()
            if self.process.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"make run did not start:\n{self.output()}")
            time.sleep(0.2)
        self.base = match.group(1)
        while not self._ready():
            if self.process.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"make run never became ready:\n{self.output()}")
            time.sleep(0.5)

    def _ready(self) -> bool:
        try:
            with urllib.request.urlopen(self.base + "/readyz", timeout=5) as response:
                return response.status == 200
        except (OSError, urllib.error.HTTPError):
            return False

    def output(self) -> str:
        return self.log.read_text()

    def next_steps(self) -> list[tuple[str, str]]:
        """(what, command) for each printed next step: `  what:  command` lines after
        "Next,"; the indented lines in brackets below them only explain."""
        text = self.output().split("Next,", 1)[1]
        steps = []
        for line in text.splitlines()[1:]:
            if not line.startswith("  ") or line.startswith("{"):
                break
            if line.lstrip().startswith("("):
                continue
            what, _, command = line.strip().partition(":  ")
            steps.append((what, command.strip()))
        return steps

    def kill(self) -> None:
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            self.process.wait(timeout=60)
