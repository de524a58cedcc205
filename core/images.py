"""Your own pictures as dataset images: one file, or a folder of them with one subfolder per class.

A picture becomes a 28×28 uint8 image the way Fashion-MNIST's were made from product photos:
grayscale, background to black (so a light background is inverted), cropped to the object, its
longest side fitted into the dataset's box keeping the aspect ratio, centred on a 28×28 canvas.
Pillow decodes and resizes; what it cannot decode is refused with a message naming the file.

A folder is read like torchvision's ``ImageFolder`` (class names are the subfolders' names, in
sorted order); ``train/`` and ``test/`` subfolders, when both are there, give the two splits,
otherwise every seventh image of each class goes to the test split (Fashion-MNIST's 60,000 /
10,000 ratio). Files that are not readable images are skipped and listed by name. The converted
images are cached as uint8 tensors in a safetensors file (no pickle), keyed by every file's
path, size and modification time, so a second opening reads one file.
"""

from __future__ import annotations

import hashlib
import json
import os
import warnings
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import torch

from core.data import DataError, DataFormatError, DataNotFoundError, Dataset, DatasetInfo, Split
from core.paths import user_cache_dir

SIDE = 28
MAX_FILE_BYTES = 64 * 1024 * 1024  # a photo is a few MB; more is not a picture to draw from
MAX_PIXELS = 40_000_000  # below Pillow's own bomb limit (89 Mpx warns, 179 Mpx refuses)
CACHE_VERSION = 1  # bump when the conversion changes: old caches are then ignored
TEST_EVERY = 7  # every 7th image of a class is a test image: 1/7 = 10,000 / 70,000

Progress = Callable[[int, int], None]  # (images done, images in all)


class ImageError(DataError):
    """A file is not an image we can use; the message names it and says why."""


def preprocess(image, box: int = SIDE) -> np.ndarray:
    """A Pillow image → (28, 28) uint8, light object on black, fitted into a box×box square.

    The background is the median of the border pixels; every pixel becomes its distance to it,
    so dark-on-light pictures come out inverted and light-on-dark ones unchanged; the border's
    own noise (JPEG, paper grain) goes to black, and the object's brightest pixel
    becomes 255. Raises ImageError when nothing stands out from the background.
    """
    from PIL import Image, ImageOps

    image = ImageOps.exif_transpose(image)
    if image.mode in ("RGBA", "LA", "PA") or (image.mode == "P" and "transparency" in image.info):
        # Transparent pixels are background: lay the picture on white, as product photos are.
        rgba = image.convert("RGBA")
        white = Image.new("RGBA", rgba.size, (255, 255, 255, 255))
        image = Image.alpha_composite(white, rgba)
    gray = np.asarray(image.convert("L"), dtype=np.float32)
    border = np.concatenate([gray[0], gray[-1], gray[1:-1, 0], gray[1:-1, -1]])
    background = float(np.median(border))
    distance = np.abs(gray - background)
    # The border's noise is black (robust to an object touching up to a quarter of the border).
    peak = float(distance.max())
    floor = min(2 * float(np.percentile(np.abs(border - background), 75)) + 2, peak / 2)
    if peak - floor < 16:  # less than 1/16 of the range: a blank or almost uniform picture
        raise ImageError("nothing stands out from the background")
    level = np.clip((distance - floor) / (peak - floor), 0.0, 1.0)
    rows = np.flatnonzero(level.max(axis=1) > 0.1)
    cols = np.flatnonzero(level.max(axis=0) > 0.1)
    level = level[rows[0] : rows[-1] + 1, cols[0] : cols[-1] + 1]  # cropped to the object
    h, w = level.shape
    scale = box / max(h, w)
    size = (max(1, round(w * scale)), max(1, round(h * scale)))
    crop = Image.fromarray(np.round(level * 255).astype(np.uint8), mode="L")
    fitted = np.asarray(crop.resize(size, Image.Resampling.LANCZOS, reducing_gap=3.0))
    canvas = np.zeros((SIDE, SIDE), dtype=np.uint8)
    top, left = (SIDE - size[1]) // 2, (SIDE - size[0]) // 2
    canvas[top : top + size[1], left : left + size[0]] = fitted
    return canvas


