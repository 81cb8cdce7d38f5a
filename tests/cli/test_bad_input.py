"""Every subcommand and the public API against bad input, one table row per case (#16).

Each command case runs ``ndcnp`` in-process on tiny files and asserts the exit code, that
stderr is exactly one line ``ndcnp: error: ...`` naming the problem, and that the folder of
inputs is byte for byte as before: no output (nor staging folder) left, no input changed.
Each API case asserts the exception type, a one-line message, and that the argument
arrays are unchanged.
"""

# The case tables keep one case per line, as a table reads best.
# ruff: noqa: E501

from __future__ import annotations

import hashlib
import os
from pathlib import Path

import numpy as np
import pytest

from fusion.cli import main
from fusion.images import write_png

SIZE = 16
"""Side of the test images: every fusion case runs on 16 x 16 pixels."""
FAST = ["--radius", "2", "--steps", "3"]
"""Fusion options that make a run that gets that far cost milliseconds."""
UNWRITABLE = "/sys/ndcnp-test"
"""A folder no process, root included, can create files in (sysfs)."""
PAPER = ["--alpha", "0.8", "--beta", "0.2", "--gamma", "0.5", "--lam", "15"]


def _image(seed: int, shape=(SIZE, SIZE, 3), dtype=np.uint8) -> np.ndarray:
    top = np.iinfo(dtype).max
    return np.random.default_rng(seed).integers(0, top, shape, endpoint=True).astype(dtype)


@pytest.fixture(scope="module")
def world(tmp_path_factory) -> Path:
    """The inputs every case reads, built once; cases may not change them."""
    root = tmp_path_factory.mktemp("world")
    write_png(root / "a.png", _image(1))
    write_png(root / "b.png", _image(2))
    write_png(root / "grey.png", _image(3, (SIZE, SIZE)))
    write_png(root / "big.png", _image(4, (SIZE + 4, SIZE + 4, 3)))
    write_png(root / "a16.png", _image(5, dtype=np.uint16))
    from PIL import Image

    Image.fromarray(_image(6, (SIZE, SIZE, 4))).save(root / "rgba.png")
    Image.fromarray(_image(7, (SIZE, SIZE)).astype(np.int32) * 1000).save(root / "int32.tif")
    (root / "text.png").write_text("not an image\n")
    (root / "empty.png").write_bytes(b"")
    (root / "afile.txt").write_text("a plain file\n")
    (root / "adir").mkdir()
    (root / "with-dir").mkdir()
    (root / "with-dir" / "fused.png").mkdir()  # a directory where demo writes a file
    (root / "with-dir" / "1.png").mkdir()
    (root / "json-dir").mkdir()
    (root / "json-dir" / "scores.json").mkdir()
    np.save(root / "stim.npy", np.linspace(0, 1, 25).reshape(5, 5))
    np.save(root / "stim3d.npy", np.zeros((2, 2, 2)))
    np.save(root / "stim101x100.npy", np.zeros((101, 100)))
    np.save(root / "kernel.npy", np.ones((3, 3)) / 9)
    (root / "even.txt").write_text("1 1\n1 1\n")
    for name, layout in (("set", ("far", "near")), ("setab", ("a", "b"))):
        for k, sub in enumerate(layout):
            (root / name / sub).mkdir(parents=True)
            for stem in ("1", "2"):
                write_png(root / name / sub / f"{stem}.png", _image(10 * int(stem) + k))
    for sub, stems in (("far", ("1", "3")), ("near", ("1", "4"))):
        (root / "unmatched" / sub).mkdir(parents=True)
        for stem in stems:
            write_png(root / "unmatched" / sub / f"{stem}.png", _image(30 + int(stem)))
    for sub, stems in (("far", ("1",)), ("near", ("2",))):
        (root / "disjoint" / sub).mkdir(parents=True)
        for stem in stems:
            write_png(root / "disjoint" / sub / f"{stem}.png", _image(40 + int(stem)))
    (root / "emptyset" / "far").mkdir(parents=True)
    (root / "emptyset" / "near").mkdir(parents=True)
    (root / "noset").mkdir()
    # A set whose second pair fails late (sizes differ), after the first was fused.
    for sub, second in (("far", _image(51)), ("near", _image(52, (SIZE + 2, SIZE + 2, 3)))):
        (root / "badpair" / sub).mkdir(parents=True)
        write_png(root / "badpair" / sub / "1.png", _image(50))
        write_png(root / "badpair" / sub / "2.png", second)
    (root / "badfile" / "far").mkdir(parents=True)
    (root / "badfile" / "near").mkdir(parents=True)
    write_png(root / "badfile" / "far" / "1.png", _image(60))
    (root / "badfile" / "near" / "1.png").write_text("not an image\n")
    (root / "ref").mkdir()
    for stem in ("1", "2"):
        write_png(root / "ref" / f"{stem}.png", _image(10 * int(stem)))
    (root / "ref3").mkdir()
    write_png(root / "ref3" / "3.png", _image(3))
    (root / "refbig").mkdir()
    write_png(root / "refbig" / "1.png", _image(9, (SIZE + 2, SIZE + 2, 3)))
    (root / "emptyref").mkdir()
    (root / "fused").mkdir()
    for stem in ("1", "2"):
        write_png(root / "fused" / f"{stem}.png", _image(70 + int(stem)))
    (root / "fused1").mkdir()
    write_png(root / "fused1" / "1.png", _image(71))
    (root / "fusedbig").mkdir()
    for stem in ("1", "2"):
        write_png(root / "fusedbig" / f"{stem}.png", _image(80, (SIZE + 2, SIZE + 2, 3)))
    os.symlink(root / "a.png", root / "link-a.png")
    os.link(root / "a.png", root / "hard-a.png")
    os.symlink(root / "ref", root / "link-ref")
    os.symlink(root / "set" / "near", root / "link-near")
    return root


