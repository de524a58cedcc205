"""Finding the dataset in a worker and handing it to the session.

Fashion-MNIST when it is found and sound, else the bundled sample of its test split (with why
the full one is missing); another dataset (core.datasets) when asked for one. Its texts keep
the translation context "MainWindow", where they were first written.
"""

from __future__ import annotations

from PySide6.QtCore import QCoreApplication, QObject, Signal, Slot

from core.data import DataError, DataNotFoundError, load_fashion_mnist, load_sample
from core.datasets import DEFAULT, load_dataset
from explorer.state.session import Session
from explorer.workers import TaskRunner, Worker


def load_data(data_dir: str | None, download: bool, spec: str = DEFAULT, worker=None):
    """(dataset, why the full dataset is missing or None, whether its files are damaged rather
    than absent)."""
    if spec != DEFAULT:
        return load_dataset(spec, data_dir, download=download, progress=Progress(worker)), None, False
    try:
        return load_fashion_mnist(data_dir, download=download), None, False
    except DataError as exc:
        try:
            return load_sample(), str(exc), not isinstance(exc, DataNotFoundError)
        except DataError:
            raise exc from None


class Progress:
    """Relays a picture folder's conversion to the worker's progress signal, every 25 images."""

    def __init__(self, worker) -> None:
        self.worker = worker

    def __call__(self, done: int, total: int) -> None:
        if self.worker is not None and (done % 25 == 0 or done == total):
            self.worker.report((done, total))


class DataLoader(QObject):
    """Loads the session's dataset off the GUI thread; one load at a time."""

    started = Signal(bool)  # downloading
    progress = Signal(int, int)  # pictures converted, of how many
    problem = Signal(str, str)  # title, message

    def __init__(self, session: Session, runner: TaskRunner, data_dir: str | None, parent: QObject | None = None):
        super().__init__(parent)
        self.session = session
        self.runner = runner
        self.data_dir = data_dir
        self.worker: Worker | None = None
        self.damaged = False  # the full dataset's files are there but cannot be used
        self._downloading = False
        self._spec = DEFAULT

    @property
    def loading(self) -> bool:
        return self.runner.is_running("data")

    def load(self, download: bool = False, spec: str | None = None) -> None:
        if self.loading:
            return
        data_dir, spec = self.data_dir, spec or DEFAULT
        self._downloading, self._spec = download, spec
        self.worker = Worker(lambda worker: load_data(data_dir, download, spec, worker), "data")
        self.worker.finished.connect(self._on_worker_finished)
        self.worker.failed.connect(self._on_worker_failed)
        self.worker.progress.connect(self._on_worker_progress)
        self.started.emit(download)
        self.runner.start(self.worker)

    def stop(self) -> None:
        """Drop the load under way: its result is no longer wanted (the window closes)."""
        if self.worker is not None:
            for signal, slot in (
                (self.worker.finished, self._on_worker_finished),
                (self.worker.failed, self._on_worker_failed),
                (self.worker.progress, self._on_worker_progress),
            ):
                signal.disconnect(slot)
            self.worker = None

    @Slot(object)
    def _on_worker_finished(self, result) -> None:
        self.worker = None
        dataset, missing, self.damaged = result
        self.session.set_dataset(dataset, missing)
        if missing and self._downloading:
            self.problem.emit(QCoreApplication.translate("MainWindow", "Download failed"), missing)
        if dataset.skipped:
            shown = "\n".join(dataset.skipped[:12]) + ("\n…" if len(dataset.skipped) > 12 else "")
            self.problem.emit(
                QCoreApplication.translate("MainWindow", "{n} files skipped").format(n=len(dataset.skipped)),
                QCoreApplication.translate(
                    "MainWindow", "These files could not be read as pictures and were left out:\n{files}"
                ).format(files=shown),
            )

    @Slot(str)
    def _on_worker_failed(self, message: str) -> None:
        self.worker = None
        if self._spec != DEFAULT and self.session.dataset is not None:
            # Another dataset could not be loaded: keep the one the session has (the dataset
            # combo shows it again).
            self.problem.emit(QCoreApplication.translate("MainWindow", "Cannot load this dataset"), message)
            self.session.set_dataset(self.session.dataset, self.session.dataset_error)
            return
        self.session.set_dataset(None, message)

    @Slot(object)
    def _on_worker_progress(self, payload) -> None:
        self.progress.emit(*payload)