def open_image(path: str | os.PathLike, box: int = SIDE) -> np.ndarray:
    """Read a picture file (PNG, JPEG, BMP, anything Pillow decodes) and preprocess it.

    Raises ImageError, with the file's name, for a missing, huge, damaged or non-image file.
    """
    from PIL import Image, UnidentifiedImageError

    path = Path(path)
    name = path.name
    try:
        size = path.stat().st_size
        if not path.is_file():
            raise ImageError(f"{name} is not a file.")
        if size > MAX_FILE_BYTES:
            raise ImageError(f"{name} is too large ({size / 2**20:.0f} MB; at most {MAX_FILE_BYTES // 2**20} MB).")
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(path) as image:  # reads the header only
                width, height = image.size
                if width * height > MAX_PIXELS:
                    raise ImageError(
                        f"{name} is too large ({width}×{height} pixels; at most {MAX_PIXELS / 1e6:.0f} million)."
                    )
                image.load()
                return preprocess(image, box)
    except ImageError as exc:
        if str(exc).startswith(name):
            raise
        raise ImageError(f"{name}: {exc}.") from None
    except UnidentifiedImageError:
        raise ImageError(f"{name} is not an image this app can read (PNG, JPEG, BMP, …).") from None
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise ImageError(f"{name} is too large to decode safely.") from None
    except FileNotFoundError:
        raise ImageError(f"{name} does not exist.") from None
    except OSError as exc:  # truncated or damaged data, unreadable file
        raise ImageError(f"{name} cannot be read: {exc.strerror or exc}.") from None
    except (ValueError, SyntaxError, MemoryError) as exc:  # Pillow's plugins raise these on bad data
        raise ImageError(f"{name} is damaged ({type(exc).__name__}).") from None


# --- folders ------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Listing:
    classes: tuple[str, ...]
    # (path relative to the folder, split, label) of every candidate file
    files: tuple[tuple[str, str, int], ...]


def is_image_folder(folder: Path) -> bool:
    """Whether folder has at least one non-hidden subfolder (the one-folder-per-class layout)."""
    try:
        return folder.is_dir() and any(_subfolders(folder))
    except OSError:
        return False


def _subfolders(folder: Path) -> list[Path]:
    return sorted(p for p in folder.iterdir() if p.is_dir() and not p.name.startswith("."))


def _files(folder: Path) -> list[Path]:
    """Every non-hidden file below folder, in a stable order."""
    found = []
    for root, dirs, names in os.walk(folder):
        dirs[:] = sorted(d for d in dirs if not d.startswith("."))
        found.extend(Path(root) / n for n in sorted(names) if not n.startswith("."))
    return found


def _list(folder: Path) -> _Listing:
    subs = _subfolders(folder)
    by_name = {p.name.lower(): p for p in subs}
    if "train" in by_name and "test" in by_name:
        splits = {"train": by_name["train"], "test": by_name["test"]}
        classes = sorted({c.name for s in splits.values() for c in _subfolders(s)})
    else:
        splits = {"": folder}
        classes = [p.name for p in subs]
    if not classes:
        raise DataNotFoundError(f"{folder} has no class subfolders (one subfolder per class, images inside).")
    files = []
    for split, root in splits.items():
        for label, name in enumerate(classes):
            members = _files(root / name) if (root / name).is_dir() else []
            for index, path in enumerate(members):
                chosen = split or ("test" if index % TEST_EVERY == TEST_EVERY - 1 else "train")
                files.append((path.relative_to(folder).as_posix(), chosen, label))
    return _Listing(tuple(classes), tuple(files))


def _cache_key(folder: Path, listing: _Listing, box: int) -> str:
    entries = []
    for rel, split, label in listing.files:
        st = (folder / rel).stat()
        entries.append([rel, split, label, st.st_size, st.st_mtime_ns])
    text = json.dumps([CACHE_VERSION, box, str(folder), listing.classes, entries])
    return hashlib.sha256(text.encode()).hexdigest()[:32]


