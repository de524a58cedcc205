"""The per-user menu entry: ``latent-explorer --install-desktop`` / ``--uninstall-desktop``.

pip installs a command, not a menu entry. This writes a freedesktop entry and the icon under
``$XDG_DATA_HOME`` (``~/.local/share``) and removes them again. It only copies files: no
QApplication, so it works without a display (over ssh, in a script).
"""

from __future__ import annotations

import os
import re
import sys
from pathlib import Path

from core.safe_io import atomic_write
from resources import resource_path

# The freedesktop application id: the .desktop file's and the icon's name, and what the running
# app tells the window manager (explorer.app), so the two are matched.
APP_ID = "io.github.latent_explorer.LatentExplorer"

LAUNCHER = "latent-explorer"
# Qt sets the X11 WM_CLASS class to QCoreApplication.applicationName(), which main() sets.
WM_CLASS = "Latent Explorer"
# Characters that make the desktop spec's Exec key want an argument in double quotes.
_EXEC_RESERVED = re.compile(r"[\s\"'\\><~|&;$*?#()`]")


def data_home() -> Path:
    """``$XDG_DATA_HOME``, or ``~/.local/share`` when it is unset, empty or relative (per the spec)."""
    value = os.environ.get("XDG_DATA_HOME", "")
    return Path(value) if os.path.isabs(value) else Path.home() / ".local" / "share"


def installed_files(home: Path) -> list[tuple[str, Path]]:
    """(resource, destination) for every file install writes; the entry last, after its icon."""
    return [
        ("icon.svg", home / "icons" / "hicolor" / "scalable" / "apps" / f"{APP_ID}.svg"),
        ("icon-256.png", home / "icons" / "hicolor" / "256x256" / "apps" / f"{APP_ID}.png"),
        ("", home / "applications" / f"{APP_ID}.desktop"),
    ]


def launcher_command() -> list[str]:
    """The absolute command that starts this installation of the app.

    The script pip put beside the interpreter (a venv's ``bin/``: not resolved, since a venv's
    python links out of it), else the launcher that is running, else this interpreter on the module.
    """
    beside = Path(sys.executable).parent / LAUNCHER
    if beside.is_file():
        return [str(beside.absolute())]
    argv0 = Path(sys.argv[0]) if sys.argv and sys.argv[0] else None
    if argv0 is not None and argv0.name == LAUNCHER and argv0.is_file():
        return [str(argv0.resolve())]
    return [str(Path(sys.executable).absolute()), "-m", "explorer.app"]


def _escape_value(text: str) -> str:
    """A string value as the key file format writes it (its own escapes, applied after quoting)."""
    return text.replace("\\", "\\\\").replace("\n", "\\n").replace("\t", "\\t").replace("\r", "\\r")


def _exec_arg(arg: str) -> str:
    """One argument of the Exec key: ``%`` doubled, quoted when it holds a reserved character."""
    arg = arg.replace("%", "%%")
    if _EXEC_RESERVED.search(arg):
        arg = '"' + re.sub(r'([`"$\\])', r"\\\1", arg) + '"'
    return arg


def desktop_entry(command: list[str]) -> str:
    """The .desktop file for ``command``; ``%f`` passes a lesson scene file opened with the app."""
    exec_line = _escape_value(" ".join(_exec_arg(a) for a in command) + " %f")
    return (
        "[Desktop Entry]\n"
        "Type=Application\n"
        "Version=1.4\n"
        "Name=Latent Explorer\n"
        "Name[fr]=Explorateur latent\n"
        "GenericName=Auto-encoder explorer\n"
        "GenericName[fr]=Explorateur d'auto-encodeurs\n"
        "Comment=Train an auto-encoder and a VAE on Fashion-MNIST and explore their latent spaces\n"
        "Comment[fr]=Entraîner un auto-encodeur et un VAE sur Fashion-MNIST et explorer leurs espaces latents\n"
        f"Icon={APP_ID}\n"
        f"TryExec={_escape_value(command[0])}\n"
        f"Exec={exec_line}\n"
        "Terminal=false\n"
        "StartupNotify=true\n"
        f"StartupWMClass={WM_CLASS}\n"
        "Categories=Education;Science;ArtificialIntelligence;\n"
        "Keywords=autoencoder;VAE;latent space;neural network;machine learning;Fashion-MNIST;\n"
        "Keywords[fr]=auto-encodeur;VAE;espace latent;réseau de neurones;apprentissage automatique;Fashion-MNIST;\n"
    )


def _supported() -> bool:
    if sys.platform in ("win32", "darwin"):
        _fail("menu entries are for Linux and other freedesktop systems (see README, Desktop menu)")
        return False
    return True


def _fail(message: str) -> int:
    print(f"{LAUNCHER}: error: {message}", file=sys.stderr)
    return 1


def _write(dest: Path, data: bytes) -> None:
    """Write through an exclusive temporary file (never through a file or link planted at its
    name), so a menu never reads half an entry."""
    dest.parent.mkdir(parents=True, exist_ok=True)
    atomic_write(dest, data)


def install(home: Path | None = None, command: list[str] | None = None) -> int:
    """Write the entry and the icons; prints each file; returns an exit status."""
    if not _supported():
        return 1
    home = data_home() if home is None else home
    command = launcher_command() if command is None else command
    for resource, dest in installed_files(home):
        if resource:
            data = resource_path(resource).read_bytes()
        else:
            data = desktop_entry(command).encode("utf-8")
        try:
            _write(dest, data)
        except OSError as exc:
            return _fail(f"cannot write {dest}: {exc.strerror or exc}")
        print(f"installed {dest}")
    print(f"Latent Explorer is in the applications menu (Education); it runs {' '.join(command)}")
    return 0


def uninstall(home: Path | None = None) -> int:
    """Remove exactly the files install writes; prints each; returns an exit status."""
    if not _supported():
        return 1
    home = data_home() if home is None else home
    removed = 0
    for _, dest in reversed(installed_files(home)):
        try:
            dest.unlink()
        except FileNotFoundError:
            continue
        except OSError as exc:
            return _fail(f"cannot remove {dest}: {exc.strerror or exc}")
        print(f"removed {dest}")
        removed += 1
    if not removed:
        print(f"no menu entry to remove in {home}")
    return 0
