"""Fashion-MNIST without surprises: find it, read it, hold it as uint8 tensors.

The four IDX files are looked for, in order, in: an explicit folder (argument or the
``LATENT_EXPLORER_DATA`` environment variable), the app's own data folder, a torchvision-style
root (``FashionMNIST/raw/`` below one of those, or below ``./data``), and Debian's package
``dataset-fashion-mnist`` (``/usr/share/datasets/fashion-mnist``). Only then, and only when
asked, torchvision downloads them into the app's data folder.

The whole split stays one ``(N, 28, 28)`` uint8 tensor; batches are taken by index and
converted to float on the fly, with no per-image PIL round trip.
"""

from __future__ import annotations

import gzip
import hashlib
import math
import os
import struct
import zlib
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

import numpy as np
import torch

from core import limits
from core.paths import user_cache_dir, user_data_dir
from core.safe_io import UnsafeFileError, atomic_write, open_regular

ENV_VAR = "LATENT_EXPLORER_DATA"
DEBIAN_DIR = Path("/usr/share/datasets/fashion-mnist")

CLASS_NAMES = (
    "T-shirt/top",
    "Trouser",
    "Pullover",
    "Dress",
    "Coat",
    "Sandal",
    "Shirt",
    "Sneaker",
    "Bag",
    "Ankle boot",
)



@dataclass(frozen=True)
class DatasetInfo:
    """Which dataset a model learnt: its name (``fashion-mnist``, ``mnist``, a folder's name), the
    names of its classes in label order, and ``spec``, what ``core.datasets.load_dataset`` needs
    to find it again (the name, or a folder's absolute path)."""

    name: str = "fashion-mnist"
    class_names: tuple[str, ...] = CLASS_NAMES
    spec: str = "fashion-mnist"


FASHION_MNIST = DatasetInfo()

SPLIT_FILES = {
    "train": ("train-images-idx3-ubyte", "train-labels-idx1-ubyte", 60_000),
    "test": ("t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte", 10_000),
}

_IDX_UBYTE = 0x08
_GZIP_MAGIC = b"\x1f\x8b"
_DEFLATE_MAX_RATIO = 1032  # the most deflate can compress: an upper bound on data size

HOW_TO_GET_DATA = (
    "Get Fashion-MNIST in one of three ways: "
    "(1) on Debian/Ubuntu, 'sudo apt install dataset-fashion-mnist'; "
    "(2) download the four .gz files from github.com/zalandoresearch/fashion-mnist "
    f"(folder data/fashion) and pass their folder with --data-dir or {ENV_VAR}; "
    "(3) connect to the internet and let the app download them."
)


class DataError(Exception):
    """A dataset problem whose message can be shown to a user as is."""


class DataFormatError(DataError):
    """A file exists but is not a valid IDX file of the expected shape."""


class DataAccessError(DataError):
    """A file or folder exists but cannot be read (permissions, I/O error)."""


class DataNotFoundError(DataError):
    """No copy of Fashion-MNIST was found (and none could be downloaded)."""


def read_idx(
    path: str | os.PathLike, *, expected_ndim: int | None = None, max_items: int = limits.IDX_ITEMS
) -> torch.Tensor:
    """Read an IDX file of unsigned bytes (gzipped or not) into a uint8 tensor.

    Checks the magic number, the data type, the number of dimensions, the number of items (at
    most ``max_items``: the dataset's own count when it is known) and that the file
    holds exactly the bytes its header announces. Raises DataFormatError (or DataAccessError when
    the file cannot be read at all) naming the file otherwise. Only a regular file is opened
    (core.safe_io), and the header is checked against the counts and the file's own size before
    anything is allocated or decompressed, so a lying header costs nothing.
    """
    path = Path(path)
    cached = _decompressed_copy(path)
    if cached is not None and cached.exists():
        try:
            return _read_idx_file(cached, expected_ndim, max_items)
        except (DataFormatError, DataAccessError):  # a copy cut short (disk full…): read the .gz
            pass
    images = _read_idx_file(path, expected_ndim, max_items)
    if cached is not None:
        _keep_decompressed(cached, images)
    return images


