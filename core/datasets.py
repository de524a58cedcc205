"""Datasets by name or folder: Fashion-MNIST, MNIST, KMNIST, EMNIST-style IDX files, your pictures.

``load_dataset(spec)`` takes what ``latent-explorer-train --dataset`` takes:

- a name, ``fashion-mnist`` (the default), ``mnist`` or ``kmnist``: the four IDX files are looked
  for where Fashion-MNIST is (an explicit folder, the app's data folder, a torchvision-style root
  ``<Name>/raw/``, Debian's ``/usr/share/datasets/<name>/``) and, when allowed, downloaded with
  torchvision's downloader (its mirrors and checksums, not its dataset class);
- a folder of IDX files with any common prefix (EMNIST's ``emnist-letters-train-images-idx3-ubyte``):
  class names come from its ``*-mapping.txt`` when present;
- a folder of pictures with one subfolder per class (see ``core.images``).

Every Dataset it returns carries a DatasetInfo (name, class names, how to find it again) that a
checkpoint stores, so a model always shows its own dataset's class names.
"""

from __future__ import annotations

import os
import re
import string
from dataclasses import dataclass
from pathlib import Path

from core import data
from core.data import (
    FASHION_MNIST,
    DataError,
    DataFormatError,
    DataNotFoundError,
    Dataset,
    DatasetInfo,
    Split,
    load_split,
)
from core.images import Progress, is_image_folder, load_image_folder
from core.paths import user_data_dir

DEFAULT = "fashion-mnist"
MAX_CLASSES = 1000  # labels are bytes, but a map legend of more than this means a wrong file


@dataclass(frozen=True)
class NamedDataset:
    """A dataset this app knows by name."""

    name: str
    title: str
    class_names: tuple[str, ...]
    torchvision_class: str  # the torchvision class that lists its files; also its root folder
    box: int  # an opened picture is fitted into a box×box square, as the dataset's images are

    @property
    def info(self) -> DatasetInfo:
        return DatasetInfo(self.name, self.class_names, self.name)


NAMED = {
    d.name: d
    for d in (
        NamedDataset("fashion-mnist", "Fashion-MNIST", FASHION_MNIST.class_names, "FashionMNIST", 28),
        # MNIST's digits were fitted into 20×20 and centred in 28×28.
        NamedDataset("mnist", "MNIST", tuple(string.digits), "MNIST", 20),
        NamedDataset(
            "kmnist",
            "Kuzushiji-MNIST",
            ("o", "ki", "su", "tsu", "na", "ha", "ma", "ya", "re", "wo"),
            "KMNIST",
            28,
        ),
    )
}

_EMNIST_CLASSES = {
    "byclass": sorted(string.digits + string.ascii_letters),
    "bymerge": sorted(set(string.digits + string.ascii_letters) - set("cijklmopsuvwxyz")),
    "balanced": sorted(set(string.digits + string.ascii_letters) - set("cijklmopsuvwxyz")),
    "letters": ["N/A", *string.ascii_lowercase],
    "digits": list(string.digits),
    "mnist": list(string.digits),
}
_TRAIN_IMAGES = re.compile(r"^(.*)train-images[-.]idx3-ubyte(\.gz)?$")


def box_for(info: DatasetInfo) -> int:
    """The square a picture is fitted into to look like this dataset's images."""
    named = NAMED.get(info.spec)
    if named is not None:
        return named.box
    return 20 if "mnist" in info.name.lower() else 28  # EMNIST follows MNIST; pictures follow Fashion


def describe(spec: str | None) -> str:
    """A short human name for a dataset spec (the title of a named one, else the folder's name)."""
    spec = spec or DEFAULT
    named = NAMED.get(spec.lower())
    return named.title if named else Path(spec).name or spec


