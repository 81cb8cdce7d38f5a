"""Scoring a folder of fused images with the paper's Table 1 metrics.

Layout: ``SOURCES/far/NAME.ext`` and ``SOURCES/near/NAME.ext`` (or ``a/`` and ``b/``, as MF-VOC),
``FUSED/NAME.ext`` (PNG preferred), optionally ``GT/NAME.ext`` (all-in-focus ground truth).
"""

from __future__ import annotations

import csv
import json
import math
import multiprocessing
import os
import signal
import sys
from collections.abc import Callable, Collection, Sequence
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

import numpy as np
from numpy.typing import NDArray

from fusion.images import read_image, rgb2gray
from ndtheory.errors import NdcnpInputError
from simulate.threads import available_threads

TABLE1_COLUMNS = ("Qabf", "FMIw", "SSIM", "SSIM_Y", "PSNR", "QP", "QCB")
"""Columns of the reference CSV; ``SSIM`` is the authors' script, ``SSIM_Y`` the paper's."""
GT_COLUMNS = ("PSNR_gt", "SSIM_gt", "SSIM_Y_gt", "accuracy_gt")
SOURCE_LAYOUTS = (("far", "near"), ("a", "b"))
IMAGE_SUFFIXES = (".png", ".tif", ".tiff", ".bmp", ".jpg", ".jpeg")


def evaluate_pair(
    source_a: NDArray,
    source_b: NDArray,
    fused: NDArray,
    ground_truth: NDArray | None = None,
    *,
    columns: Collection[str] | None = None,
) -> dict[str, float]:
    """All Table 1 metrics of one fusion (and the ground-truth scores when given).

    ``columns`` (of :data:`TABLE1_COLUMNS` and, with a ground truth, :data:`GT_COLUMNS`)
    computes only those, in the table's order; default all.
    """
    from fusion import metrics

    grey = _grey_once(source_a, source_b, fused)
    rgb = (source_a, source_b, fused)
    table: dict[str, Callable[[], float]] = {
        "Qabf": lambda: metrics.qabf(*grey),
        "FMIw": lambda: metrics.fmi(*grey, feature="wavelet"),
        "SSIM": lambda: metrics.ssim(*grey, variant="grey"),
        "SSIM_Y": lambda: metrics.ssim(*rgb, variant="luma"),
        "PSNR": lambda: metrics.psnr(*rgb),
        "QP": lambda: metrics.qp(*grey),
        "QCB": lambda: metrics.qcb(*grey),
    }
    if ground_truth is not None:
        table |= {
            "PSNR_gt": lambda: metrics.psnr_reference(fused, ground_truth),
            "SSIM_gt": lambda: metrics.ssim_reference(fused, ground_truth, variant="grey"),
            "SSIM_Y_gt": lambda: metrics.ssim_reference(fused, ground_truth, variant="luma"),
            "accuracy_gt": lambda: metrics.accuracy_against_gt(*rgb, ground_truth),
        }
    if columns is not None and not set(columns) <= set(table):
        unknown = sorted(set(columns) - set(table))
        raise NdcnpInputError(f"unknown metric columns {unknown}; known: {list(table)}")
    return {name: score() for name, score in table.items() if columns is None or name in columns}


def _grey_once(*images: NDArray) -> tuple[NDArray, ...]:
    """The images as the grey-level metrics see them, converted once instead of per metric.

    Integer RGB of one shape and dtype becomes ``rgb2gray`` grey of the same dtype, which every
    grey-level metric reads exactly as it reads the colour image (MATLAB ``rgb2gray`` first);
    anything else is returned as given, for each metric to check and convert itself.
    """
    arrays = [np.asarray(image) for image in images]
    first = arrays[0]
    shared = (
        first.ndim == 3
        and first.shape[2] == 3
        and first.dtype in (np.uint8, np.uint16)
        and all(a.shape == first.shape and a.dtype == first.dtype for a in arrays)
    )
    return tuple(rgb2gray(a) for a in arrays) if shared else tuple(images)