def _read_idx_file(path: Path, expected_ndim: int | None, max_items: int) -> torch.Tensor:
    try:
        with open_regular(path, limits.IDX_BYTES) as (file, size):
            gzipped = file.read(2) == _GZIP_MAGIC
            file.seek(0)
            stream = gzip.GzipFile(fileobj=file, mode="rb") if gzipped else file
            return _read_idx_stream(path, stream, size, gzipped, expected_ndim, max_items)
    except UnsafeFileError as exc:
        if exc.reason == "too_large":
            raise DataFormatError(f"{path} is too large for an IDX file of images ({exc}).") from None
        raise DataAccessError(f"Cannot read {path}: it is not a regular file.") from None
    except EOFError:
        raise DataFormatError(f"{path} is truncated: its gzip stream ends early.") from None
    except (zlib.error, gzip.BadGzipFile) as exc:
        raise DataFormatError(f"{path} is damaged (gzip: {exc}).") from None
    except OSError as exc:
        raise DataAccessError(f"Cannot read {path}: {exc.strerror or exc}.") from None


# Gzipped IDX files at least this big are kept decompressed in the app's cache folder: the
# training images take 0.3–0.4 s to inflate (zlib itself), the copy 0.03 s to read, which is
# most of the time from the window's panels to the first map.
_CACHE_FROM_BYTES = 1 << 20


def _decompressed_copy(path: Path) -> Path | None:
    """Where the decompressed copy of a big gzipped IDX file is kept (None: not kept), named after
    the file and what identifies its version (full path, size, modification time)."""
    try:
        with open_regular(path, limits.IDX_BYTES) as (file, size):
            info = os.fstat(file.fileno())
            if size < _CACHE_FROM_BYTES or file.read(2) != _GZIP_MAGIC:
                return None
    except (OSError, UnsafeFileError):
        return None  # reading it will say what is wrong
    key = hashlib.sha256(f"{path.resolve()}|{info.st_size}|{info.st_mtime_ns}".encode()).hexdigest()[:16]
    return user_cache_dir() / "idx" / f"{path.name.removesuffix('.gz')}-{key}"


def _keep_decompressed(cached: Path, data: torch.Tensor) -> None:
    """Write the decompressed IDX file (its header and bytes), replacing older copies of the same
    file; nothing is lost if it cannot be written (the .gz is read again next time)."""
    header = struct.pack(">HBB", 0, _IDX_UBYTE, data.ndim) + struct.pack(f">{data.ndim}I", *data.shape)
    try:
        cached.parent.mkdir(parents=True, exist_ok=True)
        for old in cached.parent.glob(cached.name.rsplit("-", 1)[0] + "-*"):
            if old.name != cached.name:
                old.unlink(missing_ok=True)
        atomic_write(cached, header + data.numpy().tobytes())
    except OSError:
        pass


def _read_idx_stream(
    path: Path, stream: BinaryIO, size: int, gzipped: bool, expected_ndim: int | None, max_items: int
) -> torch.Tensor:
    magic = stream.read(4)
    if len(magic) < 4:
        raise DataFormatError(f"{path} is not an IDX file: only {len(magic)} bytes.")
    zero, dtype, ndim = struct.unpack(">HBB", magic)
    if zero != 0 or dtype != _IDX_UBYTE or not 1 <= ndim <= 4:
        raise DataFormatError(
            f"{path} is not an IDX file of bytes (magic number 0x{magic.hex()}, expected 0x0000080N)."
        )
    if expected_ndim is not None and ndim != expected_ndim:
        raise DataFormatError(f"{path} has {ndim} dimensions, expected {expected_ndim}.")
    sizes = stream.read(4 * ndim)
    if len(sizes) < 4 * ndim:
        raise DataFormatError(f"{path} is truncated inside its header.")
    shape = struct.unpack(f">{ndim}I", sizes)
    expected = math.prod(shape)  # Python ints: no int64 overflow
    announced = f"header announces {'×'.join(map(str, shape))} = {expected} bytes of data"
    if shape[0] > max_items or expected > limits.IDX_BYTES:  # before anything is decompressed
        raise DataFormatError(
            f"{path} is damaged: its header announces {shape[0]:,} items ({expected:,} bytes), "
            f"more than the {max_items:,} this file can hold."
        )
    if not gzipped:
        actual = size - 4 - 4 * ndim
        data = stream.read(expected) if actual == expected else b""
    elif expected > size * _DEFLATE_MAX_RATIO:  # deflate never packs more than 1032:1
        raise DataFormatError(f"{path} is truncated: {announced}, more than its {size} bytes can hold.")
    else:
        data = stream.read(expected + 1)  # one byte more tells a file longer than announced
        actual = len(data)
    if actual != expected:
        what = "truncated" if actual < expected else "longer than its header says"
        holds = "more" if gzipped and actual > expected else str(actual)
        raise DataFormatError(f"{path} is {what}: {announced}, the file holds {holds}.")
    return torch.from_numpy(np.frombuffer(data, dtype=np.uint8).reshape(shape).copy())


