"""Bind a widget and a state value both ways (napari's ``connect_setattr``, glue's ``autoconnect``).

The widget's change goes to the state; the state's change signal moves the widget. A value has
one route whatever moved it: a widget, a button, a map click, a scene. While the binding moves
its widget, the widget's own change signal is ignored, so the state never hears its own value
back (a slider's integer position would round a code set elsewhere).
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QObject, SignalInstance
from PySide6.QtWidgets import QAbstractSlider, QComboBox, QSpinBox

from explorer.state.explorer import signal_name


class Binding(QObject):
    """``edited(*args)`` (the widget's signal) → ``write(*args)`` (into the state);
    ``changed`` (the state's signal) → ``show()`` (the state's value onto the widget)."""

    def __init__(
        self,
        edited: SignalInstance,
        write: Callable[..., None],
        changed: SignalInstance,
        show: Callable[[], None],
        parent: QObject,
    ) -> None:
        super().__init__(parent)
        self._write, self._show = write, show
        self._showing = False
        edited.connect(self._on_widget_edited)
        changed.connect(self._on_state_changed)

    def refresh(self) -> None:
        """Put the state's value on the widget now (e.g. once the widget's range changed)."""
        if self._showing:
            return
        self._showing = True
        try:
            self._show()
        finally:
            self._showing = False

    def _on_widget_edited(self, *args) -> None:
        if not self._showing:
            self._write(*args)

    def _on_state_changed(self, *_args) -> None:
        self.refresh()


def bind(
    widget,
    state: QObject,
    name: str,
    to_state: Callable = lambda v: v,
    to_widget: Callable = lambda v: v,
) -> Binding:
    """Bind a combo box (by item data), a spin box or a slider to ``state.<name>``, whose change
    signal is ``<name>Changed`` in camelCase; ``to_state`` / ``to_widget`` convert the value."""
    if isinstance(widget, QComboBox):
        edited = widget.currentIndexChanged

        def write(_index: int) -> None:
            setattr(state, name, to_state(widget.currentData()))

        def show() -> None:
            index = widget.findData(to_widget(getattr(state, name)))
            if index >= 0:
                widget.setCurrentIndex(index)

    elif isinstance(widget, (QSpinBox, QAbstractSlider)):
        edited = widget.valueChanged

        def write(value: int) -> None:
            setattr(state, name, to_state(value))

        def show() -> None:
            widget.setValue(to_widget(getattr(state, name)))

    else:
        raise TypeError(f"cannot bind a {type(widget).__name__}")
    binding = Binding(edited, write, getattr(state, signal_name(name)), show, widget)
    binding.refresh()
    return binding
