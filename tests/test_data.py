import errno
import gzip
import os
import struct
import tracemalloc
import zlib
from pathlib import Path

import pytest
import torch

from core import data as data_mod
from core.data import (
    CLASS_NAMES,
    DataAccessError,
    DataFormatError,
    DataNotFoundError,
    add_uniform_noise,
    find_data_folder,
    load_fashion_mnist,
    load_split,
    read_idx,
    to_float,
)
from tests.helpers import write_dataset, write_idx


@pytest.mark.parametrize("gz", [False, True])
def test_read_idx_round_trips(tmp_path, gz):
    t = torch.randint(0, 256, (5, 28, 28), dtype=torch.uint8)
    path = write_idx(tmp_path / "x-idx3-ubyte", t, gz=gz)
    back = read_idx(path, expected_ndim=3)
    assert back.dtype == torch.uint8
    assert torch.equal(back, t)


def test_read_idx_refuses_wrong_magic(tmp_path):
    path = tmp_path / "bad"
    path.write_bytes(b"\x00\x00\x0d\x03" + b"\x00" * 100)  # float data type, not bytes
    with pytest.raises(DataFormatError, match="magic number"):
        read_idx(path)
    path.write_bytes(b"PK\x03\x04" + b"\x00" * 100)
    with pytest.raises(DataFormatError, match="bad"):
        read_idx(path)


@pytest.mark.parametrize("cut", [2, 10, 16 + 28 * 28 * 2 + 5])
def test_read_idx_refuses_truncated(tmp_path, cut):
    t = torch.zeros(3, 28, 28, dtype=torch.uint8)
    path = write_idx(tmp_path / "t", t)
    path.write_bytes(path.read_bytes()[:cut])
    with pytest.raises(DataFormatError, match=str(path.name)):
        read_idx(path)


def test_read_idx_refuses_extra_bytes_and_wrong_ndim(tmp_path):
    path = write_idx(tmp_path / "t", torch.zeros(3, 28, 28, dtype=torch.uint8))
    with pytest.raises(DataFormatError, match="dimensions"):
        read_idx(path, expected_ndim=1)
    path.write_bytes(path.read_bytes() + b"\x00")
    with pytest.raises(DataFormatError, match="longer"):
        read_idx(path)