@dataclass(frozen=True)
class Split:
    """One split of Fashion-MNIST: images (N, 28, 28) uint8 and labels (N,) int64."""

    images: torch.Tensor
    labels: torch.Tensor

    def __len__(self) -> int:
        return len(self.labels)

    def head(self, n: int | None) -> Split:
        """The first n items (all when n is None)."""
        if n is None or n >= len(self):
            return self
        return Split(self.images[:n], self.labels[:n])

    def to(self, device: torch.device | str) -> Split:
        return Split(self.images.to(device), self.labels.to(device))

    def take(self, indices: np.ndarray | torch.Tensor) -> Split:
        """The items at these indices, in that order."""
        index = torch.as_tensor(np.asarray(indices, dtype=np.int64))
        return Split(self.images[index], self.labels[index])


@dataclass(frozen=True)
class Dataset:
    """Both splits and where they came from."""

    train: Split
    test: Split
    source: str  # a folder, or a description such as "downloaded to ..."
    # The bundled sample stands in when Fashion-MNIST is missing: a part of the test split, no
    # training split. test_ids: where its images sit in the full test split.
    sample: bool = False
    test_ids: np.ndarray | None = None
    info: DatasetInfo = FASHION_MNIST
    skipped: tuple[str, ...] = ()  # files of an image folder that could not be read, with why

    def test_labels_at(self, full_indices: np.ndarray) -> np.ndarray | None:
        """Labels of test images given by their index in the full test split; None when some of
        them are not in this dataset (the sample holds only part of the test split)."""
        full_indices = np.asarray(full_indices, dtype=np.int64)
        labels = self.test.labels.numpy()
        if self.test_ids is None:
            if len(full_indices) and (full_indices.min() < 0 or full_indices.max() >= len(labels)):
                return None
            return labels[full_indices]
        where = np.searchsorted(self.test_ids, full_indices)
        where = np.clip(where, 0, len(self.test_ids) - 1)
        if not np.array_equal(self.test_ids[where], full_indices):
            return None
        return labels[where]


def load_split(
    folder: str | os.PathLike,
    split: str,
    *,
    n_classes: int = len(CLASS_NAMES),
    stems: tuple[str, str] | None = None,
) -> Split:
    """Read one split from a folder holding the IDX files (``.gz`` or not): at most the
    dataset's own number of images (60,000 / 10,000; a part of it is fine). ``stems`` names
    the image and label files of another dataset (EMNIST's ``emnist-letters-…``), whose
    count is not known: then at most ``limits.IDX_ITEMS``."""
    folder = Path(folder)
    image_stem, label_stem, count = SPLIT_FILES[split]
    if stems is not None:
        (image_stem, label_stem), count = stems, limits.IDX_ITEMS
    images = read_idx(_existing(folder, image_stem), expected_ndim=3, max_items=count)
    labels = read_idx(_existing(folder, label_stem), expected_ndim=1, max_items=count)
    if tuple(images.shape[1:]) != (28, 28):
        raise DataFormatError(f"{folder}: {split} images are {tuple(images.shape[1:])}, expected 28×28.")
    if len(images) == 0:
        raise DataFormatError(f"{folder}: the {split} split holds no images.")
    if len(images) != len(labels):
        raise DataFormatError(f"{folder}: {len(images)} {split} images but {len(labels)} labels.")
    if len(labels) and int(labels.max()) >= n_classes:
        raise DataFormatError(
            f"{folder}: {split} labels go up to {int(labels.max())}, expected 0–{n_classes - 1}."
        )
    return Split(images, labels.long())


def _existing(folder: Path, stem: str) -> Path:
    for name in (stem, stem + ".gz"):
        try:
            if (folder / name).is_file():
                return folder / name
        except OSError as exc:  # e.g. a folder we may not enter
            raise DataAccessError(f"Cannot read {folder / name}: {exc.strerror or exc}.") from None
    raise DataNotFoundError(f"{folder} has no {stem}[.gz].")


