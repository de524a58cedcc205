"""A Qt start-up that would abort for want of X11 libraries says which, in one line."""

import sys

import pytest

from explorer import app


@pytest.fixture
def x11(monkeypatch):
    monkeypatch.setattr(sys, "platform", "linux")
    monkeypatch.delenv("QT_QPA_PLATFORM", raising=False)
    monkeypatch.delenv("WAYLAND_DISPLAY", raising=False)
    monkeypatch.setenv("DISPLAY", ":0")


def fake_loader(absent):
    def load(name):
        if name in absent:
            raise OSError(f"{name}: cannot open shared object file")

    return load


def test_missing_xcb_libraries_are_named(x11):
    absent = {"libxcb-icccm.so.4", "libxcb-keysyms.so.1"}
    assert app.missing_xcb_libraries(fake_loader(absent)) == ["libxcb-icccm.so.4", "libxcb-keysyms.so.1"]
    assert app.missing_xcb_libraries(fake_loader(set())) == []


def test_other_platforms_are_not_checked(x11, monkeypatch):
    everything = set(app.XCB_LIBRARIES)
    monkeypatch.setenv("QT_QPA_PLATFORM", "offscreen")
    assert app.missing_xcb_libraries(fake_loader(everything)) == []
    monkeypatch.delenv("QT_QPA_PLATFORM")
    monkeypatch.setenv("WAYLAND_DISPLAY", "wayland-0")
    assert app.missing_xcb_libraries(fake_loader(everything)) == []


def test_main_prints_one_line_with_the_libraries_and_the_log(x11, monkeypatch, capsys, tmp_path):
    monkeypatch.setattr(app, "missing_xcb_libraries", lambda: ["libxcb-icccm.so.4"])
    monkeypatch.setattr(app.crash, "setup_logging", lambda: tmp_path / "latent-explorer.log")
    assert app.main([]) == 1
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1
    assert "libxcb-icccm.so.4" in err[0] and "libxcb-icccm4" in err[0]
    assert str(tmp_path / "latent-explorer.log") in err[0]