def _snapshot(root: Path) -> dict[str, str]:
    """Every path under ``root`` (hidden ones too) with its content hash or kind."""
    state = {}
    for dirpath, dirnames, filenames in os.walk(root):
        for name in dirnames:
            path = Path(dirpath) / name
            state[str(path.relative_to(root))] = "link" if path.is_symlink() else "dir"
        for name in filenames:
            path = Path(dirpath) / name
            digest = hashlib.sha256(path.read_bytes()).hexdigest() if path.exists() else "dangling"
            state[str(path.relative_to(root))] = digest
    return state


# (id, argv with {w} for the inputs folder, fragment the error line must contain)
# fmt: off
COMMAND_CASES = [
    # --- the command line itself
    ("no-command", [], "the following arguments are required: COMMAND"),
    ("unknown-command", ["fly"], "invalid choice: 'fly'"),
    ("simulate-without-what", ["simulate"], "required: WHAT"),
    ("unknown-option", ["demo", "--colour", "red"], "unrecognized arguments: --colour red"),
    # --- fuse: sources
    ("fuse-one-source", ["fuse", "{w}/a.png", "-o", "{w}/f.png"], "at least two source images"),
    ("fuse-missing-source", ["fuse", "{w}/a.png", "{w}/nope.png", "-o", "{w}/f.png"], "does not exist"),
    ("fuse-text-source", ["fuse", "{w}/a.png", "{w}/text.png", "-o", "{w}/f.png"], "cannot be read"),
    ("fuse-empty-file", ["fuse", "{w}/a.png", "{w}/empty.png", "-o", "{w}/f.png"], "cannot be read"),
    ("fuse-alpha", ["fuse", "{w}/a.png", "{w}/rgba.png", "-o", "{w}/f.png"], "alpha channel"),
    ("fuse-sizes-differ", ["fuse", "{w}/a.png", "{w}/big.png", "-o", "{w}/f.png"], "sizes differ"),
    ("fuse-grey-and-colour", ["fuse", "{w}/a.png", "{w}/grey.png", "-o", "{w}/f.png"], "same mode"),
    ("fuse-8-and-16-bit", ["fuse", "{w}/a.png", "{w}/a16.png", "-o", "{w}/f.png"], "bit depths differ"),
    ("fuse-source-is-folder", ["fuse", "{w}/a.png", "{w}/adir", "-o", "{w}/f.png"], "does not exist"),
    # --- fuse: outputs against inputs
    ("fuse-o-is-source", ["fuse", "{w}/a.png", "{w}/b.png", "-o", "{w}/a.png"], "is also an input"),
    ("fuse-o-is-second-source", ["fuse", "{w}/a.png", "{w}/b.png", "-o", "{w}/b.png"], "is also an input"),
    ("fuse-o-dotdot-source", ["fuse", "{w}/a.png", "{w}/b.png", "-o", "{w}/adir/../a.png"], "is also an input"),
    ("fuse-o-symlink-to-source", ["fuse", "{w}/a.png", "{w}/b.png", "-o", "{w}/link-a.png"], "is also an input"),
    ("fuse-o-hard-link-to-source", ["fuse", "{w}/a.png", "{w}/b.png", "-o", "{w}/hard-a.png"], "is also an input"),
    ("fuse-source-via-symlink", ["fuse", "{w}/link-a.png", "{w}/b.png", "-o", "{w}/a.png"], "is also an input"),
    ("fuse-dm-is-source", ["fuse", "{w}/a.png", "{w}/b.png", "-o", "{w}/f.png", "--decision-map", "{w}/b.png"], "is also an input"),
    ("fuse-spikes-is-source", ["fuse", "{w}/a.png", "{w}/b.png", "-o", "{w}/f.png", "--spikes", "{w}/a.png"], "is also an input"),
    ("fuse-o-equals-dm", ["fuse", "{w}/a.png", "{w}/b.png", "-o", "{w}/f.png", "--decision-map", "{w}/adir/../f.png"], "are the same file"),
    # --- fuse: outputs that cannot be written
    ("fuse-o-is-folder", ["fuse", "{w}/a.png", "{w}/b.png", "-o", "{w}/adir"], "is a directory"),
    ("fuse-o-missing-folder", ["fuse", "{w}/a.png", "{w}/b.png", "-o", "{w}/nope/f.png"], "does not exist"),
    ("fuse-o-under-file", ["fuse", "{w}/a.png", "{w}/b.png", "-o", "{w}/afile.txt/f.png"], "afile.txt"),
    ("fuse-o-unwritable", ["fuse", "{w}/a.png", "{w}/b.png", "-o", "/sys/f.png"], "cannot be written"),
    ("fuse-o-empty", ["fuse", "{w}/a.png", "{w}/b.png", "-o", ""], "is not a file name"),
    ("fuse-o-jpg", ["fuse", "{w}/a.png", "{w}/b.png", "-o", "{w}/f.jpg"], "must end in .png"),
    ("fuse-o-no-suffix", ["fuse", "{w}/a.png", "{w}/b.png", "-o", "{w}/fusedimage"], "must end in .png"),
    ("fuse-dm-tiff", ["fuse", "{w}/a.png", "{w}/b.png", "-o", "{w}/f.png", "--decision-map", "{w}/d.tif"], "must end in .png"),
    ("fuse-spikes-png", ["fuse", "{w}/a.png", "{w}/b.png", "-o", "{w}/f.png", "--spikes", "{w}/s.png"], "must end in .npz"),
    ("fuse-dm-unwritable", ["fuse", "{w}/a.png", "{w}/b.png", "-o", "{w}/f.png", "--decision-map", "/sys/d.png"], "cannot be written"),
    # --- fuse: options
    ("fuse-steps-0", ["fuse", "{w}/a.png", "{w}/b.png", "-o", "{w}/f.png", "--steps", "0"], "--steps must be in [1, 10000]; got 0"),
    ("fuse-steps-negative", ["fuse", "{w}/a.png", "{w}/b.png", "-o", "{w}/f.png", "--steps", "-5"], "--steps must be in [1, 10000]"),
    ("fuse-steps-huge", ["fuse", "{w}/a.png", "{w}/b.png", "-o", "{w}/f.png", "--steps", "1000000000"], "--steps must be in [1, 10000]"),
    ("fuse-steps-float", ["fuse", "{w}/a.png", "{w}/b.png", "-o", "{w}/f.png", "--steps", "1.5"], "invalid int value: '1.5'"),
    ("fuse-radius-negative", ["fuse", "{w}/a.png", "{w}/b.png", "-o", "{w}/f.png", "--radius", "-1"], "--radius must be >= 0"),
    ("fuse-radius-too-big", ["fuse", "{w}/a.png", "{w}/b.png", "-o", "{w}/f.png", "--radius", "16"], "not smaller than the image"),
    ("fuse-radius-text", ["fuse", "{w}/a.png", "{w}/b.png", "-o", "{w}/f.png", "--radius", "big"], "must be an integer or 'auto'"),
    ("fuse-window", ["fuse", "{w}/a.png", "{w}/b.png", "-o", "{w}/f.png", "--window", "triangle"], "invalid choice: 'triangle'"),
    ("fuse-device", ["fuse", "{w}/a.png", "{w}/b.png", "-o", "{w}/f.png", "--device", "tpu"], "invalid choice: 'tpu'"),
    ("fuse-no-output", ["fuse", "{w}/a.png", "{w}/b.png"], "required: -o/--output"),
    # --- fuse-dir
    ("fuse-dir-missing-set", ["fuse-dir", "{w}/nope", "-o", "{w}/out"], "does not exist"),
    ("fuse-dir-no-layout", ["fuse-dir", "{w}/noset", "-o", "{w}/out"], "must contain far/ and near/"),
    ("fuse-dir-set-is-file", ["fuse-dir", "{w}/a.png", "-o", "{w}/out"], "does not exist"),
    ("fuse-dir-o-is-set", ["fuse-dir", "{w}/set", "-o", "{w}/set"], "holds input"),
    ("fuse-dir-o-is-far", ["fuse-dir", "{w}/set", "-o", "{w}/set/far"], "holds input"),
    ("fuse-dir-o-is-near", ["fuse-dir", "{w}/set", "-o", "{w}/set/near"], "holds input"),
    ("fuse-dir-o-in-far", ["fuse-dir", "{w}/set", "-o", "{w}/set/far/out"], "lies in input folder"),
    ("fuse-dir-o-symlink-near", ["fuse-dir", "{w}/set", "-o", "{w}/link-near"], "holds input"),
    ("fuse-dir-o-is-a", ["fuse-dir", "{w}/setab", "-o", "{w}/setab/a"], "holds input"),
    ("fuse-dir-o-is-parent", ["fuse-dir", "{w}/set", "-o", "{w}"], "holds input"),
    ("fuse-dir-o-is-file", ["fuse-dir", "{w}/set", "-o", "{w}/afile.txt"], "is not a folder"),
    ("fuse-dir-o-under-file", ["fuse-dir", "{w}/set", "-o", "{w}/afile.txt/out"], "afile.txt"),
    ("fuse-dir-o-unwritable", ["fuse-dir", "{w}/set", "-o", UNWRITABLE], "cannot be written"),
    ("fuse-dir-o-has-dir-named-output", ["fuse-dir", "{w}/set", "-o", "{w}/with-dir"], "is a directory"),
    ("fuse-dir-unmatched", ["fuse-dir", "{w}/unmatched", "-o", "{w}/out"], "far/3, near/4 have no partner"),
    ("fuse-dir-disjoint-skip", ["fuse-dir", "{w}/disjoint", "-o", "{w}/out", "--skip-unmatched"], "no partner"),
    ("fuse-dir-empty", ["fuse-dir", "{w}/emptyset", "-o", "{w}/out"], "has no images"),
    ("fuse-dir-steps-0", ["fuse-dir", "{w}/set", "-o", "{w}/out", "--steps", "0"], "--steps must be in"),
    ("fuse-dir-radius-negative", ["fuse-dir", "{w}/set", "-o", "{w}/out", "--radius", "-2"], "--radius must be >= 0"),
    ("fuse-dir-radius-too-big", ["fuse-dir", "{w}/set", "-o", "{w}/out", "--radius", "40"], "not smaller than the image"),
    ("fuse-dir-late-bad-pair", ["fuse-dir", "{w}/badpair", "-o", "{w}/out", *FAST], "sizes differ"),
    ("fuse-dir-late-bad-pair-nested", ["fuse-dir", "{w}/badpair", "-o", "{w}/new/deep/out", *FAST], "sizes differ"),
    ("fuse-dir-late-bad-pair-existing", ["fuse-dir", "{w}/badpair", "-o", "{w}/adir", *FAST], "sizes differ"),
    ("fuse-dir-bad-file", ["fuse-dir", "{w}/badfile", "-o", "{w}/out", *FAST], "cannot be read"),
    ("fuse-dir-no-output", ["fuse-dir", "{w}/set"], "required: -o/--output"),
    ("fuse-dir-o-empty", ["fuse-dir", "{w}/set", "-o", ""], "is not a folder name"),
    # --- reproduce
    ("reproduce-diff-is-reference", ["reproduce", "--sources", "{w}/set", "--reference", "{w}/ref", "--diff", "{w}/ref"], "holds input"),
    ("reproduce-diff-is-far", ["reproduce", "--sources", "{w}/set", "--reference", "{w}/ref", "--diff", "{w}/set/far"], "holds input"),
    ("reproduce-diff-is-sources", ["reproduce", "--sources", "{w}/set", "--reference", "{w}/ref", "--diff", "{w}/set"], "holds input"),
    ("reproduce-diff-in-reference", ["reproduce", "--sources", "{w}/set", "--reference", "{w}/ref", "--diff", "{w}/ref/diff"], "lies in input folder"),
    ("reproduce-diff-symlink-reference", ["reproduce", "--sources", "{w}/set", "--reference", "{w}/ref", "--diff", "{w}/link-ref"], "holds input"),
    ("reproduce-reference-via-symlink", ["reproduce", "--sources", "{w}/set", "--reference", "{w}/link-ref", "--diff", "{w}/ref"], "holds input"),
    ("reproduce-diff-is-file", ["reproduce", "--sources", "{w}/set", "--reference", "{w}/ref", "--diff", "{w}/afile.txt"], "is not a folder"),
    ("reproduce-diff-under-file", ["reproduce", "--sources", "{w}/set", "--reference", "{w}/ref", "--diff", "{w}/afile.txt/d"], "afile.txt"),
    ("reproduce-diff-unwritable", ["reproduce", "--sources", "{w}/set", "--reference", "{w}/ref", "--diff", UNWRITABLE], "cannot be written"),
    ("reproduce-diff-has-dir", ["reproduce", "--sources", "{w}/set", "--reference", "{w}/ref", "--diff", "{w}/with-dir"], "is a directory"),
    ("reproduce-missing-reference", ["reproduce", "--sources", "{w}/set", "--reference", "{w}/nope"], "does not exist"),
    ("reproduce-empty-reference", ["reproduce", "--sources", "{w}/set", "--reference", "{w}/emptyref"], "has no images"),
    ("reproduce-no-layout", ["reproduce", "--sources", "{w}/noset", "--reference", "{w}/ref"], "must contain far/ and near/"),
    ("reproduce-missing-sources", ["reproduce", "--sources", "{w}/nope", "--reference", "{w}/ref"], "does not exist"),
    ("reproduce-name-not-in-sources", ["reproduce", "--sources", "{w}/set", "--reference", "{w}/ref3"], "no image 3.*"),
    ("reproduce-steps-0", ["reproduce", "--sources", "{w}/set", "--reference", "{w}/ref", "--steps", "0"], "--steps must be in"),
    ("reproduce-radius-negative", ["reproduce", "--sources", "{w}/set", "--reference", "{w}/ref", "--radius", "-1"], "--radius must be >= 0"),
    ("reproduce-no-reference", ["reproduce", "--sources", "{w}/set"], "required: --reference"),
    ("reproduce-late-size-mismatch", ["reproduce", "--sources", "{w}/set", "--reference", "{w}/refbig", "--diff", "{w}/d", *FAST], "shapes differ"),
    ("reproduce-late-bad-image", ["reproduce", "--sources", "{w}/badfile", "--reference", "{w}/ref", "--diff", "{w}/d", *FAST], "no image 2.*"),
    # --- evaluate
    ("evaluate-missing-sources", ["evaluate", "--sources", "{w}/nope", "--fused", "{w}/fused", "-o", "{w}/s.csv"], "does not exist"),
    ("evaluate-missing-fused", ["evaluate", "--sources", "{w}/set", "--fused", "{w}/nope", "-o", "{w}/s.csv"], "does not exist"),
    ("evaluate-no-layout", ["evaluate", "--sources", "{w}/noset", "--fused", "{w}/fused", "-o", "{w}/s.csv"], "must contain far/ and near/"),
    ("evaluate-missing-gt", ["evaluate", "--sources", "{w}/set", "--fused", "{w}/fused", "--gt", "{w}/nope", "-o", "{w}/s.csv"], "does not exist"),
    ("evaluate-gt-missing-name", ["evaluate", "--sources", "{w}/set", "--fused", "{w}/fused", "--gt", "{w}/ref3", "-o", "{w}/s.csv"], "no ground-truth image"),
    ("evaluate-fused-missing-name", ["evaluate", "--sources", "{w}/set", "--fused", "{w}/fused1", "-o", "{w}/s.csv"], "no fused image named 2"),
    ("evaluate-unmatched-sources", ["evaluate", "--sources", "{w}/unmatched", "--fused", "{w}/fused", "-o", "{w}/s.csv"], "has no partner"),
    ("evaluate-o-is-fused-image", ["evaluate", "--sources", "{w}/set", "--fused", "{w}/fused", "-o", "{w}/fused/1.png"], "is also an input"),
    ("evaluate-o-is-source-image", ["evaluate", "--sources", "{w}/set", "--fused", "{w}/fused", "-o", "{w}/set/far/2.png"], "is also an input"),
    ("evaluate-o-in-fused-folder", ["evaluate", "--sources", "{w}/set", "--fused", "{w}/fused", "-o", "{w}/fused/s.csv"], "lies in input folder"),
    ("evaluate-o-in-sources-folder", ["evaluate", "--sources", "{w}/set", "--fused", "{w}/fused", "-o", "{w}/set/near/s.csv"], "lies in input folder"),
    ("evaluate-o-json", ["evaluate", "--sources", "{w}/set", "--fused", "{w}/fused", "-o", "{w}/s.json"], "must end in .csv"),
    ("evaluate-o-no-suffix", ["evaluate", "--sources", "{w}/set", "--fused", "{w}/fused", "-o", "{w}/scores"], "must end in .csv"),
    ("evaluate-o-is-folder", ["evaluate", "--sources", "{w}/set", "--fused", "{w}/fused", "-o", "{w}/adir"], "is a directory"),
    ("evaluate-json-is-folder", ["evaluate", "--sources", "{w}/set", "--fused", "{w}/fused", "-o", "{w}/json-dir/scores.csv"], "is a directory"),
    ("evaluate-o-missing-folder", ["evaluate", "--sources", "{w}/set", "--fused", "{w}/fused", "-o", "{w}/nope/s.csv"], "does not exist"),
    ("evaluate-o-under-file", ["evaluate", "--sources", "{w}/set", "--fused", "{w}/fused", "-o", "{w}/afile.txt/s.csv"], "afile.txt"),
    ("evaluate-o-unwritable", ["evaluate", "--sources", "{w}/set", "--fused", "{w}/fused", "-o", "/sys/s.csv"], "cannot be written"),
    ("evaluate-jobs-0", ["evaluate", "--sources", "{w}/set", "--fused", "{w}/fused", "-o", "{w}/s.csv", "--jobs", "0"], "--jobs must be at least 1"),
    ("evaluate-jobs-text", ["evaluate", "--sources", "{w}/set", "--fused", "{w}/fused", "-o", "{w}/s.csv", "--jobs", "all"], "invalid int value"),
    ("evaluate-late-size-mismatch", ["evaluate", "--sources", "{w}/set", "--fused", "{w}/fusedbig", "-o", "{w}/s.csv", "--jobs", "1"], "same shape"),
    ("evaluate-no-output", ["evaluate", "--sources", "{w}/set", "--fused", "{w}/fused"], "required: -o/--output"),
    # --- demo (every case fails before the minute of work)
    ("demo-o-is-file", ["demo", "-o", "{w}/afile.txt"], "is not a directory"),
    ("demo-o-under-file", ["demo", "-o", "{w}/afile.txt/demo"], "afile.txt"),
    ("demo-o-unwritable", ["demo", "-o", UNWRITABLE], "cannot be written"),
    ("demo-o-has-dir-named-output", ["demo", "-o", "{w}/with-dir"], "is a directory"),
    ("demo-o-empty", ["demo", "-o", ""], "not a folder name"),
    # --- simulate neuron
    ("neuron-no-I", ["simulate", "neuron"], "required: --I"),
    ("neuron-steps-0", ["simulate", "neuron", "--I", "1", "--steps", "0"], "--steps must be in [1, 2000000]; got 0"),
    ("neuron-steps-negative", ["simulate", "neuron", "--I", "1", "--steps", "-3"], "--steps must be in"),
    ("neuron-steps-huge", ["simulate", "neuron", "--I", "1", "--steps", "1000000000"], "--steps must be in"),
    ("neuron-I-negative", ["simulate", "neuron", "--I", "-1"], "I must be in [0, inf); got -1"),
    ("neuron-I-nan", ["simulate", "neuron", "--I", "nan"], "--I: value must be a number such as"),
    ("neuron-I-text", ["simulate", "neuron", "--I", "one"], "or 62/19; got 'one'"),
    ("neuron-alpha-1.5", ["simulate", "neuron", "--I", "1", "--alpha", "1.5"], "alpha must be in (0, 1); got 1.5"),
    ("neuron-alpha-0", ["simulate", "neuron", "--I", "1", "--alpha", "0"], "alpha must be in (0, 1)"),
    ("neuron-beta-negative", ["simulate", "neuron", "--I", "1", "--beta", "-0.1"], "beta must be in"),
    ("neuron-gamma-1", ["simulate", "neuron", "--I", "1", "--gamma", "1"], "gamma must be in"),
    ("neuron-lam-negative", ["simulate", "neuron", "--I", "1", "--lam", "-1"], "lam must be in"),
    ("neuron-lam-nan", ["simulate", "neuron", "--I", "1", "--lam", "nan"], "--lam: value must be a number"),
    ("neuron-neighbours-word", ["simulate", "neuron", "--I", "1", "--neighbours", "most"], "--neighbours must be none, always, uniform"),
    ("neuron-neighbours-bad-number", ["simulate", "neuron", "--I", "1", "--neighbours", "1,x"], "--neighbours must be"),
    ("neuron-neighbours-wrong-length", ["simulate", "neuron", "--I", "1", "--steps", "5", "--neighbours", "1,2"], "5"),
    ("neuron-W-text", ["simulate", "neuron", "--I", "1", "--neighbours", "always", "--W", "1,x"], "--kernel must be"),
    ("neuron-semantics", ["simulate", "neuron", "--I", "1", "--semantics", "reset"], "invalid choice: 'reset'"),
    ("neuron-csv-suffix", ["simulate", "neuron", "--I", "1", "--csv", "{w}/t.txt"], "must end in .csv"),
    ("neuron-plot-xyz", ["simulate", "neuron", "--I", "1", "--plot", "{w}/t.xyz"], "must end in .png or .pdf or .svg"),
    ("neuron-csv-and-plot-same", ["simulate", "neuron", "--I", "1", "--csv", "{w}/t.csv", "--plot", "{w}/t.csv"], "must end in .png"),
    ("neuron-csv-is-folder", ["simulate", "neuron", "--I", "1", "--csv", "{w}/adir"], "is a directory"),
    ("neuron-csv-missing-folder", ["simulate", "neuron", "--I", "1", "--csv", "{w}/nope/t.csv"], "does not exist"),
    ("neuron-csv-under-file", ["simulate", "neuron", "--I", "1", "--csv", "{w}/afile.txt/t.csv"], "afile.txt"),
    ("neuron-plot-unwritable", ["simulate", "neuron", "--I", "1", "--plot", "/sys/t.png"], "cannot be written"),
    # --- simulate grid
    ("grid-missing-stimulus", ["simulate", "grid", "--stimulus", "{w}/nope.png", "-o", "{w}/c.npz"], "does not exist"),
    ("grid-text-stimulus", ["simulate", "grid", "--stimulus", "{w}/text.png", "-o", "{w}/c.npz"], "is not an image"),
    ("grid-int32-stimulus", ["simulate", "grid", "--stimulus", "{w}/int32.tif", "-o", "{w}/c.npz"], "32-bit integer images"),
    ("grid-3d-stimulus", ["simulate", "grid", "--stimulus", "{w}/stim3d.npy", "-o", "{w}/c.npz"], "stimulus"),
    ("grid-o-is-stimulus", ["simulate", "grid", "--stimulus", "{w}/stim.npy", "-o", "{w}/stim.npy"], "is also an input"),
    ("grid-o-is-kernel", ["simulate", "grid", "--stimulus", "{w}/stim.npy", "--kernel", "{w}/kernel.npy", "-o", "{w}/kernel.npy"], "is also an input"),
    ("grid-png-is-stimulus", ["simulate", "grid", "--stimulus", "{w}/a.png", "-o", "{w}/c.npz", "--png", "{w}/a.png"], "is also an input"),
    ("grid-o-suffix", ["simulate", "grid", "--stimulus", "{w}/stim.npy", "-o", "{w}/c.png"], "must end in .npz"),
    ("grid-png-xyz", ["simulate", "grid", "--stimulus", "{w}/stim.npy", "-o", "{w}/c.npz", "--png", "{w}/c.xyz"], "must end in .png"),
    ("grid-o-is-folder", ["simulate", "grid", "--stimulus", "{w}/stim.npy", "-o", "{w}/adir"], "is a directory"),
    ("grid-o-unwritable", ["simulate", "grid", "--stimulus", "{w}/stim.npy", "-o", "/sys/c.npz"], "cannot be written"),
    ("grid-kernel-text", ["simulate", "grid", "--stimulus", "{w}/stim.npy", "-o", "{w}/c.npz", "--kernel", "1,x"], "--kernel must be"),
    ("grid-kernel-missing-file", ["simulate", "grid", "--stimulus", "{w}/stim.npy", "-o", "{w}/c.npz", "--kernel", "{w}/nope.npy"], "does not exist"),
    ("grid-kernel-even", ["simulate", "grid", "--stimulus", "{w}/stim.npy", "-o", "{w}/c.npz", "--kernel", "{w}/even.txt"], "odd"),
    ("grid-steps-0", ["simulate", "grid", "--stimulus", "{w}/stim.npy", "-o", "{w}/c.npz", "--steps", "0"], "--steps must be in [1, 100000]"),
    ("grid-steps-huge", ["simulate", "grid", "--stimulus", "{w}/stim.npy", "-o", "{w}/c.npz", "--steps", "10000000"], "--steps must be in"),
    ("grid-work-over-limit", ["simulate", "grid", "--stimulus", "{w}/stim101x100.npy", "-o", "{w}/c.npz", "--steps", "100000", "--engine", "reference"], "over the reference engine's limit of 1e+09 neuron-steps"),
    ("grid-border", ["simulate", "grid", "--stimulus", "{w}/stim.npy", "-o", "{w}/c.npz", "--border", "mirror"], "invalid choice: 'mirror'"),
    ("grid-engine", ["simulate", "grid", "--stimulus", "{w}/stim.npy", "-o", "{w}/c.npz", "--engine", "fast"], "invalid choice: 'fast'"),
    ("grid-alpha", ["simulate", "grid", "--stimulus", "{w}/stim.npy", "-o", "{w}/c.npz", "--alpha", "2"], "alpha must be in"),
    # --- simulate fig2
    ("fig2-o-xyz", ["simulate", "fig2", "-o", "{w}/f.xyz"], "must end in .png or .pdf or .svg"),
    ("fig2-o-is-folder", ["simulate", "fig2", "-o", "{w}/adir"], "is a directory"),
    ("fig2-o-missing-folder", ["simulate", "fig2", "-o", "{w}/nope/f.png"], "does not exist"),
    ("fig2-table-same-as-o", ["simulate", "fig2", "-o", "{w}/f.png", "--table", "{w}/f.png"], "are the same file"),
    ("fig2-o-unwritable", ["simulate", "fig2", "-o", "/sys/f.png"], "cannot be written"),
    ("fig2-table-is-input-free-folder", ["simulate", "fig2", "-o", "{w}/f.png", "--table", "{w}/adir"], "is a directory"),
    ("fig2-neighbours", ["simulate", "fig2", "-o", "{w}/f.png", "--neighbours", "some"], "invalid choice: 'some'"),
    # --- simulate regime
    ("regime-points-1", ["simulate", "regime", "-o", "{w}/r.png", "--points", "1"], "--points must be >= 2; got 1"),
    ("regime-points-huge", ["simulate", "regime", "-o", "{w}/r.png", "--points", "10000000"], "neuron-steps"),
    ("regime-steps-0", ["simulate", "regime", "-o", "{w}/r.png", "--steps", "0"], "--steps must be in"),
    ("regime-I-order", ["simulate", "regime", "-o", "{w}/r.png", "--I-min", "2", "--I-max", "1"], "need 0 <= --I-min < --I-max"),
    ("regime-I-max-inf", ["simulate", "regime", "-o", "{w}/r.png", "--I-max", "inf"], "need 0 <= --I-min < --I-max < inf"),
    ("regime-I-min-negative", ["simulate", "regime", "-o", "{w}/r.png", "--I-min", "-1"], "need 0 <= --I-min"),
    ("regime-lam-overflow", ["simulate", "regime", "-o", "{w}/r.png", "--lam", "1e308", "--points", "2", "--steps", "4"], "too large for a float"),
    ("regime-sum-w-negative", ["simulate", "regime", "-o", "{w}/r.png", "--sum-w", "-1"], "--sum-w must be"),
    ("regime-alpha", ["simulate", "regime", "-o", "{w}/r.png", "--alpha", "2"], "alpha must be in"),
    ("regime-o-xyz", ["simulate", "regime", "-o", "{w}/r.xyz"], "must end in .png"),
    ("regime-o-is-folder", ["simulate", "regime", "-o", "{w}/adir"], "is a directory"),
    # --- theory
    ("theory-format", ["theory", "--format", "xml"], "invalid choice: 'xml'"),
    ("theory-unknown-action", ["theory", "prove"], "invalid choice: 'prove'"),
    ("bound-missing-beta", ["theory", "bound", "--alpha", "0.8"], "bound needs --beta; got none"),
    ("bound-alpha-1.5", ["theory", "bound", *PAPER[2:], "--alpha", "1.5", "--sum-w", "1.2"], "alpha must be in (0, 1)"),
    ("bound-sum-w-negative", ["theory", "bound", *PAPER, "--sum-w", "-1"], "sum_W must be"),
    ("bound-input-max-alone", ["theory", "bound", *PAPER, "--sum-w", "1.2", "--input-max", "2"], "only used with --solve-for"),
    ("bound-solve-for-given", ["theory", "bound", *PAPER, "--sum-w", "1.2", "--solve-for", "lam"], "is what --solve-for computes"),
    ("bound-solve-for-missing-I", ["theory", "bound", *PAPER[:6], "--sum-w", "1.2", "--solve-for", "lam"], "needs --input-max"),
    ("bound-solve-for-unknown", ["theory", "bound", *PAPER, "--solve-for", "delta"], "invalid choice: 'delta'"),
    ("bound-lam-overflow", ["theory", "bound", *PAPER[:6], "--lam", "1e308", "--sum-w", "1.2"], "too large for a float"),
    ("bound-format", ["theory", "bound", *PAPER, "--sum-w", "1.2", "--format", "yaml"], "invalid choice: 'yaml'"),
    ("regimes-max-length-0", ["theory", "regimes", *PAPER, "--sum-w", "1.2", "--max-length", "0"], "--max-length must be in [1, 10]"),
    ("regimes-max-length-16", ["theory", "regimes", *PAPER, "--sum-w", "1.2", "--max-length", "16"], "--max-length must be in [1, 10]"),
    ("regimes-no-sum-w", ["theory", "regimes", *PAPER], "needs --sum-w"),
    ("regimes-sum-w-negative", ["theory", "regimes", *PAPER, "--sum-w", "-1"], "--sum-w must be"),
    ("regimes-sum-w-inf", ["theory", "regimes", *PAPER, "--sum-w", "inf"], "--sum-w: value must be a number"),
    ("regimes-I-order", ["theory", "regimes", *PAPER, "--sum-w", "1.2", "--I-min", "3", "--I-max", "1"], "need 0 <= --I-min < --I-max"),
    ("regimes-missing-lam", ["theory", "regimes", *PAPER[:6], "--sum-w", "1.2"], "needs --lam"),
    ("regimes-param-no-equals", ["theory", "regimes", "--model", "dtnp", "--param", "f", "--sum-w", "1"], "--param must be NAME=VALUE"),
    ("regimes-param-not-number", ["theory", "regimes", "--model", "dtnp", "--param", "f=x", "--sum-w", "1"], "is not a number"),
    ("regimes-nd-cnp-options-on-other-model", ["theory", "regimes", "--model", "dtnp", "--alpha", "0.5", "--sum-w", "1"], "use --param for dtnp"),
    ("regimes-coupling", ["theory", "regimes", *PAPER, "--sum-w", "1.2", "--coupling", "none"], "invalid choice: 'none'"),
    ("derive-model", ["theory", "derive", "--model", "hh"], "invalid choice: 'hh'"),
]
# fmt: on


