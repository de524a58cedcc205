"""Your own data: pictures made Fashion-MNIST-like, datasets by name or folder, their class names."""

from __future__ import annotations

import json

import numpy as np
import pytest
import torch
from PIL import Image

from core import datasets
from core.checkpoint import load_checkpoint, save_checkpoint
from core.cli import main
from core.data import CLASS_NAMES, DataError, DataNotFoundError, Dataset, DatasetInfo
from core.images import ImageError, cache_path, load_image_folder, open_image, preprocess
from core.models import ModelConfig
from core.training import new_model
from tests.helpers import picture_folder, synthetic_split, write_idx

COMMON = ["--batch-size", "32", "--device", "cpu", "--no-download", "--epochs", "1", "--latent-dim", "2"]


def _box(image: np.ndarray) -> tuple[int, int, int, int]:
    """(top, bottom, left, right) of the pixels above 10 % of white, inclusive."""
    rows = np.flatnonzero(image.max(axis=1) > 25)
    cols = np.flatnonzero(image.max(axis=0) > 25)
    return rows[0], rows[-1], cols[0], cols[-1]


def _shirt(background=(215, 220, 225), size=(300, 400)) -> Image.Image:
    """A white shirt (body 120×160 and two sleeves, 240 wide in all) off-centre on a light
    background, with some photo noise."""
    w, h = size
    rgb = np.empty((h, w, 3), dtype=np.float32)
    rgb[:] = background
    rgb[100:260, 60:180] = 255  # body: 160 high, 120 wide
    rgb[100:150, 10:60] = 255  # left sleeve
    rgb[100:150, 180:250] = 255  # right sleeve: 240 wide from 10 to 249
    rgb += np.random.default_rng(0).normal(0, 2, rgb.shape)
    return Image.fromarray(np.clip(rgb, 0, 255).astype(np.uint8), "RGB")


def test_a_white_shirt_on_a_light_background_comes_out_inverted_centred_in_its_box():
    out = preprocess(_shirt())
    assert out.shape == (28, 28) and out.dtype == np.uint8
    # Inverted: the background is black, the shirt bright.
    assert out[0].max() == 0 and out[-1].max() == 0 and out.max() == 255
    # Cropped to the shirt (240 wide, 160 high) and fitted into 28×28 keeping the ratio: 28 wide,
    # 160 · 28/240 ≈ 19 high, centred: rows 4 … 22, columns 0 … 27.
    top, bottom, left, right = _box(out)
    assert abs(left - 0) <= 1 and abs(right - 27) <= 1
    assert abs(top - 4) <= 1 and abs(bottom - 22) <= 1
    # The sleeves are narrower than the body: the shirt's shape survives.
    assert out[top + 12, 2] < 30 and out[top + 12, 8] > 200


def test_a_dark_picture_keeps_its_polarity_and_a_box_of_20_for_mnist(tmp_path):
    gray = np.zeros((100, 50), dtype=np.uint8)
    gray[10:90, 20:30] = 200  # a light "1" on black, 80 high
    out = preprocess(Image.fromarray(gray, "L"), box=20)
    top, bottom, left, right = _box(out)
    assert (top, bottom) == (4, 23)  # 20 high, centred
    assert out[14, 14] > 200 and out[0].max() == 0


def test_transparent_pictures_lie_on_white(tmp_path):
    rgba = np.zeros((60, 60, 4), dtype=np.uint8)  # transparent black everywhere…
    rgba[20:40, 10:50] = (30, 30, 30, 255)  # …but a dark opaque bar
    path = tmp_path / "bar.png"
    Image.fromarray(rgba, "RGBA").save(path)
    out = open_image(path)
    top, bottom, left, right = _box(out)
    assert (left, right) == (0, 27) and abs((top + bottom) / 2 - 13.5) <= 1
    assert out[13, 13] == 255