def load_dataset(
    spec: str | None = None,
    data_dir: str | os.PathLike | None = None,
    *,
    download: bool = False,
    progress: Progress | None = None,
) -> Dataset:
    """A dataset by name or folder (see the module's text). ``data_dir`` is where named datasets
    are looked for first; ``progress(done, total)`` follows the conversion of a picture folder.
    Raises DataError subclasses with messages a user can act on."""
    spec = (spec or DEFAULT).strip()
    named = NAMED.get(spec.lower())
    if named is not None:
        return load_named(named.name, data_dir, download=download)
    path = Path(spec).expanduser()
    try:
        if path.is_dir():
            path = path.resolve()
            if _idx_prefixes(path):
                return load_idx_folder(path)
            if is_image_folder(path):
                return load_image_folder(path, progress=progress)
            raise DataNotFoundError(
                f"{path} holds neither IDX files (…train-images-idx3-ubyte[.gz] and the three others) "
                "nor one subfolder of pictures per class."
            )
        if path.parent.is_dir() and path.name and path.name in _idx_prefixes(path.parent.resolve()):
            return load_idx_folder(path.parent.resolve(), path.name)
    except OSError as exc:
        raise data.DataAccessError(f"Cannot read {path}: {exc.strerror or exc}.") from None
    known = ", ".join(NAMED)
    raise DataNotFoundError(
        f"Unknown dataset {spec!r}: give one of {known}, a folder of IDX files, or a folder of pictures "
        "with one subfolder per class."
    )


# --- named datasets -----------------------------------------------------------------------


def candidate_folders(name: str, data_dir: str | os.PathLike | None = None) -> list[Path]:
    """Folders searched for a named dataset's IDX files, in order of preference."""
    if name == DEFAULT:
        return data.candidate_folders(data_dir)
    tv = NAMED[name].torchvision_class
    roots = []
    explicit = data_dir or os.environ.get(data.ENV_VAR)
    if explicit:
        roots.append(Path(explicit).expanduser())
    roots += [user_data_dir(), Path.cwd() / "data"]
    folders = []
    for root in roots:
        # Not root itself: MNIST's files have Fashion-MNIST's names, and a --data-dir usually
        # holds Fashion-MNIST. root/name/<tv>/raw is where a download goes.
        for folder in (root / name, root / name / tv / "raw", root / tv / "raw", root / tv / tv / "raw"):
            if folder not in folders:
                folders.append(folder)
    folders.append(Path("/usr/share/datasets") / name)
    return folders


def load_named(name: str, data_dir: str | os.PathLike | None = None, *, download: bool = False) -> Dataset:
    """Fashion-MNIST, MNIST or KMNIST from the first folder that has it, or downloaded."""
    named = NAMED[name]
    if name == DEFAULT:
        return data.load_fashion_mnist(data_dir, download=download)  # carries FASHION_MNIST already
    folders = candidate_folders(name, data_dir)
    for folder in folders:
        try:
            if data.has_files(folder):
                return _named_from(folder, named, str(folder))
        except OSError:
            continue
    looked = ", ".join(str(f) for f in folders)
    how = (
        f"Put its four IDX files (train-images-idx3-ubyte.gz, …) in {user_data_dir() / name}, "
        "or connect to the internet and let the app download them."
    )
    if download:
        root = user_data_dir() / name
        try:
            data._download_with_torchvision(root, named.torchvision_class)
        except Exception as exc:  # no network, refused, disk full: all end the same way
            raise DataNotFoundError(
                f"{named.title} was not found (looked in {looked}) and the download failed "
                f"({type(exc).__name__}: {exc}). {how}"
            ) from None
        folder = root / named.torchvision_class / "raw"
        return _named_from(folder, named, f"downloaded to {folder}")
    raise DataNotFoundError(f"{named.title} was not found (looked in {looked}). {how}")


def _named_from(folder: Path, named: NamedDataset, source: str) -> Dataset:
    n = len(named.class_names)
    train = load_split(folder, "train", n_classes=n)
    test = load_split(folder, "test", n_classes=n)
    return Dataset(train, test, source, info=named.info)


# --- folders of IDX files -----------------------------------------------------------------


def _idx_prefixes(folder: Path) -> list[str]:
    """Prefixes p for which folder holds p+train-images, p+train-labels and test images/labels
    (``t10k-`` as MNIST names them or ``test-`` as EMNIST does), gzipped or not."""
    names = {n.removesuffix(".gz") for n in os.listdir(folder)}
    found = []
    for name in sorted(names):
        match = _TRAIN_IMAGES.match(name)
        if match and _stems(folder, match.group(1), names) is not None:
            found.append(match.group(1))
    return found


