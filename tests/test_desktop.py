"""The per-user menu entry: ``latent-explorer --install-desktop`` / ``--uninstall-desktop``."""

from __future__ import annotations

import configparser
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from explorer.app import APP_ID, main
from explorer.platform import desktop
from resources import resource_path

ENTRY = Path("applications") / f"{APP_ID}.desktop"
SVG = Path("icons/hicolor/scalable/apps") / f"{APP_ID}.svg"
PNG = Path("icons/hicolor/256x256/apps") / f"{APP_ID}.png"


@pytest.fixture
def data_home(tmp_path, monkeypatch) -> Path:
    home = tmp_path / "share"
    monkeypatch.setenv("XDG_DATA_HOME", str(home))
    return home


def read_entry(path: Path) -> configparser.SectionProxy:
    parser = configparser.ConfigParser(interpolation=None, strict=True)
    parser.optionxform = str  # keys are case-sensitive
    parser.read(path, encoding="utf-8")
    return parser["Desktop Entry"]


def validate(path: Path) -> None:
    tool = shutil.which("desktop-file-validate")
    if tool is None:
        return  # Debian's desktop-file-utils; CI installs it
    result = subprocess.run([tool, str(path)], capture_output=True, text=True)
    errors = [line for line in result.stdout.splitlines() if ": error: " in line or ": warning: " in line]
    assert result.returncode == 0 and not errors, result.stdout + result.stderr


def test_install_writes_a_valid_entry_and_the_icons(data_home, capsys):
    assert main(["--install-desktop"]) == 0
    entry_path = data_home / ENTRY
    validate(entry_path)
    entry = read_entry(entry_path)
    assert entry["Type"] == "Application"
    assert entry["Name"] == "Latent Explorer" and entry["Name[fr]"]
    assert entry["Comment"] and entry["Comment[fr]"]
    assert entry["Icon"] == APP_ID
    assert entry["Terminal"] == "false"
    assert entry["StartupWMClass"] == "Latent Explorer"
    assert entry["Categories"].split(";")[:2] == ["Education", "Science"]
    assert entry["Exec"].endswith(" %f")
    launcher = entry["Exec"].removesuffix(" %f").split(" ")[0]
    assert Path(launcher).is_absolute() and Path(launcher).is_file()
    assert entry["TryExec"] == launcher
    assert (data_home / SVG).read_bytes() == resource_path("icon.svg").read_bytes()
    assert (data_home / PNG).read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    out = capsys.readouterr().out
    assert str(entry_path) in out and str(data_home / PNG) in out


def test_the_launcher_is_the_script_beside_the_interpreter(tmp_path, monkeypatch):
    venv_bin = tmp_path / "venv" / "bin"
    venv_bin.mkdir(parents=True)
    (venv_bin / "latent-explorer").write_text("#!/bin/sh\n")
    monkeypatch.setattr(sys, "executable", str(venv_bin / "python"))
    assert desktop.launcher_command() == [str(venv_bin / "latent-explorer")]
    (venv_bin / "latent-explorer").unlink()
    monkeypatch.setattr(sys, "argv", ["-c"])
    assert desktop.launcher_command() == [str(venv_bin / "python"), "-m", "explorer.app"]


def test_a_path_with_spaces_and_quotes_is_quoted_per_the_spec(data_home):
    command = ['/opt/my "apps"/bin/python', "-m", "explorer.app"]
    assert desktop.install(command=command) == 0
    entry_path = data_home / ENTRY
    validate(entry_path)
    # The key file's own escaping doubles the backslash of the Exec quoting: \\" in the file.
    assert r'Exec="/opt/my \\"apps\\"/bin/python" -m explorer.app %f' in entry_path.read_text()


def test_xdg_data_home_defaults_to_local_share(monkeypatch, tmp_path):
    monkeypatch.setenv("HOME", str(tmp_path))
    for value in ("", "relative/path"):  # the spec ignores a relative value
        monkeypatch.setenv("XDG_DATA_HOME", value)
        assert desktop.data_home() == tmp_path / ".local" / "share"


def test_uninstall_removes_exactly_what_install_wrote(data_home, capsys):
    neighbours = [
        data_home / "applications" / "other.desktop",
        data_home / "icons/hicolor/scalable/apps/other.svg",
        data_home / "icons/hicolor/256x256/apps/other.png",
    ]
    for path in neighbours:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text("not ours")
    before = {p for p in data_home.rglob("*")}
    assert main(["--install-desktop"]) == 0
    added = {p for p in data_home.rglob("*") if p.is_file()} - before
    assert added == {data_home / ENTRY, data_home / SVG, data_home / PNG}
    capsys.readouterr()

    assert main(["--uninstall-desktop"]) == 0
    assert {p for p in data_home.rglob("*")} == before
    assert all(p.read_text() == "not ours" for p in neighbours)
    assert capsys.readouterr().out.count("removed ") == 3
    assert main(["--uninstall-desktop"]) == 0  # nothing left: says so, not an error
    assert "no menu entry" in capsys.readouterr().out


def test_an_unwritable_folder_is_a_one_line_error(tmp_path, monkeypatch, capsys):
    blocker = tmp_path / "a-file"
    blocker.write_text("")
    monkeypatch.setenv("XDG_DATA_HOME", str(blocker))  # mkdir under a file fails, even as root
    assert main(["--install-desktop"]) == 1
    err = capsys.readouterr().err
    assert err.startswith("latent-explorer: error: cannot write ") and err.count("\n") == 1


def test_install_needs_no_display(data_home):
    """A fresh process with no QPA platform and no DISPLAY: no QApplication is created."""
    env = {"XDG_DATA_HOME": str(data_home), "PATH": "/usr/bin:/bin", "QT_QPA_PLATFORM": "xcb"}
    code = "import sys; from explorer.app import main; sys.exit(main(['--install-desktop']))"
    result = subprocess.run(
        [sys.executable, "-c", code],
        env=env,
        capture_output=True,
        text=True,
        cwd=Path(__file__).parent.parent,
    )
    assert result.returncode == 0, result.stderr
    assert (data_home / ENTRY).is_file()


def test_the_two_flags_exclude_each_other(capsys):
    assert main(["--install-desktop", "--uninstall-desktop"]) == 2
    assert "not allowed with" in capsys.readouterr().err