def _images_in(folder: Path) -> dict[str, Path]:
    found: dict[str, Path] = {}
    for path in sorted(folder.iterdir()):
        if path.is_file() and path.suffix.lower() in IMAGE_SUFFIXES:
            # PNG wins over a lossy copy of the same name (the reference script's try/catch
            # reads .jpg first, but fused results are published as PNG).
            if path.stem not in found or path.suffix.lower() == ".png":
                found[path.stem] = path
    return found


def _natural_key(name: str) -> tuple:
    return tuple(int(part) if part.isdigit() else part for part in _split_digits(name))


def _split_digits(name: str) -> list[str]:
    parts: list[str] = []
    for ch in name:
        if parts and parts[-1][-1].isdigit() == ch.isdigit():
            parts[-1] += ch
        else:
            parts.append(ch)
    return parts


def find_triplets(
    sources: str | os.PathLike, fused: str | os.PathLike, gt: str | os.PathLike | None = None
) -> list[tuple[str, Path, Path, Path, Path | None]]:
    """Match images by name: ``(name, source_a, source_b, fused, gt)`` in natural order.

    Raises
    ------
    NdcnpInputError
        If a folder is missing, the sources have neither ``far/near`` nor ``a/b``, or a
        source pair has no fused (or ground-truth) image.
    """
    src, fus = Path(sources), Path(fused)
    for folder, what in ((src, "sources"), (fus, "fused")):
        if not folder.is_dir():
            raise NdcnpInputError(f"{what} folder {folder} does not exist")
    for first, second in SOURCE_LAYOUTS:
        if (src / first).is_dir() and (src / second).is_dir():
            break
    else:
        raise NdcnpInputError(f"sources folder {src} must contain far/ and near/ (or a/ and b/)")
    a_images, b_images = _images_in(src / first), _images_in(src / second)
    fused_images = _images_in(fus)
    gt_images: dict[str, Path] | None = None
    if gt is not None:
        if not Path(gt).is_dir():
            raise NdcnpInputError(f"ground-truth folder {gt} does not exist")
        gt_images = _images_in(Path(gt))
    names = sorted(a_images, key=_natural_key)
    if not names:
        raise NdcnpInputError(f"no images in {src / first}")
    triplets = []
    for name in names:
        if name not in b_images:
            partner = src / second
            raise NdcnpInputError(f"{a_images[name]} has no partner named {name}.* in {partner}")
        if name not in fused_images:
            raise NdcnpInputError(f"no fused image named {name}.* in {fus}")
        gt_path = None
        if gt_images is not None:
            if name not in gt_images:
                raise NdcnpInputError(f"no ground-truth image named {name}.* in {gt}")
            gt_path = gt_images[name]
        triplets.append((name, a_images[name], b_images[name], fused_images[name], gt_path))
    return triplets


def _evaluate_files(job: tuple[str, Path, Path, Path, Path | None]) -> dict[str, float | str]:
    name, a_path, b_path, f_path, gt_path = job
    images = [read_image(p) for p in (a_path, b_path, f_path)]
    ground_truth = read_image(gt_path) if gt_path is not None else None
    try:
        row = evaluate_pair(*images, ground_truth)
    except NdcnpInputError as error:
        raise NdcnpInputError(f"image {name}: {error}") from None
    return {"image": name, **row}


def _single_thread_numba() -> None:
    # Each worker process scores one image; the numba kernel's own threads would oversubscribe.
    import numba

    numba.set_num_threads(1)


def _start_worker() -> None:
    # Ctrl-C reaches every process of the terminal's group: the parent alone handles it
    # (one "ndcnp: interrupted" line), so the workers print no traceback of their own.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    _single_thread_numba()


def fork_safe_numba() -> bool:
    """Whether this process may fork its workers.

    A forked child of a process whose GNU OpenMP threads have run (numba's default
    threading layer on Linux) deadlocks at its next parallel region; only numba's
    ``workqueue`` layer survives a fork. So fork while no parallel kernel has run here
    (the workers then load numba's cached kernels themselves, side by side), or under
    the workqueue layer; otherwise spawn. Linux only: fork is unsafe on macOS.
    """
    import numba
    from numba.np.ufunc import parallel

    if not sys.platform.startswith("linux"):
        return False
    return not parallel._is_initialized or numba.threading_layer() == "workqueue"


