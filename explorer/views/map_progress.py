"""Small views shared by the maps: a t-SNE's progress with Pause / Resume, and the plain sign of
how far a code estimated on a t-SNE map can be trusted."""

from __future__ import annotations

from PySide6.QtCore import QCoreApplication, Signal, Slot
from PySide6.QtWidgets import QHBoxLayout, QLabel, QPushButton, QWidget
from explorer.views.widgets import shrinkable

from core.tsne import BlendedCode


class TsneProgress(QWidget):
    """"t-SNE: iteration 350 / 750 · 12 s" and a Pause / Resume button; hidden when idle."""

    pauseToggled = Signal(bool)  # True: pause

    def __init__(self, name: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.label = shrinkable(QLabel(objectName=f"{name}TsneProgress"))  # never widens the window
        self.button = QPushButton(self.tr("Pause"), objectName=f"{name}TsnePauseButton", checkable=True)
        self.button.toggled.connect(self._on_button_toggled)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.label, 1)
        layout.addWidget(self.button)
        # The row keeps its height when the progress appears: the panel's minimum height must
        # not grow past a 720p projector the moment a t-SNE starts.
        policy = self.sizePolicy()
        policy.setRetainSizeWhenHidden(True)
        self.setSizePolicy(policy)
        self.setVisible(False)

    def show_progress(self, iteration: int, total: int, seconds: float, paused: bool) -> None:
        if total <= 1:  # scikit-learn's t-SNE reports no iterations: time only, no pause
            text = self.tr("t-SNE (scikit-learn): computing… {s:.0f} s").format(s=seconds)
        else:
            text = self.tr("t-SNE: iteration {i} / {n} · {s:.0f} s").format(i=iteration, n=total, s=seconds)
        if paused:
            text += " · " + self.tr("paused")
        self.label.setText(text)
        self.button.setVisible(total > 1)
        self.button.blockSignals(True)
        self.button.setChecked(paused)
        self.button.setText(self.tr("Resume") if paused else self.tr("Pause"))
        self.button.blockSignals(False)
        self.setVisible(True)

    def idle(self) -> None:
        self.setVisible(False)

    @Slot(bool)
    def _on_button_toggled(self, on: bool) -> None:
        self.button.setText(self.tr("Resume") if on else self.tr("Pause"))
        self.pauseToggled.emit(on)


def trust_text(blend: BlendedCode) -> str:
    """A plain sentence on an estimated code: how far the nearest real point is, and so how far
    the picture can be trusted."""
    if blend.relative_distance <= 1.5:
        sign = QCoreApplication.translate("TsneTrust", "● close to real points: a fair estimate")
    elif blend.relative_distance <= 5:
        sign = QCoreApplication.translate("TsneTrust", "◐ between points: a rough estimate")
    else:
        sign = QCoreApplication.translate("TsneTrust", "○ far from every point: a guess")
    text = QCoreApplication.translate(
        "TsneTrust", "Estimated from the nearest map points ({r:.1f}× their usual spacing away): {sign}"
    )
    return text.format(r=blend.relative_distance, sign=sign)
