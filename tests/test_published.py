"""The book's published runs (tutorial_lib.bookkeeping.published, bookbuild/runs.py),
served from a local HTTP server: loaded when they match, refused when
altered, and trained when the server is gone."""

from __future__ import annotations

import functools
import http.server
import threading
import zipfile

import pytest
import torch

from bookbuild.runs import pack
from tutorial_lib import part2
from tutorial_lib.bookkeeping import cache
from tutorial_lib.bookkeeping.published import archive_url, sha256
from tutorial_lib.bookkeeping.run import Run


@pytest.fixture()
def server(tmp_path):
    """An HTTP server of ``tmp_path / "site"``; yields its address."""
    site = tmp_path / "site"
    site.mkdir()
    handler = functools.partial(
        http.server.SimpleHTTPRequestHandler, directory=str(site)
    )
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}", site
    httpd.shutdown()
    httpd.server_close()


def published_grid(tmp_path, site):
    """Train two tiny runs into a 'book' folder and publish them to ``site``."""
    book = tmp_path / "book"
    configs = [
        part2.autoencoder_config(2, a, seed=0, **part2.SMOKE).key()
        for a in (0.1, 0.2)
    ]
    compute = functools.partial(part2._fit_from_keys, device="cpu")
    trained = cache.run_stacks(
        "part2-ae",
        configs,
        compute,
        group=part2.stack_group,
        directory=book,
    )
    count, _ = pack(book, site / "runs-full.zip")
    assert count == 2
    return configs, compute, trained


def read_as_a_reader(tmp_path, configs, compute, published):
    """The grid as a reader's chapter asks for it: a fresh folder, the
    published runs at ``published``."""
    return cache.run_stacks(
        "part2-ae",
        configs,
        compute,
        group=part2.stack_group,
        directory=tmp_path / "reader",
        published=published,
    )


def never_train(keys):
    raise AssertionError("a published run was trained again")


def test_a_reader_loads_the_published_runs_instead_of_training(
    tmp_path, server, capsys
):
    url, site = server
    configs, _, trained = published_grid(tmp_path, site)
    reader = tmp_path / "reader"
    got = read_as_a_reader(
        tmp_path, configs, never_train, f"{url}/runs-full.zip"
    )
    assert [r["val_mse"] for r in got] == [r["val_mse"] for r in trained]
    assert "2 runs: 2 reused, 2 of them the book's published runs" in (
        capsys.readouterr().out
    )
    # downloaded once, kept under the name of the sums' version
    (kept,) = (reader / "published").glob("runs-*.zip")
    assert sha256(kept) == sha256(site / "runs-full.zip")


def test_an_altered_run_is_refused_and_trained_here(
    tmp_path, server, capsys
):
    url, site = server
    configs, compute, _ = published_grid(tmp_path, site)
    archive = site / "runs-full.zip"
    with zipfile.ZipFile(archive) as zf:
        members = {n: zf.read(n) for n in zf.namelist()}
    first = sorted(members)[0]
    members[first] = members[first][:-10] + b"0123456789"  # tampered
    with zipfile.ZipFile(archive, "w") as zf:
        for name, data in members.items():
            zf.writestr(name, data)
    got = read_as_a_reader(
        tmp_path, configs, compute, f"{url}/runs-full.zip"
    )
    out = capsys.readouterr().out
    assert f"refused the published run {first}" in out
    assert "1 of them the book's published runs, 1 trained" in out
    assert len(got) == 2


def test_offline_the_chapter_trains(tmp_path, server, capsys):
    url, site = server
    configs, compute, _ = published_grid(tmp_path, site)
    # nothing listens
    got = read_as_a_reader(
        tmp_path, configs, compute, "http://127.0.0.1:9/runs-full.zip"
    )
    out = capsys.readouterr().out
    assert "the book's published runs are not available" in out
    assert "2 runs: 0 reused, 2 trained" in out
    assert len(got) == 2


def test_a_configuration_the_book_never_trained_is_trained(
    tmp_path, server, capsys
):
    url, site = server
    published_grid(tmp_path, site)
    other = [part2.autoencoder_config(2, 0.3, seed=5, **part2.SMOKE).key()]
    read_as_a_reader(
        tmp_path,
        other,
        functools.partial(part2._fit_from_keys, device="cpu"),
        f"{url}/runs-full.zip",
    )
    assert "part2-ae: computed in" in capsys.readouterr().out
    # only the sums were read: the archive holds nothing this run needs
    assert not list((tmp_path / "reader" / "published").glob("runs-*.zip"))


def test_only_full_size_runs_are_published_and_off_switches_it_off():
    assert archive_url("full", {}).endswith("/_downloads/runs-full.zip")
    assert archive_url("smoke", {}) is None
    assert archive_url("full", {"TUTORIAL_PUBLISHED_RUNS": "off"}) is None
    assert archive_url(
        "full", {"TUTORIAL_PUBLISHED_RUNS": "http://x/r.zip"}
    ) == ("http://x/r.zip")
    run = Run("full", torch.device("cpu"), 0)
    assert run.published is None  # the tests' own setting: off