@pytest.mark.parametrize(
    ("content", "problem"),
    [
        (b"not an image at all", "is not an image"),
        (b"\x89PNG\r\n\x1a\n" + b"\x00" * 40, "not an image"),
        (None, "nothing stands out"),
    ],
)
def test_what_cannot_be_used_is_refused_by_name(tmp_path, content, problem):
    path = tmp_path / "photo.png"
    if content is None:
        Image.new("RGB", (40, 40), (200, 200, 200)).save(path)
    else:
        path.write_bytes(content)
    with pytest.raises(ImageError, match=problem) as info:
        open_image(path)
    assert "photo.png" in str(info.value) and "\n" not in str(info.value)


def test_truncated_jpeg_and_huge_pictures_are_refused(tmp_path, monkeypatch):
    path = tmp_path / "cut.jpg"
    _shirt().save(path, quality=90)
    path.write_bytes(path.read_bytes()[:2000])
    with pytest.raises(ImageError, match="cut.jpg"):
        open_image(path)
    import core.images

    monkeypatch.setattr(core.images, "MAX_PIXELS", 100 * 100)
    big = tmp_path / "big.png"
    Image.new("L", (200, 200)).save(big)
    with pytest.raises(ImageError, match="too large"):
        open_image(big)


def test_a_picture_folder_reads_its_classes_skips_bad_files_by_name_and_caches(tmp_path):
    folder = picture_folder(tmp_path / "mine")
    (folder / "hats" / "broken.png").write_bytes(b"\x89PNG\r\n\x1a\nthis is not the rest of a PNG")
    (folder / "boots" / "notes.txt").write_text("not a picture")
    calls = []
    data = load_image_folder(folder, progress=lambda done, total: calls.append((done, total)))
    assert data.info == DatasetInfo("mine", ("boots", "hats"), str(folder.resolve()))
    assert len(data.train) + len(data.test) == 14 and len(data.test) == 2  # the 7th of each class
    assert sorted(data.test.labels.tolist()) == [0, 1]
    assert data.train.images.dtype == torch.uint8 and tuple(data.train.images.shape[1:]) == (28, 28)
    assert sorted(s.split(" ")[0] for s in data.skipped) == ["boots/notes.txt", "hats/broken.png"]
    assert calls[-1] == (16, 16) and len(calls) == 16
    # Boots are tall, hats wide, as drawn.
    boot = data.train.images[data.train.labels == 0][0].numpy()
    top, bottom, left, right = _box(boot)
    assert bottom - top > 2 * (right - left)
    # Second opening: from the cache, one progress call, the same tensors.
    assert cache_path(folder).is_file()
    calls.clear()
    again = load_image_folder(folder, progress=lambda done, total: calls.append((done, total)))
    assert calls == [(16, 16)]
    assert torch.equal(again.train.images, data.train.images) and again.skipped == data.skipped
    # A changed file invalidates the cache.
    Image.new("L", (30, 30), 255).save(folder / "hats" / "0.jpg")
    calls.clear()
    load_image_folder(folder, progress=lambda done, total: calls.append((done, total)))
    assert len(calls) == 16


def test_train_and_test_subfolders_are_the_splits(tmp_path):
    picture_folder(tmp_path / "set" / "train", n_per_class=3)
    picture_folder(tmp_path / "set" / "test", n_per_class=2)
    data = datasets.load_dataset(str(tmp_path / "set"))
    assert (len(data.train), len(data.test)) == (6, 4)
    assert data.info.class_names == ("boots", "hats")


def test_a_folder_with_too_few_pictures_says_so(tmp_path):
    folder = picture_folder(tmp_path / "few", n_per_class=2)
    with pytest.raises(DataError, match="no readable test images"):
        load_image_folder(folder)