def _stems(folder: Path, prefix: str, names: set[str]) -> dict[str, tuple[str, str]] | None:
    sep = "." if f"{prefix}train-images.idx3-ubyte" in names else "-"
    train = (f"{prefix}train-images{sep}idx3-ubyte", f"{prefix}train-labels{sep}idx1-ubyte")
    for test_word in ("t10k", "test"):
        test = (f"{prefix}{test_word}-images{sep}idx3-ubyte", f"{prefix}{test_word}-labels{sep}idx1-ubyte")
        if set(train + test) <= names:
            return {"train": train, "test": test}
    return None


def load_idx_folder(folder: str | os.PathLike, prefix: str | None = None) -> Dataset:
    """The IDX files of folder (EMNIST-style), those starting with prefix when given."""
    folder = Path(folder)
    prefixes = _idx_prefixes(folder)
    if prefix is None:
        if len(prefixes) > 1:
            choices = ", ".join(str(folder / p) for p in prefixes[:6])
            raise DataNotFoundError(f"{folder} holds several datasets; name one: {choices}.")
        if not prefixes:
            raise DataNotFoundError(f"{folder} has no …train-images-idx3-ubyte[.gz] with its three companions.")
        prefix = prefixes[0]
    stems = _stems(folder, prefix, {n.removesuffix(".gz") for n in os.listdir(folder)})
    if stems is None:
        raise DataNotFoundError(f"{folder} has no complete set of IDX files starting with {prefix!r}.")
    train = load_split(folder, "train", n_classes=MAX_CLASSES, stems=stems["train"])
    test = load_split(folder, "test", n_classes=MAX_CLASSES, stems=stems["test"])
    if "emnist" in prefix.lower():
        # EMNIST stores its images transposed (column by column): turn them upright.
        train = Split(train.images.transpose(1, 2).contiguous(), train.labels)
        test = Split(test.images.transpose(1, 2).contiguous(), test.labels)
    n = int(max(train.labels.max(), test.labels.max())) + 1
    name = prefix.rstrip("-_.") or folder.name
    classes = _class_names(folder, prefix, n)
    spec = str(folder / prefix) if prefix else str(folder)
    return Dataset(train, test, str(folder), info=DatasetInfo(name, classes, spec))


def _class_names(folder: Path, prefix: str, n: int) -> tuple[str, ...]:
    """From ``<prefix>mapping.txt`` ("label code point" per line, as EMNIST ships), from EMNIST's
    known splits, else the labels' numbers."""
    names = [str(i) for i in range(n)]
    mapping = folder / f"{prefix}mapping.txt"
    try:
        if mapping.is_file() and mapping.stat().st_size < 1_000_000:
            for line in mapping.read_text(encoding="ascii").splitlines():
                parts = line.split()
                if len(parts) == 2 and 0 <= int(parts[0]) < n:
                    names[int(parts[0])] = chr(int(parts[1]))
            return tuple(names)
    except (OSError, ValueError, UnicodeDecodeError):
        pass
    split = prefix.lower().removeprefix("emnist-").rstrip("-_.")
    known = _EMNIST_CLASSES.get(split) if prefix.lower().startswith("emnist") else None
    if known is not None and len(known) >= n:
        return tuple(known)
    return tuple(names)


def check_info(value: object) -> DatasetInfo:
    """A DatasetInfo from a checkpoint's JSON (``{"name", "class_names", "spec"}``); ValueError
    when it is not one."""
    if not isinstance(value, dict):
        raise ValueError("the dataset entry is not a JSON object")
    name, classes, spec = value.get("name"), value.get("class_names"), value.get("spec", value.get("name"))
    ok = (
        isinstance(name, str)
        and 0 < len(name) <= 200
        and isinstance(spec, str)
        and 0 < len(spec) <= 4096
        and isinstance(classes, list)
        and 0 < len(classes) <= MAX_CLASSES
        and all(isinstance(c, str) and len(c) <= 100 for c in classes)
    )
    if not ok:
        raise ValueError("the dataset entry is malformed")
    return DatasetInfo(name, tuple(classes), spec)


def info_dict(info: DatasetInfo) -> dict:
    return {"name": info.name, "class_names": list(info.class_names), "spec": info.spec}


__all__ = [
    "DEFAULT",
    "NAMED",
    "DataError",
    "DataFormatError",
    "DatasetInfo",
    "box_for",
    "check_info",
    "describe",
    "info_dict",
    "load_dataset",
    "load_idx_folder",
    "load_named",
]
