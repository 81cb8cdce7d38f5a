"""``ndcnp fuse`` / ``fuse-dir`` / ``reproduce``: outputs, determinism and bad input."""

from __future__ import annotations

import numpy as np
import pytest
from PIL import Image

from fusion.cli import main
from fusion.images import read_image, write_png


def _pair(size=40, dtype=np.uint8):
    rng = np.random.default_rng(3)
    top = np.iinfo(dtype).max
    sharp = rng.integers(0, top, (size, size, 3), endpoint=True).astype(dtype)
    soft = ((sharp.astype(np.int64) + np.roll(sharp, 1, 0) + np.roll(sharp, 1, 1)) // 3).astype(
        dtype
    )
    a, b = sharp.copy(), soft.copy()
    a[:, size // 2 :] = soft[:, size // 2 :]
    b[:, size // 2 :] = sharp[:, size // 2 :]
    return a, b


@pytest.fixture
def pair(tmp_path):
    a, b = _pair()
    pa, pb = tmp_path / "a.png", tmp_path / "b.png"
    write_png(pa, a)
    write_png(pb, b)
    return pa, pb


def _fails(capsys, argv, message):
    assert main(argv) == 2
    err = capsys.readouterr().err
    assert err.startswith("ndcnp: error: ") and err.count("\n") == 1, err
    assert message in err, err


def test_fuse_writes_8bit_png_and_extras(tmp_path, pair):
    out, dm, npz = tmp_path / "f.png", tmp_path / "dm.png", tmp_path / "s.npz"
    argv = ["fuse", *map(str, pair), "-o", str(out), "--decision-map", str(dm)]
    assert main([*argv, "--spikes", str(npz), "--radius", "3"]) == 0
    fused = read_image(out)
    assert fused.dtype == np.uint8 and fused.shape == (40, 40, 3)
    a, b = (read_image(p) for p in pair)
    assert ((fused == a).all(axis=2) | (fused == b).all(axis=2)).all()
    decision = np.asarray(Image.open(dm))
    assert set(np.unique(decision)) <= {0, 255}
    with np.load(npz) as spikes:
        assert spikes["counts"].shape == (2, 40, 40)
        assert spikes["lam"].shape == (2,)


def test_fuse_is_byte_identical_between_runs(tmp_path, pair):
    outs = [tmp_path / "1.png", tmp_path / "2.png"]
    for out in outs:
        assert main(["fuse", *map(str, pair), "-o", str(out), "--radius", "4"]) == 0
    assert outs[0].read_bytes() == outs[1].read_bytes()


def test_fuse_keeps_16_bit_colour(tmp_path):
    a, b = _pair(dtype=np.uint16)
    pa, pb, out = tmp_path / "a.png", tmp_path / "b.png", tmp_path / "f.png"
    write_png(pa, a)
    write_png(pb, b)
    assert main(["fuse", str(pa), str(pb), "-o", str(out), "--radius", "3"]) == 0
    fused = read_image(out)
    assert fused.dtype == np.uint16
    assert ((fused == a).all(axis=2) | (fused == b).all(axis=2)).all()
    assert (fused & 0xFF).any()  # the low bytes survived


def test_three_sources(tmp_path, pair):
    out = tmp_path / "f.png"
    assert main(["fuse", *map(str, pair), str(pair[0]), "-o", str(out), "--radius", "3"]) == 0


def test_sizes_differ(tmp_path, capsys, pair):
    small = tmp_path / "small.png"
    write_png(small, _pair(30)[0])
    out = tmp_path / "f.png"
    _fails(capsys, ["fuse", str(pair[0]), str(small), "-o", str(out)], "sizes differ")
    assert not out.exists()


def test_unreadable_file(tmp_path, capsys, pair):
    junk = tmp_path / "junk.png"
    junk.write_text("not an image")
    out = tmp_path / "f.png"
    _fails(capsys, ["fuse", str(pair[0]), str(junk), "-o", str(out)], "cannot be read")
    _fails(capsys, ["fuse", str(pair[0]), str(tmp_path / "none.png"), "-o", str(out)], "exist")
    assert not out.exists()


def test_single_source(tmp_path, capsys, pair):
    out = tmp_path / "f.png"
    _fails(capsys, ["fuse", str(pair[0]), "-o", str(out)], "at least two")
    assert not out.exists()


def test_grey_mixed_with_colour(tmp_path, capsys, pair):
    grey = tmp_path / "grey.png"
    write_png(grey, read_image(pair[1])[..., 0])
    out = tmp_path / "f.png"
    _fails(capsys, ["fuse", str(pair[0]), str(grey), "-o", str(out)], "same mode")
    assert not out.exists()


def test_alpha_channel(tmp_path, capsys, pair):
    rgba = tmp_path / "rgba.png"
    Image.fromarray(np.dstack([read_image(pair[1]), np.full((40, 40), 255, np.uint8)])).save(rgba)
    out = tmp_path / "f.png"
    _fails(capsys, ["fuse", str(pair[0]), str(rgba), "-o", str(out)], "alpha channel")
    assert not out.exists()


def test_radius_larger_than_image(tmp_path, capsys, pair):
    out = tmp_path / "f.png"
    _fails(capsys, ["fuse", *map(str, pair), "-o", str(out), "--radius", "50"], "radius 50")
    assert not out.exists()


def test_output_equal_to_an_input(capsys, pair):
    before = pair[1].read_bytes()
    _fails(capsys, ["fuse", *map(str, pair), "-o", str(pair[1])], "also an input")
    assert pair[1].read_bytes() == before


def test_fuse_dir_and_reproduce(tmp_path, capsys):
    root = tmp_path / "set"
    for sub in ("far", "near", "ref"):
        (root / sub).mkdir(parents=True)
    a, b = _pair()
    write_png(root / "far" / "1.png", a)
    write_png(root / "near" / "1.png", b)
    out = tmp_path / "out"
    assert main(["fuse-dir", str(root), "-o", str(out), "--radius", "3"]) == 0
    fused = read_image(out / "1.png")
    # Our own fusion as the reference: full agreement, every pixel identical.
    write_png(root / "ref" / "1.png", fused)
    capsys.readouterr()
    argv = ["reproduce", "--sources", str(root), "--reference", str(root / "ref")]
    assert main([*argv, "--radius", "3", "--diff", str(tmp_path / "diff")]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[1].split() == ["1", "100.00%", "100.00%", str(int((a != b).any(axis=2).sum()))]
    assert (tmp_path / "diff" / "1.png").is_file()


def _small_set(root, n):
    """A set of ``n`` different pairs (each pair shifted so no two fusions are alike)."""
    for sub in ("far", "near"):
        (root / sub).mkdir(parents=True)
    a, b = _pair(36)
    for k in range(1, n + 1):
        write_png(root / "far" / f"{k}.png", np.roll(a, 3 * k, axis=1))
        write_png(root / "near" / f"{k}.png", np.roll(b, 3 * k, axis=1))


def test_fuse_dir_in_parallel_writes_the_bytes_of_a_serial_run(tmp_path):
    root = tmp_path / "set"
    _small_set(root, 5)
    outputs = {}
    for jobs in (1, 3):
        out = tmp_path / f"out{jobs}"
        assert (
            main(["fuse-dir", str(root), "-o", str(out), "--radius", "2", "--jobs", str(jobs)]) == 0
        )
        outputs[jobs] = {p.name: p.read_bytes() for p in sorted(out.iterdir())}
    assert sorted(outputs[1]) == [f"{k}.png" for k in range(1, 6)]
    assert outputs[3] == outputs[1]
    assert len(set(outputs[1].values())) == 5  # five different fusions, not one repeated


def test_reproduce_in_parallel_prints_the_serial_table(tmp_path, capsys):
    root = tmp_path / "set"
    _small_set(root, 4)
    (root / "ref").mkdir()
    for k in range(1, 5):  # the sources' far image as reference: agreement varies per pair
        write_png(root / "ref" / f"{k}.png", read_image(root / "far" / f"{k}.png"))
    argv = ["reproduce", "--sources", str(root), "--reference", str(root / "ref"), "--radius", "2"]
    tables = {}
    for jobs in (1, 2):
        capsys.readouterr()
        assert main([*argv, "--jobs", str(jobs)]) == 0
        tables[jobs] = capsys.readouterr().out
    assert tables[2] == tables[1]
    assert [line.split()[0] for line in tables[1].splitlines()[1:5]] == ["1", "2", "3", "4"]


@pytest.mark.parametrize("jobs", ["0", "-2"])
def test_jobs_below_one_is_one_line_error(tmp_path, capsys, jobs):
    root = tmp_path / "set"
    _small_set(root, 1)
    argv = ["fuse-dir", str(root), "-o", str(tmp_path / "out"), "--jobs", jobs]
    _fails(capsys, argv, "--jobs must be an integer >= 1")


def test_fuse_on_cuda_without_a_gpu_is_one_line_and_writes_nothing(tmp_path, capsys, pair):
    from simulate import gpu

    if gpu.cuda_available():
        pytest.skip("this machine has a GPU")
    out = tmp_path / "f.png"
    argv = ["fuse", str(pair[0]), str(pair[1]), "-o", str(out), "--device", "cuda"]
    _fails(capsys, argv, gpu.CUDA_MISSING)
    assert not out.exists()


def test_fuse_on_a_simulated_gpu_equals_the_cpu(tmp_path):
    """``fuse(device="cuda")`` under numba's CUDA simulator (a subprocess) equals the CPU."""
    import os
    import subprocess
    import sys
    from pathlib import Path

    a, b = _pair(12)
    np.save(tmp_path / "a.npy", a)
    np.save(tmp_path / "b.npy", b)
    script = (
        "import sys, numpy as np\n"
        "from fusion.pipeline import fuse\n"
        "a, b = np.load(sys.argv[1]), np.load(sys.argv[2])\n"
        "r = fuse([a, b], radius=2, n_steps=15, device='cuda')\n"
        "np.savez(sys.argv[3], counts=r.counts, fused=r.fused)\n"
    )
    root = Path(__file__).resolve().parents[2]
    env = dict(os.environ, NUMBA_ENABLE_CUDASIM="1", PYTHONPATH=str(root))
    paths = [str(tmp_path / n) for n in ("a.npy", "b.npy", "gpu.npz")]
    done = subprocess.run([sys.executable, "-c", script, *paths], env=env, capture_output=True)
    assert done.returncode == 0, done.stderr.decode()
    from fusion.pipeline import fuse

    cpu = fuse([a, b], radius=2, n_steps=15)
    got = np.load(paths[2])
    assert cpu.counts.max() > 0
    np.testing.assert_array_equal(got["counts"], cpu.counts)
    np.testing.assert_array_equal(got["fused"], cpu.fused)