def cache_path(folder: str | os.PathLike, box: int = SIDE) -> Path:
    """Where the converted images of folder are (or would be) cached."""
    folder = Path(folder).expanduser().resolve()
    key = _cache_key(folder, _list(folder), box)
    return user_cache_dir() / "image-folders" / f"{key}.safetensors"


def load_image_folder(
    folder: str | os.PathLike, *, box: int = SIDE, progress: Progress | None = None, cache: bool = True
) -> Dataset:
    """Read a one-subfolder-per-class folder of pictures into a Dataset (see the module's text).

    Files that cannot be read are skipped and listed in ``Dataset.skipped`` ("name: why").
    Raises DataNotFoundError / DataFormatError when nothing usable is left.
    """
    folder = Path(folder).expanduser().resolve()
    try:
        listing = _list(folder)
        key = _cache_key(folder, listing, box)
    except OSError as exc:
        raise DataError(f"Cannot read the folder {folder}: {exc.strerror or exc}.") from None
    target = user_cache_dir() / "image-folders" / f"{key}.safetensors"
    info = DatasetInfo(folder.name, listing.classes, str(folder))
    if cache:
        cached = _read_cache(target, folder, info)
        if cached is not None:
            if progress is not None:
                progress(len(listing.files), len(listing.files))
            return cached
    images = {"train": [], "test": []}
    labels = {"train": [], "test": []}
    skipped = []
    total = len(listing.files)
    for done, (rel, split, label) in enumerate(listing.files, 1):
        try:
            images[split].append(open_image(folder / rel, box))
            labels[split].append(label)
        except ImageError as exc:
            skipped.append(str(exc).replace(Path(rel).name, rel, 1))
        if progress is not None:
            progress(done, total)
    for split in ("train", "test"):
        if not images[split]:
            why = " (each class needs at least 7 pictures, or train/ and test/ subfolders)." if split == "test" else "."
            raise DataFormatError(f"{folder} has no readable {split} images{why}")
    splits = {
        s: Split(torch.from_numpy(np.stack(images[s])), torch.tensor(labels[s], dtype=torch.int64))
        for s in ("train", "test")
    }
    dataset = Dataset(splits["train"], splits["test"], str(folder), info=info, skipped=tuple(skipped))
    if cache:
        _write_cache(target, dataset)
    return dataset


def _write_cache(target: Path, dataset: Dataset) -> None:
    from safetensors.torch import save

    tensors = {
        "train_images": dataset.train.images.contiguous(),
        "train_labels": dataset.train.labels.contiguous(),
        "test_images": dataset.test.images.contiguous(),
        "test_labels": dataset.test.labels.contiguous(),
    }
    meta = {
        "classes": json.dumps(list(dataset.info.class_names)),
        "skipped": json.dumps(list(dataset.skipped)),
    }
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        partial = target.with_name(f".{target.name}.{os.getpid()}.part")
        partial.write_bytes(save(tensors, metadata=meta))
        os.replace(partial, target)
    except OSError:  # a cache we cannot write only costs time next opening
        pass


def _read_cache(target: Path, folder: Path, info: DatasetInfo) -> Dataset | None:
    from safetensors import SafetensorError, safe_open

    if not target.is_file():
        return None
    try:
        with safe_open(str(target), framework="pt") as file:
            meta = file.metadata() or {}
            tensors = {k: file.get_tensor(k) for k in file.keys()}
        classes = tuple(json.loads(meta["classes"]))
        skipped = tuple(str(s) for s in json.loads(meta["skipped"]))
        train = Split(tensors["train_images"], tensors["train_labels"])
        test = Split(tensors["test_images"], tensors["test_labels"])
    except (OSError, SafetensorError, KeyError, ValueError, TypeError):
        return None  # damaged or foreign: convert again
    for split in (train, test):
        ok = (
            split.images.dtype == torch.uint8
            and tuple(split.images.shape[1:]) == (SIDE, SIDE)
            and split.labels.dtype == torch.int64
            and len(split.images) == len(split.labels) > 0
            and int(split.labels.min()) >= 0
            and int(split.labels.max()) < len(classes)
        )
        if not ok:
            return None
    if classes != info.class_names:
        return None
    return Dataset(train, test, str(folder), info=info, skipped=skipped)
