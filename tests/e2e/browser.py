"""Which Chromium the browser tests drive, and getting one on a fresh machine.

`python -m tests.e2e.browser` (the first step of `make test`) makes sure there is one: Debian's
`/usr/bin/chromium` when present; otherwise, when run as root, Debian's `chromium` installed
with apt-get (after `apt-get update`); otherwise Playwright's build from
`.venv/bin/playwright install chromium`; otherwise it stops with a message saying what to
install. `tests/e2e/conftest.py` drives the executable `find()` names and fails, never skips,
when there is none.
"""
from __future__ import annotations

import os
import shutil
import subprocess
import sys
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

SYSTEM_CHROMIUM = Path("/usr/bin/chromium")
VENV_PLAYWRIGHT = Path(__file__).resolve().parents[2] / ".venv" / "bin" / "playwright"

MISSING = (
    "The browser tests need Chromium and none is installed. Install Debian's package "
    "(as root: apt-get update && apt-get install -y chromium) or Playwright's build "
    "(.venv/bin/playwright install chromium), then run make test again."
)


class BrowserMissing(RuntimeError):
    pass


def _run(command: list[str]) -> int:
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    return subprocess.run(command, env=env, check=False).returncode


def _playwright_chromium() -> Path | None:
    """Where Playwright keeps its own Chromium build (whether or not it is downloaded yet)."""
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        return None
    with sync_playwright() as playwright:
        return Path(playwright.chromium.executable_path)


@dataclass
class Machine:
    """What `find` and `ensure` look at and do: this machine by default, a fake one in tests."""

    system_chromium: Path = SYSTEM_CHROMIUM
    playwright_cli: Path = VENV_PLAYWRIGHT
    is_root: Callable[[], bool] = field(default=lambda: os.geteuid() == 0)
    which: Callable[[str], str | None] = shutil.which
    run: Callable[[list[str]], int] = _run
    playwright_chromium: Callable[[], Path | None] = _playwright_chromium


def _executable(path: Path | None) -> bool:
    return path is not None and path.is_file() and os.access(path, os.X_OK)


def find(machine: Machine | None = None) -> Path | None:
    """The Chromium to drive: Debian's when present, else Playwright's when downloaded, else None."""
    machine = machine or Machine()
    if _executable(machine.system_chromium):
        return machine.system_chromium
    bundled = machine.playwright_chromium()
    return bundled if _executable(bundled) else None


def ensure(machine: Machine | None = None, log: Callable[[str], None] = print) -> Path:
    """A Chromium for the browser tests, installed if need be; BrowserMissing says what to install."""
    machine = machine or Machine()
    found = find(machine)
    if found is not None:
        return found
    if machine.is_root() and machine.which("apt-get"):
        log("Installing Debian's chromium for the browser tests (apt-get)")
        if (machine.run(["apt-get", "update", "-qq"]) == 0
                and machine.run(["apt-get", "install", "-y", "-qq", "chromium"]) == 0):
            found = find(machine)
            if found is not None:
                return found
    if _executable(machine.playwright_cli):
        log("Installing Playwright's chromium for the browser tests")
        if machine.run([str(machine.playwright_cli), "install", "chromium"]) == 0:
            found = find(machine)
            if found is not None:
                return found
    raise BrowserMissing(MISSING)


def main() -> int:
    try:
        path = ensure()
    except BrowserMissing as error:
        print(f"ERROR: {error}", file=sys.stderr)
        return 1
    print(f"browser tests drive {path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