def has_files(folder: Path) -> bool:
    """Whether a folder holds all four IDX files (gzipped or not)."""
    stems = [stem for files in SPLIT_FILES.values() for stem in files[:2]]
    return all((folder / s).is_file() or (folder / (s + ".gz")).is_file() for s in stems)


def candidate_folders(data_dir: str | os.PathLike | None = None) -> list[Path]:
    """Folders searched for the IDX files, in order of preference."""
    roots: list[Path] = []
    explicit = data_dir or os.environ.get(ENV_VAR)
    if explicit:
        roots.append(Path(explicit).expanduser())
    roots.append(user_data_dir() / "fashion-mnist")
    roots.append(Path.cwd() / "data")
    folders: list[Path] = []
    for root in roots:
        # Files directly in the folder, or a torchvision-style root (FashionMNIST/raw/),
        # including the lab notebook's root='./data/FashionMNIST'.
        for folder in (root, root / "FashionMNIST" / "raw", root / "FashionMNIST" / "FashionMNIST" / "raw"):
            if folder not in folders:
                folders.append(folder)
    folders.append(DEBIAN_DIR)
    return folders


def find_data_folder(data_dir: str | os.PathLike | None = None) -> Path | None:
    """The first candidate folder that holds all four files, or None."""
    explicit = data_dir or os.environ.get(ENV_VAR)
    if explicit:
        # A folder the user named must hold the data: falling back silently to another copy
        # would train on something they did not ask for.
        root = Path(explicit).expanduser()
        try:
            if not root.is_dir():
                raise DataNotFoundError(f"The data folder {root} does not exist.")
            for folder in candidate_folders(data_dir)[:3]:
                if has_files(folder):
                    return folder
        except OSError as exc:
            raise DataAccessError(f"Cannot read the data folder {root}: {exc.strerror or exc}.") from None
        raise DataNotFoundError(
            f"The data folder {root} does not hold the four Fashion-MNIST files "
            "(train-images-idx3-ubyte, train-labels-idx1-ubyte, t10k-images-idx3-ubyte, "
            f"t10k-labels-idx1-ubyte, each optionally .gz). {HOW_TO_GET_DATA}"
        )
    for folder in candidate_folders(data_dir):
        try:
            if has_files(folder):
                return folder
        except OSError:  # unreadable folder: keep looking
            continue
    return None


def load_fashion_mnist(data_dir: str | os.PathLike | None = None, *, download: bool = False) -> Dataset:
    """Find and read Fashion-MNIST; download it through torchvision only if allowed.

    Raises DataNotFoundError (listing where it looked and how to get the data) or
    DataFormatError (naming the bad file).
    """
    folder = find_data_folder(data_dir)
    if folder is not None:
        return Dataset(load_split(folder, "train"), load_split(folder, "test"), str(folder))
    looked = ", ".join(str(f) for f in candidate_folders(data_dir))
    if download:
        target = user_data_dir() / "fashion-mnist"
        try:
            _download_with_torchvision(target)
        except Exception as exc:  # no network, refused, disk full: all end the same way
            raise DataNotFoundError(
                f"Fashion-MNIST was not found (looked in {looked}) and the download failed "
                f"({type(exc).__name__}: {exc}). {HOW_TO_GET_DATA}"
            ) from None
        folder = target / "FashionMNIST" / "raw"
        return Dataset(load_split(folder, "train"), load_split(folder, "test"), f"downloaded to {folder}")
    raise DataNotFoundError(f"Fashion-MNIST was not found (looked in {looked}). {HOW_TO_GET_DATA}")


def _download_with_torchvision(root: Path, dataset_class: str = "FashionMNIST") -> None:
    """Fetch the four .gz files into root/<dataset_class>/raw with torchvision's mirrors and MD5s
    (dataset_class: FashionMNIST, MNIST or KMNIST, the torchvision class that lists them).

    Not through the FashionMNIST dataset class: it would read all the data a second time, and
    when a processed/*.pt cache lies in root it opens it with torch.load. Each file is
    downloaded under a temporary name and renamed once its checksum is right, so a download
    cut short never leaves a damaged file where the finder would pick it up.
    """
    import torchvision.datasets
    from torchvision.datasets.utils import download_url

    source = getattr(torchvision.datasets, dataset_class)
    raw = root / dataset_class / "raw"
    raw.mkdir(parents=True, exist_ok=True)
    for filename, md5 in source.resources:
        if (raw / filename).is_file():
            continue
        partial = f".{filename}.part"
        for index, mirror in enumerate(source.mirrors):
            try:
                download_url(f"{mirror}{filename}", str(raw), partial, md5)
                break
            except (OSError, RuntimeError):  # no network, or a bad checksum (RuntimeError)
                (raw / partial).unlink(missing_ok=True)
                if index == len(source.mirrors) - 1:
                    raise
        os.replace(raw / partial, raw / filename)