@pytest.mark.parametrize(
    ("argv", "fragment"),
    [pytest.param(argv, fragment, id=name) for name, argv, fragment in COMMAND_CASES],
)
def test_command_refuses_in_one_line_and_leaves_everything_as_it_was(world, capsys, argv, fragment):
    before = _snapshot(world)
    code = main([part.replace("{w}", str(world)) for part in argv])
    err = capsys.readouterr().err
    assert code == 2, err
    assert err.startswith("ndcnp: error: ") and err.count("\n") == 1, err
    assert fragment in err, err
    assert "Traceback" not in err
    assert _snapshot(world) == before


def test_the_table_is_large_and_its_ids_unique():
    names = [name for name, _, _ in COMMAND_CASES]
    assert len(set(names)) == len(names)
    assert len(names) + len(API_CASES) >= 150


# --- the public API ----------------------------------------------------------------------


def _fuse(*args, **kwargs):
    from fusion.pipeline import fuse

    return fuse(*args, **kwargs)


def _metric(name):
    def call(*args, **kwargs):
        import fusion.metrics as metrics

        return getattr(metrics, name)(*args, **kwargs)

    call.__name__ = name
    return call


def _neuron(*args, **kwargs):
    from simulate.neuron import simulate_neuron

    return simulate_neuron(*args, **kwargs)