def _in_workers(triplets: list, workers: int, method: str, wrap: Callable) -> list[dict]:
    """Rows of ``triplets`` from ``workers`` processes started by ``method``, in order."""
    context = multiprocessing.get_context(method)
    with ProcessPoolExecutor(workers, mp_context=context, initializer=_start_worker) as pool:
        try:
            return list(wrap(pool.map(_evaluate_files, triplets), total=len(triplets)))
        except BaseException:
            # Do not score the images still queued (Ctrl-C or an error in one image).
            pool.shutdown(wait=True, cancel_futures=True)
            raise


def finite_mean(values: Sequence[float]) -> float:
    """Mean over the finite values (the paper leaves out infinite PSNRs); NaN if none."""
    finite = [v for v in values if math.isfinite(v)]
    return float(np.mean(finite)) if finite else math.nan


def evaluate_folder(
    sources: str | os.PathLike,
    fused: str | os.PathLike,
    gt: str | os.PathLike | None = None,
    *,
    jobs: int | None = None,
    progress: Callable | None = None,
) -> tuple[list[dict], dict]:
    """Score every fused image in ``fused`` against its sources.

    Parameters
    ----------
    sources, fused, gt : path-like
        Folders, see the module docstring.
    jobs : int, optional
        Worker processes (default: :func:`simulate.threads.available_threads`, the CPUs
        this process may use or ``NDCNP_THREADS``). 1 runs in this process. They are
        forked, inheriting this process's imports, where that is safe
        (:func:`fork_safe_numba`), else spawned; the rows are the same either way.
    progress : callable, optional
        Wraps the iterator of finished rows, e.g. ``functools.partial(tqdm, total=n)``.

    Returns
    -------
    rows, mean
        One dict per image (key ``image`` plus the metric columns) in natural name order,
        and the mean row (``image = "mean"``), each column averaged over its finite values.
    """
    triplets = find_triplets(sources, fused, gt)
    workers = min(jobs or available_threads(), len(triplets))
    wrap = progress or (lambda it, **_: it)
    if workers <= 1:
        rows = list(wrap(map(_evaluate_files, triplets), total=len(triplets)))
    else:
        from fusion import warmup

        # From an empty numba cache the workers would each compile every kernel; two
        # processes compile half each first, and the workers load them.
        warmup.finish(warmup.start(workers))
        # Forked workers inherit the imports (fusion.cli_evaluate makes them all first);
        # spawned ones, where a fork is unsafe, make their own.
        method = "fork" if fork_safe_numba() else "spawn"
        rows = _in_workers(triplets, workers, method, wrap)
    columns = [key for key in rows[0] if key != "image"]
    mean = {"image": "mean", **{c: finite_mean([row[c] for row in rows]) for c in columns}}
    return rows, mean


def write_csv(path: Path, rows: list[dict], mean: dict) -> None:
    """Write the rows and the mean row; floats with 10 significant digits."""
    columns = list(mean)
    with open(path, "w", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(columns)
        for row in [*rows, mean]:
            writer.writerow(
                [row[c] if c == "image" else format(float(row[c]), ".10g") for c in columns]
            )


def write_json(path: Path, rows: list[dict], mean: dict, meta: dict) -> None:
    """Write ``{"meta", "columns", "images", "mean"}``; non-finite values as strings."""

    def clean(row: dict) -> dict:
        return {k: v if isinstance(v, str) or math.isfinite(v) else str(v) for k, v in row.items()}

    document = {
        "meta": meta,
        "columns": [c for c in mean if c != "image"],
        "images": [clean(r) for r in rows],
        "mean": clean(mean),
    }
    with open(path, "w") as handle:
        json.dump(document, handle, indent=1)
        handle.write("\n")


def table1_line(mean: dict) -> str:
    """One Table-1-style line: ``Qabf 0.7621 | FMIw 0.5967 | ... | PSNR 26.9899 | ...``."""
    return " | ".join(f"{c} {mean[c]:.4f}" for c in mean if c != "image")