def test_read_idx_refuses_corrupt_gzip(tmp_path):
    path = write_idx(tmp_path / "t", torch.zeros(3, 28, 28, dtype=torch.uint8), gz=True)
    raw = path.read_bytes()
    path.write_bytes(raw[: len(raw) // 2])
    with pytest.raises(DataFormatError, match="t.gz is truncated: its gzip stream ends early"):
        read_idx(path)
    path.write_bytes(raw[:-8] + bytes([raw[-8] ^ 1]) + raw[-7:])  # the CRC-32 in the trailer
    with pytest.raises(DataFormatError, match="t.gz is damaged .*CRC check failed"):
        read_idx(path)


def test_read_idx_refuses_gzip_corrupt_mid_stream(tmp_path):
    """The first gzip member is sound; the second's deflate data is not (zlib.error inside)."""
    idx = write_idx(tmp_path / "x", torch.randint(0, 256, (4, 28, 28), dtype=torch.uint8)).read_bytes()
    second = bytearray(gzip.compress(idx[1000:]))
    second[10] |= 0b110  # deflate block type 3 does not exist
    path = tmp_path / "x.gz"
    path.write_bytes(gzip.compress(idx[:1000]) + second)
    with pytest.raises(DataFormatError, match="x.gz is damaged .*invalid block type"):
        read_idx(path)


def test_load_split_checks_counts_and_labels(tmp_path, tiny_data):
    folder = write_dataset(tmp_path / "d", tiny_data)
    split = load_split(folder, "test")
    assert torch.equal(split.images, tiny_data.test.images)
    assert split.labels.dtype == torch.int64
    write_idx(folder / "t10k-labels-idx1-ubyte", tiny_data.test.labels[:-1])
    with pytest.raises(DataFormatError, match="128 test images but 127 labels"):
        load_split(folder, "test")
    write_idx(folder / "t10k-labels-idx1-ubyte", torch.full((128,), 12))
    with pytest.raises(DataFormatError, match="labels go up to 12"):
        load_split(folder, "test")


def test_load_split_refuses_wrong_image_size(tmp_path, tiny_data):
    folder = write_dataset(tmp_path / "d", tiny_data)
    write_idx(folder / "t10k-images-idx3-ubyte", torch.zeros(128, 32, 32, dtype=torch.uint8))
    with pytest.raises(DataFormatError, match="28×28"):
        load_split(folder, "test")


def test_a_huge_declared_size_is_refused_before_allocating(tmp_path):
    header = struct.pack(">HBB", 0, 8, 3) + struct.pack(">3I", 2**32 - 1, 2**32 - 1, 2**32 - 1)
    raw = tmp_path / "huge-idx3-ubyte"
    raw.write_bytes(header + b"\x00" * 100)
    with pytest.raises(DataFormatError, match="huge-idx3-ubyte is damaged: its header announces 4,294,967,295"):
        read_idx(raw)
    gz = tmp_path / "huge-idx3-ubyte.gz"
    gz.write_bytes(gzip.compress(header + b"\x00" * 100))
    with pytest.raises(DataFormatError, match="huge-idx3-ubyte.gz is damaged: .*more than the"):
        read_idx(gz)
    small = struct.pack(">HBB", 0, 8, 3) + struct.pack(">3I", 1000, 28, 28)  # 784,000 bytes announced
    gz.write_bytes(gzip.compress(small + b"\x00" * 100, compresslevel=0))
    with pytest.raises(DataFormatError, match="huge-idx3-ubyte.gz is truncated: .*more than its"):
        read_idx(gz)


def test_a_size_that_overflows_int64_is_not_trusted(tmp_path):
    """65536⁴ = 2⁶⁴ wraps to 0 in numpy's int64: an empty file would then 'match' its header."""
    path = tmp_path / "wrap"
    path.write_bytes(struct.pack(">HBB", 0, 8, 4) + struct.pack(">4I", 65536, 65536, 65536, 65536))
    with pytest.raises(DataFormatError, match="wrap is damaged: .*18,446,744,073,709,551,616 bytes"):
        read_idx(path)


def _peak_memory(function) -> int:
    tracemalloc.start()
    try:
        function()
    finally:
        peak = tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()
    return peak


def test_a_gzip_bomb_is_not_inflated(tmp_path):
    """A small file that would inflate to 128 MB, under a header announcing 10 images."""
    header = struct.pack(">HBB", 0, 8, 3) + struct.pack(">3I", 10, 28, 28)
    packer = zlib.compressobj(9, zlib.DEFLATED, 31)  # 31: gzip format
    chunk = bytes(2**20)
    path = tmp_path / "bomb-idx3-ubyte.gz"
    path.write_bytes(
        packer.compress(header) + b"".join(packer.compress(chunk) for _ in range(128)) + packer.flush()
    )
    assert path.stat().st_size < 2**20

    def read():
        with pytest.raises(DataFormatError, match="bomb-idx3-ubyte.gz is longer than its header says"):
            read_idx(path)

    assert _peak_memory(read) < 4 * 2**20


def test_a_raw_file_longer_than_announced_is_not_read(tmp_path):
    path = write_idx(tmp_path / "long-idx3-ubyte", torch.zeros(10, 28, 28, dtype=torch.uint8))
    with path.open("r+b") as f:
        f.truncate(256 * 2**20)  # sparse: costs no disk

    def read():
        with pytest.raises(DataFormatError, match="long-idx3-ubyte is longer than its header says"):
            read_idx(path)

    assert _peak_memory(read) < 4 * 2**20


def _chmod_blocks_reads(folder: Path) -> bool:
    probe = folder / "probe"
    probe.write_bytes(b"x")
    probe.chmod(0)
    try:
        probe.read_bytes()
        return False  # root, or CAP_DAC_OVERRIDE: permissions are not enforced
    except PermissionError:
        return True
    finally:
        probe.unlink()


@pytest.fixture
def deny_access(monkeypatch, tmp_path_factory):
    """deny_access(path): reading path (a file), or anything in it (a folder), fails with EACCES.

    Through chmod where that works; as root, where chmod does not stop reads, by answering
    the way the kernel would for the same calls."""
    restore: list[tuple[Path, int]] = []
    use_chmod = _chmod_blocks_reads(tmp_path_factory.mktemp("probe"))

    def deny(target: Path) -> None:
        if use_chmod:
            restore.append((target, target.stat().st_mode))
            target.chmod(0)
            return

        is_file = target.is_file()
        real_stat, real_open = Path.stat, Path.open

        def denied(path: Path) -> bool:
            return path == target if is_file else target in path.parents

        def stat(path, **kwargs):  # a file's mode hides its bytes, not its existence
            if denied(path) and not is_file:
                raise PermissionError(errno.EACCES, "Permission denied", str(path))
            return real_stat(path, **kwargs)

        def open_(path, *args, **kwargs):
            if denied(path):
                raise PermissionError(errno.EACCES, "Permission denied", str(path))
            return real_open(path, *args, **kwargs)

        real_os_open = os.open

        def os_open(path, *args, **kwargs):  # how core.safe_io opens files
            if denied(Path(path)):
                raise PermissionError(errno.EACCES, "Permission denied", str(path))
            return real_os_open(path, *args, **kwargs)

        monkeypatch.setattr(Path, "stat", stat)
        monkeypatch.setattr(Path, "open", open_)
        monkeypatch.setattr(os, "open", os_open)

    yield deny
    for path, mode in restore:
        path.chmod(mode)


def test_an_unreadable_file(tmp_path, tiny_data, deny_access):
    folder = write_dataset(tmp_path / "d", tiny_data)
    deny_access(folder / "t10k-labels-idx1-ubyte")
    with pytest.raises(DataAccessError, match="Cannot read .*t10k-labels-idx1-ubyte: Permission denied"):
        read_idx(folder / "t10k-labels-idx1-ubyte")
    with pytest.raises(DataAccessError, match="t10k-labels-idx1-ubyte: Permission denied"):
        load_fashion_mnist(folder)


def test_an_unreadable_folder(tmp_path, tiny_data, deny_access):
    folder = write_dataset(tmp_path / "d", tiny_data)
    deny_access(folder)
    with pytest.raises(DataAccessError, match=f"Cannot read the data folder {folder}: Permission denied"):
        load_fashion_mnist(folder)
    with pytest.raises(DataAccessError, match="Permission denied"):
        load_split(folder, "test")


def test_a_folder_or_a_pipe_in_place_of_a_file(tmp_path):
    (tmp_path / "dir-idx1-ubyte").mkdir()
    with pytest.raises(DataAccessError, match="dir-idx1-ubyte: it is not a regular file"):
        read_idx(tmp_path / "dir-idx1-ubyte")
    os.mkfifo(tmp_path / "pipe-idx1-ubyte")
    with pytest.raises(DataAccessError, match="not a regular file"):
        read_idx(tmp_path / "pipe-idx1-ubyte")


def test_an_empty_split_is_refused(tmp_path, tiny_data):
    folder = write_dataset(tmp_path / "d", tiny_data)
    write_idx(folder / "t10k-images-idx3-ubyte", torch.zeros(0, 28, 28, dtype=torch.uint8))
    write_idx(folder / "t10k-labels-idx1-ubyte", torch.zeros(0, dtype=torch.uint8))
    with pytest.raises(DataFormatError, match="the test split holds no images"):
        load_fashion_mnist(folder)


# --- resolution order ------------------------------------------------------------------


@pytest.fixture
def no_system_data(monkeypatch, tmp_path):
    """Hide Debian's copy and any ./data so only the folders a test makes are found."""
    monkeypatch.setattr(data_mod, "DEBIAN_DIR", tmp_path / "no-debian")
    monkeypatch.chdir(tmp_path)


def test_explicit_folder_wins(tmp_path, tiny_data, no_system_data, monkeypatch):
    explicit = write_dataset(tmp_path / "explicit", tiny_data)
    write_dataset(Path(os.environ["LATENT_EXPLORER_HOME"]) / "fashion-mnist", tiny_data)
    assert find_data_folder(explicit) == explicit
    monkeypatch.setenv("LATENT_EXPLORER_DATA", str(explicit))
    assert find_data_folder() == explicit


def test_explicit_torchvision_root(tmp_path, tiny_data, no_system_data):
    root = tmp_path / "tv"
    raw = write_dataset(root / "FashionMNIST" / "raw", tiny_data)
    assert find_data_folder(root) == raw


def test_explicit_folder_without_files_is_an_error(tmp_path, tiny_data, no_system_data):
    (tmp_path / "empty").mkdir()
    with pytest.raises(DataNotFoundError, match="does not hold the four"):
        find_data_folder(tmp_path / "empty")
    with pytest.raises(DataNotFoundError, match="does not exist"):
        find_data_folder(tmp_path / "missing")


def test_app_data_folder_before_torchvision_root(tmp_path, tiny_data, no_system_data):
    app = write_dataset(Path(os.environ["LATENT_EXPLORER_HOME"]) / "fashion-mnist", tiny_data)
    write_dataset(tmp_path / "data" / "FashionMNIST" / "raw", tiny_data)
    assert find_data_folder() == app


def test_lab_notebook_root_is_found(tmp_path, tiny_data, no_system_data):
    # The lab ran FashionMNIST(root='./data/FashionMNIST'), which nests FashionMNIST/raw again.
    raw = write_dataset(tmp_path / "data" / "FashionMNIST" / "FashionMNIST" / "raw", tiny_data)
    assert find_data_folder() == raw


def test_debian_folder_is_last(tmp_path, tiny_data, monkeypatch):
    debian = write_dataset(tmp_path / "debian", tiny_data, gz=True)
    monkeypatch.setattr(data_mod, "DEBIAN_DIR", debian)
    monkeypatch.chdir(tmp_path)
    ds = load_fashion_mnist()
    assert ds.source == str(debian)
    assert torch.equal(ds.train.images, tiny_data.train.images)


def test_not_found_lists_places_and_remedies(no_system_data):
    with pytest.raises(DataNotFoundError) as info:
        load_fashion_mnist()
    message = str(info.value)
    assert "no-debian" in message and "fashion-mnist" in message
    assert "apt install dataset-fashion-mnist" in message
    assert "--data-dir" in message and "internet" in message


def test_download_failure_is_explained(no_system_data, monkeypatch):
    def offline(root):
        raise OSError("Name or service not known")

    monkeypatch.setattr(data_mod, "_download_with_torchvision", offline)
    with pytest.raises(DataNotFoundError, match="download failed.*Name or service not known"):
        load_fashion_mnist(download=True)


def test_download_goes_to_app_folder(no_system_data, monkeypatch, tiny_data):
    def fake_download(root):  # what torchvision leaves behind
        write_dataset(root / "FashionMNIST" / "raw", tiny_data)

    monkeypatch.setattr(data_mod, "_download_with_torchvision", fake_download)
    ds = load_fashion_mnist(download=True)
    assert ds.source.startswith("downloaded to")
    assert len(ds.test) == len(tiny_data.test)
    # Next time it is found without downloading.
    assert find_data_folder() is not None


@pytest.fixture
def fake_mirror(monkeypatch, tmp_path, tiny_data):
    """torchvision's download_url, serving the tiny dataset's .gz files instead of the network."""
    import torchvision.datasets.utils as tv_utils

    served = write_dataset(tmp_path / "mirror", tiny_data, gz=True)
    calls: list[str] = []

    def download_url(url, root, filename=None, md5=None):
        calls.append(url)
        Path(root, filename or url.rsplit("/", 1)[1]).write_bytes(
            (served / url.rsplit("/", 1)[1]).read_bytes()
        )

    monkeypatch.setattr(tv_utils, "download_url", download_url)
    return calls


def test_download_never_opens_a_torchvision_cache(no_system_data, fake_mirror, monkeypatch):
    """torchvision's FashionMNIST class loads processed/*.pt with torch.load when present."""
    processed = Path(os.environ["LATENT_EXPLORER_HOME"]) / "fashion-mnist" / "FashionMNIST" / "processed"
    processed.mkdir(parents=True)
    for name in ("training.pt", "test.pt"):
        torch.save((torch.zeros(1, 28, 28, dtype=torch.uint8), torch.zeros(1)), processed / name)

    def no_torch_load(*args, **kwargs):
        raise AssertionError("torch.load was called on a file in the user's data folder")

    monkeypatch.setattr(torch, "load", no_torch_load)
    ds = load_fashion_mnist(download=True)
    assert len(fake_mirror) == 4 and len(ds.test) == 128
    assert sorted(p.name for p in Path(ds.source.removeprefix("downloaded to ")).iterdir()) == [
        "t10k-images-idx3-ubyte.gz",
        "t10k-labels-idx1-ubyte.gz",
        "train-images-idx3-ubyte.gz",
        "train-labels-idx1-ubyte.gz",
    ]


def test_a_download_cut_short_leaves_no_file_behind(no_system_data, fake_mirror, monkeypatch):
    import torchvision.datasets.utils as tv_utils

    serve = tv_utils.download_url

    def cut_short(url, root, filename=None, md5=None):
        serve(url, root, filename, md5)
        if "t10k-images" in url:
            path = Path(root, filename)
            path.write_bytes(path.read_bytes()[:100])
            raise RuntimeError("File not found or corrupted.")

    monkeypatch.setattr(tv_utils, "download_url", cut_short)
    with pytest.raises(DataNotFoundError, match="download failed .*File not found or corrupted"):
        load_fashion_mnist(download=True)
    raw = Path(os.environ["LATENT_EXPLORER_HOME"]) / "fashion-mnist" / "FashionMNIST" / "raw"
    assert sorted(p.name for p in raw.iterdir()) == [
        "train-images-idx3-ubyte.gz",
        "train-labels-idx1-ubyte.gz",
    ]
    # The next try fetches only what is missing.
    monkeypatch.setattr(tv_utils, "download_url", serve)
    fake_mirror.clear()
    assert len(load_fashion_mnist(download=True).test) == 128
    assert [url.rsplit("/", 1)[1] for url in fake_mirror] == [
        "t10k-images-idx3-ubyte.gz",
        "t10k-labels-idx1-ubyte.gz",
    ]


# --- helpers --------------------------------------------------------------------------


def test_to_float_matches_totensor_scaling():
    x = torch.tensor([[[0, 128, 255]]], dtype=torch.uint8).expand(1, 28, 3)
    f = to_float(x)
    assert f.shape == (1, 1, 28, 3)
    assert f[0, 0, 0].tolist() == pytest.approx([0.0, 128 / 255, 1.0])


def test_uniform_noise_is_the_labs():
    images = torch.rand(4, 1, 28, 28, generator=torch.Generator().manual_seed(0))
    noisy = add_uniform_noise(images, 0.5, torch.Generator().manual_seed(1))
    noise = torch.rand(images.shape, generator=torch.Generator().manual_seed(1)) - 0.5
    assert torch.equal(noisy, torch.clamp(images + 0.5 * noise, 0, 1))
    assert noisy.min() >= 0 and noisy.max() <= 1
    assert (noisy - images).abs().max() <= 0.25 + 1e-6
    assert torch.equal(add_uniform_noise(images, 0.0), images)


def test_class_names():
    assert len(CLASS_NAMES) == 10
    assert CLASS_NAMES[0] == "T-shirt/top" and CLASS_NAMES[9] == "Ankle boot"


@pytest.mark.realdata
def test_real_data_equals_torchvision(real_data, tmp_path):
    from torchvision.datasets import FashionMNIST

    folder = find_data_folder()
    raw = tmp_path / "FashionMNIST" / "raw"
    raw.mkdir(parents=True)
    for f in folder.iterdir():
        payload = f.read_bytes()
        name = f.name.removesuffix(".gz")
        (raw / name).write_bytes(gzip.decompress(payload) if payload[:2] == b"\x1f\x8b" else payload)
    for split, train in ((real_data.train, True), (real_data.test, False)):
        tv = FashionMNIST(root=str(tmp_path), train=train, download=False)
        assert torch.equal(tv.data, split.images)
        assert torch.equal(tv.targets, split.labels)
    assert real_data.train.images.shape == (60000, 28, 28)
    assert real_data.test.images.shape == (10000, 28, 28)


def test_an_idx_header_announcing_more_than_the_dataset_is_refused_before_decompressing(tmp_path, monkeypatch):
    """A 1.5 MB .gz announcing 2,000,000 images decompressed 3.6 GB before failing."""
    header = struct.pack(">HBBIII", 0, 8, 3, 2_000_000, 28, 28)
    compressor = zlib.compressobj(9, zlib.DEFLATED, 31)  # gzip framing
    chunk = compressor.compress(header + bytes(1_000_000))
    for _ in range(100):  # ≈ 100 MB of zeros deflate to ≈ 100 kB
        chunk += compressor.compress(bytes(1_000_000))
    path = tmp_path / "train-images-idx3-ubyte.gz"
    path.write_bytes(chunk + compressor.flush())
    reads = []
    real = gzip.GzipFile.read
    monkeypatch.setattr(data_mod.gzip.GzipFile, "read", lambda self, n=-1: reads.append(n) or real(self, n))
    with pytest.raises(DataFormatError, match="announces 2,000,000 items .* more than the 60,000"):
        read_idx(path, expected_ndim=3, max_items=60_000)
    assert max(reads) <= 16  # the magic number and the sizes, nothing more
    with pytest.raises(DataFormatError, match="more than the 1,000,000"):
        read_idx(path, expected_ndim=3)  # a folder of the user's own IDX files: the sane cap


def test_load_split_enforces_the_known_counts(tmp_path, tiny_data):
    folder = write_dataset(tmp_path / "d", tiny_data)
    write_idx(folder / "t10k-images-idx3-ubyte", torch.zeros(10_001, 28, 28, dtype=torch.uint8))
    with pytest.raises(DataFormatError, match="10,001 items .* more than the 10,000"):
        load_split(folder, "test")


@pytest.mark.timeout(30)
def test_idx_readers_refuse_pipes_and_devices(tmp_path):
    fifo = tmp_path / "t10k-images-idx3-ubyte"
    os.mkfifo(fifo)  # opening it for reading would wait for a writer for ever
    with pytest.raises(DataAccessError, match="not a regular file"):
        read_idx(fifo)
    link = tmp_path / "zero-idx3-ubyte"
    link.symlink_to("/dev/zero")
    with pytest.raises(DataAccessError, match="not a regular file"):
        read_idx(link)


# --- the decompressed copies of big gzipped files ---------------------------------------------


@pytest.fixture
def keep_copies(monkeypatch, tmp_path):
    monkeypatch.setattr(data_mod, "_CACHE_FROM_BYTES", 0)  # the test files are small
    monkeypatch.setenv("LATENT_EXPLORER_HOME", str(tmp_path / "home"))
    return tmp_path / "home" / "cache" / "idx"


def test_a_gzipped_file_is_read_from_its_decompressed_copy_the_next_time(tmp_path, keep_copies, monkeypatch):
    t = torch.randint(0, 256, (7, 28, 28), dtype=torch.uint8)
    path = write_idx(tmp_path / "x-idx3-ubyte", t, gz=True)
    assert torch.equal(read_idx(path, expected_ndim=3), t)
    (copy,) = keep_copies.iterdir()
    assert copy.name.startswith("x-idx3-ubyte-") and copy.stat().st_size == 16 + t.numel()

    def no_gzip(*args, **kwargs):
        raise AssertionError("the .gz was inflated again")

    monkeypatch.setattr(data_mod.gzip, "GzipFile", no_gzip)
    assert torch.equal(read_idx(path, expected_ndim=3), t)


def test_a_copy_cut_short_is_not_trusted(tmp_path, keep_copies):
    t = torch.randint(0, 256, (7, 28, 28), dtype=torch.uint8)
    path = write_idx(tmp_path / "x-idx3-ubyte", t, gz=True)
    read_idx(path, expected_ndim=3)
    (copy,) = keep_copies.iterdir()
    copy.write_bytes(copy.read_bytes()[:-100])  # a disk that filled up
    assert torch.equal(read_idx(path, expected_ndim=3), t)


def test_a_changed_file_is_read_again_and_its_old_copy_goes(tmp_path, keep_copies):
    path = write_idx(tmp_path / "x-idx3-ubyte", torch.zeros((3, 28, 28), dtype=torch.uint8), gz=True)
    read_idx(path, expected_ndim=3)
    new = torch.full((4, 28, 28), 9, dtype=torch.uint8)
    write_idx(tmp_path / "x-idx3-ubyte", new, gz=True)
    os.utime(path, ns=(path.stat().st_atime_ns, path.stat().st_mtime_ns + 10**9))
    assert torch.equal(read_idx(path, expected_ndim=3), new)
    assert len(list(keep_copies.iterdir())) == 1


def test_a_damaged_gzip_is_refused_and_leaves_no_copy(tmp_path, keep_copies):
    path = write_idx(tmp_path / "x-idx3-ubyte", torch.zeros((50, 28, 28), dtype=torch.uint8), gz=True)
    raw = path.read_bytes()
    path.write_bytes(raw[: len(raw) // 2])
    with pytest.raises(DataFormatError):
        read_idx(path, expected_ndim=3)
    assert not keep_copies.exists() or not list(keep_copies.iterdir())


def test_no_room_for_the_copy_loses_nothing(tmp_path, keep_copies, monkeypatch):
    def full(*args, **kwargs):
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(data_mod, "atomic_write", full)
    t = torch.randint(0, 256, (7, 28, 28), dtype=torch.uint8)
    path = write_idx(tmp_path / "x-idx3-ubyte", t, gz=True)
    assert torch.equal(read_idx(path, expected_ndim=3), t)
    assert torch.equal(read_idx(path, expected_ndim=3), t)