def _classify(*args, **kwargs):
    from simulate.analysis import classify

    return classify(*args, **kwargs)


def _bound(**kwargs):
    from ndtheory.bound import continuous_firing_bound

    return continuous_firing_bound(**kwargs)


GREY = _image(90, (SIZE, SIZE))
RGB = _image(91)
TINY = _image(92, (8, 8))
PARAMS = {"alpha": 0.8, "beta": 0.2, "gamma": 0.5, "lam": 15.0}

# (id, callable, args, kwargs, exception type, fragment of the message)
# fmt: off
API_CASES = [
    ("fuse-none", _fuse, (None,), {}, TypeError, "list of arrays"),
    ("fuse-array-not-list", _fuse, (np.stack([GREY, GREY]),), {}, TypeError, "list of arrays"),
    ("fuse-nested-lists", _fuse, ([GREY.tolist(), GREY.tolist()],), {}, TypeError, "NumPy array"),
    ("fuse-none-source", _fuse, ([GREY, None],), {}, TypeError, "source 2 must be a NumPy array"),
    ("fuse-one", _fuse, ([GREY],), {}, ValueError, "at least two"),
    ("fuse-float", _fuse, ([GREY / 255.0, GREY / 255.0],), {}, ValueError, "uint8 or uint16"),
    ("fuse-int64", _fuse, ([GREY.astype(np.int64)] * 2,), {}, ValueError, "got int64"),
    ("fuse-negative", _fuse, ([GREY.astype(np.int16) - 300] * 2,), {}, ValueError, "got int16"),
    ("fuse-bool", _fuse, ([GREY > 9] * 2,), {}, ValueError, "got bool"),
    ("fuse-1d", _fuse, ([GREY.ravel()] * 2,), {}, ValueError, "(M, N) grey or (M, N, 3)"),
    ("fuse-4-channels", _fuse, ([_image(1, (SIZE, SIZE, 4))] * 2,), {}, ValueError, "(M, N, 3)"),
    ("fuse-empty", _fuse, ([np.zeros((0, 4), np.uint8)] * 2,), {}, ValueError, "is empty"),
    ("fuse-steps-0", _fuse, ([GREY, GREY],), {"n_steps": 0}, ValueError, "n_steps must be in"),
    ("fuse-steps-huge", _fuse, ([GREY, GREY],), {"n_steps": 10**9}, ValueError, "n_steps must be in"),
    ("fuse-steps-float", _fuse, ([GREY, GREY],), {"n_steps": 10.0}, TypeError, "n_steps must be an integer"),
    ("fuse-radius-bool", _fuse, ([GREY, GREY],), {"radius": True}, TypeError, "radius must be an integer"),
    ("fuse-radius-float", _fuse, ([GREY, GREY],), {"radius": 2.5}, TypeError, "radius must be an integer"),
    ("fuse-radius-negative", _fuse, ([GREY, GREY],), {"radius": -1}, ValueError, "radius must be"),
    ("fuse-radius-too-big", _fuse, ([GREY, GREY],), {"radius": SIZE}, ValueError, "not smaller"),
    ("fuse-window", _fuse, ([GREY, GREY],), {"window": "star"}, ValueError, "window must be one of"),
    ("fuse-device", _fuse, ([GREY, GREY],), {"device": "tpu", "radius": 2}, ValueError, "device must be"),
    ("fuse-rule", _fuse, ([GREY, GREY],), {"rule": "paper"}, TypeError, "ParameterRule"),
    ("fuse-mixed-modes", _fuse, ([GREY, RGB],), {}, ValueError, "same mode"),
    ("ssim-below-window", _metric("ssim"), (TINY, TINY, TINY), {}, ValueError, "at least 11 x 11"),
    ("ssim-1x1", _metric("ssim"), (TINY[:1, :1],) * 3, {}, ValueError, "at least 11 x 11"),
    ("ssim-reference-below-window", _metric("ssim_reference"), (TINY, TINY), {}, ValueError, "at least 11 x 11"),
    ("qp-below-window", _metric("qp"), (TINY, TINY, TINY), {}, ValueError, "QP needs images of at least 11 x 11"),
    ("qabf-1x1", _metric("qabf"), (TINY[:1, :1],) * 3, {}, ValueError, "Qabf needs images of at least 3 x 3"),
    ("qabf-2x9", _metric("qabf"), (GREY[:2, :9],) * 3, {}, ValueError, "got 9 x 2"),
    ("psnr-shapes", _metric("psnr"), (GREY, GREY[:, :8], GREY), {}, ValueError, "same shape"),
    ("qcb-int64", _metric("qcb"), (GREY.astype(np.int64), GREY, GREY), {}, ValueError, "uint8, uint16"),
    ("fmi-nan", _metric("fmi"), (GREY, GREY, np.full((SIZE, SIZE), np.nan)), {}, ValueError, "NaN"),
    ("neuron-steps-negative", _neuron, (1.0, PARAMS, -1), {}, ValueError, "n_steps"),
    ("neuron-alpha", _neuron, (1.0, {**PARAMS, "alpha": 2.0}, 10), {}, ValueError, "alpha must be in"),
    ("neuron-I-negative", _neuron, (-1.0, PARAMS, 10), {}, ValueError, "I must be in"),
    ("classify-2d", _classify, (np.zeros((2, 2)),), {}, ValueError, "1-D train"),
    ("classify-not-binary", _classify, ([0, 2, 1],), {}, ValueError, "only 0 and 1"),
    ("classify-min-repeats", _classify, ([0, 1],), {"min_repeats": 0}, ValueError, "min_repeats"),
    ("bound-alpha", _bound, (), {**PARAMS, "alpha": 1.0, "sum_W": 1.2}, ValueError, "alpha must be in"),
]
# fmt: on


@pytest.mark.parametrize(
    ("call", "args", "kwargs", "error", "fragment"),
    [pytest.param(*case[1:], id=case[0]) for case in API_CASES],
)
def test_api_refuses_at_entry_in_one_sentence(call, args, kwargs, error, fragment):
    copies = [np.copy(a) if isinstance(a, np.ndarray) else None for a in args]
    with pytest.raises(error) as info:
        call(*args, **kwargs)
    message = str(info.value)
    assert fragment in message and "\n" not in message, message
    for original, copy in zip(args, copies, strict=True):
        if copy is not None:
            np.testing.assert_array_equal(original, copy)
