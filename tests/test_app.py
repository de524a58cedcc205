from explorer.app import build_window


def test_build_window(qtbot):
    window = build_window([])
    qtbot.addWidget(window)
    assert window.objectName() == "mainWindow"
    assert window.windowTitle() == "Latent Explorer"
