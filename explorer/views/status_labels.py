"""The main window's status bar: what dataset is loaded, which models are open, how training
computes. Its texts keep the translation context "MainWindow", where they were first written."""

from __future__ import annotations

import torch
from PySide6.QtCore import QCoreApplication, QObject, Slot
from PySide6.QtWidgets import QLabel, QStatusBar

from core.datasets import DEFAULT, describe
from explorer.platform.i18n import format_count
from explorer.views.widgets import shrinkable


class StatusLabels(QObject):
    """Three permanent labels of ``bar`` that follow the session, its data loader and the
    training run."""

    def __init__(self, bar: QStatusBar, session, data_loader, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.session, self.data_loader = session, data_loader
        self.device = QLabel(objectName="deviceStatusLabel")
        self.dataset = QLabel(objectName="datasetStatusLabel")
        self.models = QLabel(objectName="modelsStatusLabel")
        for label in (self.dataset, self.models, self.device):
            label.setContentsMargins(8, 0, 8, 0)
            bar.addPermanentWidget(shrinkable(label))
        if torch.cuda.is_available():
            gpu = torch.cuda.get_device_name(0)
            self.device.setText(QCoreApplication.translate("MainWindow", "Device: {gpu}").format(gpu=gpu))
        else:
            self.device.setText(QCoreApplication.translate("MainWindow", "Device: CPU"))
        self.device.setToolTip(
            QCoreApplication.translate("MainWindow", "How training computes shows here once a run starts.")
        )
        self.dataset.setText(QCoreApplication.translate("MainWindow", "Fashion-MNIST: looking…"))
        data_loader.started.connect(self._on_data_loader_started)
        data_loader.progress.connect(self._on_data_loader_progress)
        session.datasetChanged.connect(self._on_session_dataset_changed)
        session.modelsChanged.connect(self._on_session_models_changed)
        self._on_session_models_changed()

    def follow(self, training_run) -> None:
        training_run.pathKnown.connect(self._on_training_path_known)

    @Slot(str)
    def _on_training_path_known(self, path: str) -> None:
        # e.g. "cpu, fp32, channels-last, AVX2, 2 threads, batch in 2 parts side by side"
        parts = path.split(", ")
        device = parts[0].upper() if parts[0] == "cpu" else parts[0]
        self.device.setText(
            QCoreApplication.translate("MainWindow", "Device: {device} — {how}").format(
                device=device, how=", ".join(parts[1:4])
            )
        )
        self.device.setToolTip(QCoreApplication.translate("MainWindow", "Training computes on: {path}").format(path=path))

    @Slot()
    def _on_session_models_changed(self) -> None:
        entries = self.session.entries
        if not entries:
            self.models.setText(QCoreApplication.translate("MainWindow", "Models: none yet"))
            return
        saved = QCoreApplication.translate("MainWindow", "{kind} ({n} ep.)")
        unsaved = QCoreApplication.translate("MainWindow", "{kind} ({n} ep., unsaved)")
        kinds = ", ".join((saved if e.saved else unsaved).format(kind=e.kind.upper(), n=e.epochs) for e in entries)
        self.models.setText(QCoreApplication.translate("MainWindow", "Models: {list}").format(list=kinds))

    @Slot(bool)
    def _on_data_loader_started(self, download: bool) -> None:
        self.dataset.setText(
            QCoreApplication.translate("MainWindow", "Fashion-MNIST: downloading…")
            if download
            else QCoreApplication.translate("MainWindow", "Fashion-MNIST: loading…")
        )

    @Slot(int, int)
    def _on_data_loader_progress(self, done: int, total: int) -> None:
        self.dataset.setText(
            QCoreApplication.translate("MainWindow", "Converting pictures: {done} of {total}…").format(
                done=done, total=total
            )
        )

    @Slot()
    def _on_session_dataset_changed(self) -> None:
        data, why = self.session.dataset, self.session.dataset_error or ""
        if data is None:
            text, tip, style = QCoreApplication.translate("MainWindow", "Fashion-MNIST: not found"), why, "color: #b00020;"
        elif data.sample:
            text = (
                QCoreApplication.translate("MainWindow", "Fashion-MNIST is damaged: using the bundled sample ({n} test images)")
                if self.data_loader.damaged
                else QCoreApplication.translate(
                    "MainWindow", "Fashion-MNIST not found: using the bundled sample ({n} test images)"
                )
            ).format(n=format_count(len(data.test)))
            tip = QCoreApplication.translate("MainWindow", "Training needs the full dataset. {why}").format(why=why)
            style = "color: #8a5a00;"
        else:
            train, test = format_count(len(data.train)), format_count(len(data.test))
            if data.info.spec != DEFAULT:
                text = QCoreApplication.translate("MainWindow", "{name}: {train} + {test} images").format(
                    name=describe(data.info.spec), train=train, test=test
                )
            else:
                text = QCoreApplication.translate("MainWindow", "Fashion-MNIST: {train} + {test} images").format(
                    train=train, test=test
                )
            tip, style = QCoreApplication.translate("MainWindow", "From {source}").format(source=data.source), ""
        self.dataset.setText(text)
        self.dataset.setToolTip(tip)
        self.dataset.setStyleSheet(style)
