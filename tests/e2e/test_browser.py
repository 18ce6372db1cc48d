"""Getting a browser for the browser tests on a fresh machine: each decision on a fake machine."""
from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from tests.e2e import browser as browsers
from tests.e2e.browser import BrowserMissing, Machine, ensure, find


def _executable(path: Path) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("#!/bin/sh\n")
    path.chmod(0o755)
    return path


class FakeMachine(Machine):
    """No browser at first; records what it is asked to run, and what an install would leave behind."""

    def __init__(self, tmp_path: Path, *, root: bool, apt_get: bool = True, playwright_cli: bool = False,
                 installs_work: bool = True):
        self.commands: list[list[str]] = []
        bundled = tmp_path / "ms-playwright" / "chromium-1" / "chrome"

        def run(command: list[str]) -> int:
            self.commands.append(command)
            if not installs_work:
                return 100
            if command[:2] == ["apt-get", "install"]:
                _executable(self.system_chromium)
            if command[1:] == ["install", "chromium"]:
                _executable(bundled)
            return 0

        cli = tmp_path / ".venv" / "bin" / "playwright"
        super().__init__(
            system_chromium=tmp_path / "usr" / "bin" / "chromium",
            playwright_cli=_executable(cli) if playwright_cli else cli,
            is_root=lambda: root,
            which=lambda name: f"/usr/bin/{name}" if apt_get and name == "apt-get" else None,
            run=run,
            playwright_chromium=lambda: bundled,
        )


def test_debian_chromium_is_used_when_present(tmp_path):
    machine = FakeMachine(tmp_path, root=True)
    _executable(machine.system_chromium)
    assert ensure(machine, log=lambda _: None) == machine.system_chromium
    assert machine.commands == []  # nothing installed


def test_as_root_apt_get_installs_debian_chromium_after_an_update(tmp_path):
    machine = FakeMachine(tmp_path, root=True, playwright_cli=True)
    said = []
    assert ensure(machine, log=said.append) == machine.system_chromium
    assert machine.commands == [["apt-get", "update", "-qq"], ["apt-get", "install", "-y", "-qq", "chromium"]]
    assert "apt-get" in said[0]


def test_without_root_playwright_installs_its_chromium_and_that_is_used(tmp_path):
    machine = FakeMachine(tmp_path, root=False, playwright_cli=True)
    path = ensure(machine, log=lambda _: None)
    assert path == tmp_path / "ms-playwright" / "chromium-1" / "chrome"
    assert machine.commands == [[str(machine.playwright_cli), "install", "chromium"]]
    assert find(machine) == path  # what the browser tests then drive


def test_a_failed_apt_get_falls_back_to_playwright_then_says_what_to_install(tmp_path):
    machine = FakeMachine(tmp_path, root=True, playwright_cli=True, installs_work=False)
    with pytest.raises(BrowserMissing) as error:
        ensure(machine, log=lambda _: None)
    assert [c[0] for c in machine.commands] == ["apt-get", str(machine.playwright_cli)]
    assert "apt-get install -y chromium" in str(error.value)
    assert "playwright install chromium" in str(error.value)


def test_without_root_or_playwright_it_stops_with_what_to_install(tmp_path):
    machine = FakeMachine(tmp_path, root=False, apt_get=True, playwright_cli=False)
    with pytest.raises(BrowserMissing, match="apt-get install -y chromium"):
        ensure(machine, log=lambda _: None)
    assert machine.commands == []  # apt-get is not tried without root


def test_the_command_exits_non_zero_with_the_message(tmp_path, monkeypatch):
    monkeypatch.setattr(browsers, "Machine", lambda: FakeMachine(tmp_path, root=False))
    assert browsers.main() == 1


def test_make_test_ensures_the_browser_before_the_suite():
    makefile = (Path(__file__).resolve().parents[2] / "Makefile").read_text()
    recipe = makefile.split("\ntest:", 1)[1].split("\n\n", 1)[0]
    assert recipe.index("-m tests.e2e.browser") < recipe.index("-m pytest")


def test_the_browser_tests_drive_what_find_names(request):
    # The fixture asks `find`, not a fixed path: on this machine it names an executable file.
    executable = request.getfixturevalue("chromium_executable")
    assert Path(executable) == find()
    result = subprocess.run([sys.executable, "-m", "tests.e2e.browser"], capture_output=True, text=True,
                            cwd=Path(__file__).resolve().parents[2], check=False)
    assert result.returncode == 0 and executable in result.stdout
