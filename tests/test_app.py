from explorer.app import build_window


def test_build_window(qtbot):
    window = build_window([])
    qtbot.addWidget(window)
    try:
        assert window.objectName() == "mainWindow"
        assert window.windowTitle() == "Latent Explorer"
    finally:
        # Its data-loading thread must end before the window can be collected: a QThread
        # destroyed while running aborts the whole test process.
        window.shutdown()