def _idx_folder(folder, prefix="", n_classes=10, test_word="t10k", gz=True):
    train, test = synthetic_split(96, 0), synthetic_split(32, 1)
    train = type(train)(train.images, train.labels % n_classes)
    for split, word in ((train, "train"), (test, test_word)):
        write_idx(folder / f"{prefix}{word}-images-idx3-ubyte", split.images, gz=gz)
        write_idx(folder / f"{prefix}{word}-labels-idx1-ubyte", split.labels, gz=gz)
    return folder


def test_named_datasets_are_found_where_fashion_mnist_is(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    with pytest.raises(DataNotFoundError, match=r"MNIST was not found \(looked in .*MNIST/raw"):
        datasets.load_dataset("mnist")
    _idx_folder(tmp_path / "data" / "KMNIST" / "raw")  # torchvision's root layout
    kmnist = datasets.load_dataset("KMNIST")
    assert kmnist.info.name == "kmnist" and kmnist.info.class_names[:3] == ("o", "ki", "su")
    root = tmp_path / "mine"
    _idx_folder(root / "mnist")
    mnist = datasets.load_dataset("mnist", root)
    assert mnist.info.class_names == tuple("0123456789") and len(mnist.train) == 96
    assert datasets.box_for(mnist.info) == 20 and datasets.box_for(kmnist.info) == 28


def test_named_datasets_download_through_torchvision(tmp_path, monkeypatch):
    from core import data as data_mod

    asked = []

    def fake_download(root, dataset_class="FashionMNIST"):
        asked.append(dataset_class)
        _idx_folder(root / dataset_class / "raw")

    monkeypatch.setattr(data_mod, "_download_with_torchvision", fake_download)
    with pytest.raises(DataNotFoundError):
        datasets.load_dataset("mnist")
    loaded = datasets.load_dataset("mnist", download=True)
    assert asked == ["MNIST"] and loaded.source.startswith("downloaded to")
    assert datasets.load_dataset("mnist").info.name == "mnist"  # found in the app folder afterwards


def test_emnist_style_idx_folders(tmp_path):
    folder = tmp_path / "emnist"
    _idx_folder(folder, "emnist-letters-", n_classes=27, test_word="test", gz=False)
    data = datasets.load_dataset(str(folder))
    assert data.info.name == "emnist-letters" and data.info.class_names[:3] == ("N/A", "a", "b")
    raw = synthetic_split(96, 0).images
    assert torch.equal(data.train.images[0], raw[0].T)  # EMNIST is stored transposed
    _idx_folder(folder, "emnist-digits-", test_word="test")
    (folder / "emnist-digits-mapping.txt").write_text("\n".join(f"{i} {48 + i}" for i in range(10)))
    with pytest.raises(DataNotFoundError, match="several datasets"):
        datasets.load_dataset(str(folder))
    digits = datasets.load_dataset(str(folder / "emnist-digits-"))
    assert digits.info.class_names == tuple("0123456789")


def test_unknown_dataset_names_say_what_is_accepted():
    with pytest.raises(DataNotFoundError, match="fashion-mnist, mnist, kmnist"):
        datasets.load_dataset("cifar-10")


def test_a_checkpoint_remembers_its_dataset(tmp_path):
    model = new_model(ModelConfig("ae", 2))
    info = DatasetInfo("mine", ("boots", "hats"), str(tmp_path))
    path = save_checkpoint(tmp_path / "m.safetensors", model, dataset=info)
    assert load_checkpoint(path).dataset == info
    old = save_checkpoint(tmp_path / "old.safetensors", model)
    assert load_checkpoint(old).dataset.class_names == CLASS_NAMES


def test_a_malformed_dataset_entry_is_ignored_with_a_warning(tmp_path):
    from safetensors.torch import load_file

    from core.checkpoint import read_metadata
    from tests.helpers import write_with_metadata

    path = save_checkpoint(tmp_path / "m.safetensors", new_model(ModelConfig("ae", 2)))
    document = read_metadata(path)
    document["dataset"] = {"name": "x", "class_names": [1, 2]}
    write_with_metadata(path, load_file(path), document)
    checkpoint = load_checkpoint(path)  # the weights are sound: it opens, and says what it ignored
    assert checkpoint.dataset == DatasetInfo()
    assert any("dataset was ignored (the dataset entry is malformed)" in w for w in checkpoint.warnings)


def _train(argv, capsys):
    code = main(argv)
    out, err = capsys.readouterr()
    return code, out, err


def test_the_cli_trains_an_epoch_on_an_idx_folder(tmp_path, capsys):
    folder = _idx_folder(tmp_path / "letters", "emnist-letters-", n_classes=27, test_word="test")
    out = tmp_path / "m.safetensors"
    code, stdout, err = _train(
        ["--model", "vae", "--dataset", str(folder), "--json", "--out", str(out), *COMMON], capsys
    )
    assert code == 0, err
    assert [json.loads(line)["epoch"] for line in stdout.splitlines()] == [1]
    assert load_checkpoint(out).dataset.name == "emnist-letters"
    assert load_checkpoint(out).dataset.class_names[:3] == ("N/A", "a", "b")


def test_the_cli_trains_an_epoch_on_a_picture_folder_and_resumes_on_it(tmp_path, capsys):
    folder = picture_folder(tmp_path / "mine")
    (folder / "hats" / "broken.jpg").write_bytes(b"\xff\xd8\xff\xe0 cut short")
    out = tmp_path / "m.safetensors"
    code, _, err = _train(["--model", "ae", "--dataset", str(folder), "--out", str(out), *COMMON], capsys)
    assert code == 0, err
    assert "skipped hats/broken.jpg" in err
    checkpoint = load_checkpoint(out)
    assert checkpoint.dataset.class_names == ("boots", "hats") and len(checkpoint.history) == 1
    # --resume finds the same folder again from the checkpoint.
    code, _, err = _train(["--resume", str(out), "--out", str(out), *COMMON], capsys)
    assert code == 0, err
    assert len(load_checkpoint(out).history) == 2
    # …and refuses another dataset.
    _idx_folder(tmp_path / "data" / "mnist")
    code, _, err = _train(
        ["--resume", str(out), "--dataset", "mnist", "--data-dir", str(tmp_path / "data"), "--out", str(out)]
        + COMMON,
        capsys,
    )
    assert code == 2 and "learnt mine, not mnist" in err and err.count("\n") == 1


def test_the_cli_says_in_one_line_when_a_dataset_is_missing(tmp_path, capsys):
    code, _, err = _train(
        ["--model", "ae", "--dataset", str(tmp_path / "nowhere"), "--out", str(tmp_path / "m.safetensors")]
        + COMMON,
        capsys,
    )
    assert code == 1 and "Unknown dataset" in err and err.count("\n") == 1


def test_a_model_of_another_dataset_opens_with_its_class_names(tmp_path, capsys):
    root = tmp_path / "data"
    _idx_folder(root / "KMNIST" / "raw")
    out = tmp_path / "k.safetensors"
    code, _, err = _train(
        ["--model", "ae", "--dataset", "kmnist", "--data-dir", str(root), "--out", str(out), *COMMON], capsys
    )
    assert code == 0, err
    assert load_checkpoint(out).dataset == datasets.NAMED["kmnist"].info


def test_subset_indices_balance_more_than_ten_classes():
    from core.data import Split
    from core.latent import subset_indices

    labels = torch.arange(300) % 30
    split = Split(torch.zeros(300, 28, 28, dtype=torch.uint8), labels)
    chosen = subset_indices(split, 60)
    assert np.bincount(labels[chosen].numpy(), minlength=30).tolist() == [2] * 30


def test_dataset_defaults_are_fashion_mnist():
    data = Dataset(synthetic_split(4, 0), synthetic_split(4, 1), "x")
    assert data.info.class_names == CLASS_NAMES and data.skipped == ()