def to_float(images: torch.Tensor) -> torch.Tensor:
    """uint8 (B, 28, 28) → float (B, 1, 28, 28) in [0, 1], exactly as ToTensor() scales."""
    return images.unsqueeze(1).float().div_(255)


def add_uniform_noise(
    images: torch.Tensor, level: float = 0.5, generator: torch.Generator | None = None
) -> torch.Tensor:
    """The lab's noise: ``clamp(x + level · (U[0,1) − 0.5), 0, 1)`` on float images."""
    noise = torch.rand(images.shape, generator=generator, device=images.device, dtype=images.dtype)
    return torch.clamp(images + level * (noise - 0.5), 0.0, 1.0)


SAMPLE_IDS_FILE = "t10k-indices.txt"


def sample_folder() -> Path:
    """The bundled sample of the test split (resources/sample)."""
    from resources import resource_path

    return Path(str(resource_path("sample")))


def load_sample(folder: str | os.PathLike | None = None) -> Dataset:
    """The bundled, class-balanced sample of Fashion-MNIST's test split (2,000 images): enough
    for the maps, reconstructions and denoising when the full dataset is not on the machine.
    Its training split is empty."""
    folder = Path(folder) if folder is not None else sample_folder()
    test = load_split(folder, "test")
    ids_file = folder / SAMPLE_IDS_FILE
    try:
        ids = np.array(ids_file.read_text(encoding="ascii").split(), dtype=np.int64)
    except (OSError, ValueError, UnicodeDecodeError) as exc:
        raise DataFormatError(f"Cannot read {ids_file}: {exc}") from None
    if len(ids) != len(test) or np.any(np.diff(ids) <= 0) or (len(ids) and ids[0] < 0):
        raise DataFormatError(f"{ids_file} does not list one increasing index per sample image.")
    empty = Split(torch.zeros((0, 28, 28), dtype=torch.uint8), torch.zeros(0, dtype=torch.int64))
    return Dataset(empty, test, f"bundled sample of {len(test):,} test images", sample=True, test_ids=ids)


def write_sample(dataset: Dataset, folder: str | os.PathLike, n: int = 2000) -> Path:
    """Write a class-balanced sample of dataset's test split as gzipped IDX files plus the list
    of the images' indices in the full split (how resources/sample is made)."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    ids = subset_indices(dataset.test, n)
    sample = dataset.test.take(ids)
    images = sample.images.numpy()
    labels = sample.labels.numpy().astype(np.uint8)
    image_stem, label_stem, _ = SPLIT_FILES["test"]
    for stem, array in ((image_stem, images), (label_stem, labels)):
        header = struct.pack(">HBB", 0, _IDX_UBYTE, array.ndim) + struct.pack(f">{array.ndim}I", *array.shape)
        # mtime=0: the same data gives the same bytes.
        (folder / (stem + ".gz")).write_bytes(gzip.compress(header + array.tobytes(), mtime=0))
    (folder / SAMPLE_IDS_FILE).write_text("\n".join(map(str, ids)) + "\n", encoding="ascii")
    return folder


def subset_indices(split: Split, n: int, seed: int = 0) -> np.ndarray:
    """n indices of split, the same for every model, class-balanced as far as possible."""
    n = min(n, len(split))
    if n == len(split):
        return np.arange(n)
    rng = np.random.default_rng(seed)
    labels = split.labels.numpy()
    per_class = [rng.permutation(np.flatnonzero(labels == c)) for c in range(int(labels.max()) + 1)]
    chosen: list[int] = []
    i = 0
    while len(chosen) < n:
        for group in per_class:
            if i < len(group) and len(chosen) < n:
                chosen.append(int(group[i]))
        i += 1
    return np.sort(np.asarray(chosen))
