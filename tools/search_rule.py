"""Search for the ND-CNPFuse parameter rule by agreement with the authors' Lytro fusions.

Research harness for issue 6 (kept so the search can be rerun). It loads the 20
Lytro pairs once, computes the modified-Laplacian inputs, runs each candidate
configuration of two ND-CNP systems and reports the decision-map agreement with
the authors' published fusions (mean and worst image).

Agreement: over the pixels where ``far`` and ``near`` differ in at least one
channel, the share at which our decision map picks the same source as the
reference (reference picks ``far`` where it equals ``far`` in every channel).

Its numba kernel is a private, search-only copy for speed; the pipeline runs
:func:`simulate.grid.simulate_grid`.

Usage::

    PYTHONPATH=. python tools/search_rule.py GROUP [GROUP ...]   # see CANDIDATES
    PYTHONPATH=. python tools/search_rule.py --list
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

import numba
import numpy as np
from scipy.ndimage import correlate, uniform_filter

DATA = Path(os.environ.get("NDCNP_DATA", "/work/shared/data")) / "lytro"
CACHE = Path("/tmp/ndcnp_search_lytro.npz")

W_INVDIST = [[0.5, 1.0, 0.5], [1.0, 0.0, 1.0], [0.5, 1.0, 0.5]]
W_INVDIST_SQRT = [[2**-0.5, 1.0, 2**-0.5], [1.0, 0.0, 1.0], [2**-0.5, 1.0, 2**-0.5]]
W_PAPER_CROSS = [
    [0, 0, 0.1, 0, 0],
    [0, 0, 0.5, 0, 0],
    [0.1, 0.5, 0, 0.5, 0.1],
    [0, 0, 0.5, 0, 0],
    [0, 0, 0.1, 0, 0],
]


def modified_laplacian(grey: np.ndarray) -> np.ndarray:
    p = np.pad(grey, 1, mode="edge")
    return np.abs(2 * grey - p[:-2, 1:-1] - p[2:, 1:-1]) + np.abs(
        2 * grey - p[1:-1, :-2] - p[1:-1, 2:]
    )


def load() -> dict[str, np.ndarray]:
    if CACHE.is_file():
        return dict(np.load(CACHE))
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
    from fusion.images import im2double, read_image, rgb2gray

    out = {}
    for i in range(1, 21):
        a = read_image(DATA / "far" / f"{i}.jpg")
        b = read_image(DATA / "near" / f"{i}.jpg")
        r = read_image(DATA / "reference" / f"{i}.png")
        out[f"sa{i}"] = modified_laplacian(im2double(rgb2gray(a)))
        out[f"sb{i}"] = modified_laplacian(im2double(rgb2gray(b)))
        out[f"mask{i}"] = (a != b).any(axis=2)
        out[f"ref{i}"] = (r == a).all(axis=2)
    np.savez_compressed(CACHE, **out)
    return out


@numba.njit(cache=True)
def _cnp(I, W, alpha, beta, gamma, lam, n_steps, on_fire, ge):  # noqa: E741
    M, N = I.shape
    k = W.shape[0] // 2
    U = np.zeros((M, N))
    V = np.zeros((M, N))
    T = np.zeros((M, N))
    P = np.zeros((M, N), np.uint8)
    Pn = np.zeros((M, N), np.uint8)
    C = np.zeros((M, N), np.int32)
    for _ in range(n_steps):
        for i in range(M):
            for j in range(N):
                Kc = 0.0
                for a in range(-k, k + 1):
                    ii = i + a
                    if ii < 0 or ii >= M:
                        continue
                    for b in range(-k, k + 1):
                        jj = j + b
                        if jj < 0 or jj >= N:
                            continue
                        w = W[a + k, b + k]
                        if w != 0.0 and P[ii, jj]:
                            Kc += w
                p = P[i, j]
                if on_fire and p == 0:
                    u, v, th = U[i, j], V[i, j], T[i, j]
                else:
                    u, v, th = alpha * U[i, j], beta * V[i, j], gamma * T[i, j]
                u += I[i, j] + Kc
                v += Kc
                th += lam * p
                U[i, j], V[i, j], T[i, j] = u, v, th
                s = u * (1.0 + v)
                Pn[i, j] = 1 if ((s >= th) if ge else (s > th)) else 0
                C[i, j] += Pn[i, j]
        P, Pn = Pn, P
    return C


def corollary1_lam(i_max, alpha, beta, gamma, sum_w):
    """lam that puts ``i_max`` exactly on the Corollary-1 bound (Eq. 19) -- search-only copy."""
    return (i_max + sum_w) * (1 - gamma) * (1 - beta + sum_w) / ((1 - alpha) * (1 - beta))


def _stat(x, how):
    if how == "max":
        return float(x.max())
    if how.startswith("p"):
        return float(np.percentile(x, float(how[1:])))
    if how == "std":
        return float(x.std())
    if how == "mean":
        return float(x.mean())
    raise ValueError(how)


def _otsu(x):
    from skimage.filters import threshold_otsu

    return float(threshold_otsu(x))


def params_for(cfg, a, b):
    """alpha, beta, gamma, lam for each of the two systems."""
    W = np.asarray(cfg.get("W", W_INVDIST), float)
    sum_w = W.sum()
    out = []
    for x in (a, b):
        if cfg.get("adaptive") == "pa":
            # Parameter-adaptive rules in the spirit of Chen 2011 / Yin 2019.
            sd = float(x.std())
            al = float(np.exp(-np.log(1 / sd)))  # exp(-alpha_f) with alpha_f = log(1/std)
            be = cfg.get("beta", 0.2)
            ga = cfg.get("gamma", 0.5)
        else:
            al, be, ga = cfg.get("alpha", 0.8), cfg.get("beta", 0.2), cfg.get("gamma", 0.5)
        out.append([al, be, ga])
    lam_from = cfg.get("lam_from", "max")
    scope = cfg.get("lam_scope", "shared")
    lams = []
    for k, x in enumerate((a, b)):
        al, be, ga = out[k]
        src = np.concatenate([a.ravel(), b.ravel()]) if scope == "shared" else x
        stat = _otsu(src) if lam_from == "otsu" else _stat(src, lam_from)
        lam = corollary1_lam(stat * cfg.get("lam_mult", 1.0), al, be, ga, sum_w)
        if "lam_gain" in cfg:
            # Exploratory only: tilt the shared lambda by the source's own std.
            joint = np.concatenate([a.ravel(), b.ravel()]).std()
            lam *= (x.std() / joint) ** cfg["lam_gain"]
        lams.append(lam)
    return W, [(*out[k], lams[k]) for k in range(2)]


def pa_params(x, lam_rule, beta):
    """PA-PCNN (Yin et al. 2019) parameters mapped onto ND-CNP -- exploratory.

    alpha = exp(-alpha_f) = std(S); linking strength lambda_pa = (S_max / S' - 1) / 6 scales the
    3x3 inverse-distance W; gamma = exp(-alpha_e); lam = V_E or from Corollary 1.
    """
    sd = float(x.std())
    s_prime = _otsu(x)
    s_max = float(x.max())
    link = max((s_max / s_prime - 1) / 6, 1e-3)
    ea = sd  # exp(-alpha_f)
    v_e = ea + 1 + 6 * link
    gamma = min(max((s_prime * (1 - ea**3) / (1 - ea) + 6 * link * ea) / v_e, 1e-3), 0.999)
    W = np.array(W_INVDIST) * link
    if lam_rule == "VE":
        lam = v_e
    else:
        lam = corollary1_lam(s_max, ea, beta, gamma, W.sum())
    return W, (ea, beta, gamma, lam)


def run_pair(args):
    cfg, i, a, b, mask, ref = args
    scale = cfg.get("scale", 1.0)
    norm = cfg.get("norm", "none")
    if norm == "joint":
        m = max(a.max(), b.max())
        a, b = a / m, b / m
    elif norm == "each":
        a, b = a / a.max(), b / b.max()
    a, b = a * scale, b * scale
    if cfg.get("adaptive") == "pa-pcnn":
        (Wa, pa), (Wb, pb) = (pa_params(x, cfg["lam_rule"], cfg.get("beta", 0.01)) for x in (a, b))
        on_fire = cfg.get("semantics", "decay") == "decay-on-fire"
        n = cfg.get("steps", 110)
        ca = _cnp(a, Wa, *pa, n, on_fire, False).astype(float)
        cb = _cnp(b, Wb, *pb, n, on_fire, False).astype(float)
        size = 2 * cfg.get("radius", 16) + 1
        fa = uniform_filter(ca, size, mode="constant")
        fb = uniform_filter(cb, size, mode="constant")
        agree = float(((fa > fb)[mask] == ref[mask]).mean())
        return i, agree, float(ca.mean()), float(cb.mean()), pa[3]
    W, ps = params_for(cfg, a, b)
    on_fire = cfg.get("semantics", "decay") == "decay-on-fire"
    ge = cfg.get("fire", ">") == ">="
    n = cfg.get("steps", 110)
    ca = _cnp(a, W, *ps[0], n, on_fire, ge).astype(float)
    cb = _cnp(b, W, *ps[1], n, on_fire, ge).astype(float)
    r = cfg.get("radius", 16)
    mode = cfg.get("border", "constant")
    if cfg.get("window", "box") == "box":
        fa = uniform_filter(ca, 2 * r + 1, mode=mode) * (2 * r + 1) ** 2
        fb = uniform_filter(cb, 2 * r + 1, mode=mode) * (2 * r + 1) ** 2
    else:
        y, x = np.mgrid[-r : r + 1, -r : r + 1]
        disk = ((x * x + y * y) <= r * r).astype(float)
        fa, fb = correlate(ca, disk, mode=mode), correlate(cb, disk, mode=mode)
    dm = fa > fb if cfg.get("dm", ">") == ">" else fa >= fb
    agree = float((dm[mask] == ref[mask]).mean())
    return i, agree, float(ca.mean()), float(cb.mean()), ps[0][3]


def evaluate(cfg, data, pool, images=range(1, 21)):
    jobs = [
        (cfg, i, data[f"sa{i}"], data[f"sb{i}"], data[f"mask{i}"], data[f"ref{i}"]) for i in images
    ]
    res = sorted(pool.map(run_pair, jobs))
    ag = np.array([r[1] for r in res])
    return ag, res


BASE = {"W": W_INVDIST, "alpha": 0.8, "beta": 0.2, "gamma": 0.5}
CANDIDATES: dict[str, list[dict]] = {
    "smoke": [BASE],
    "abg": [
        {**BASE, "alpha": al, "beta": be, "gamma": ga}
        for al, be, ga in [
            (0.8, 0.2, 0.5),
            (0.5, 0.5, 0.5),
            (0.9, 0.1, 0.8),
            (0.2, 0.2, 0.2),
            (0.5, 0.2, 0.9),
            (0.9, 0.9, 0.9),
        ]
    ],
}
CANDIDATES["grid1"] = [
    {"W": W, "alpha": al, "beta": be, "gamma": ga, "scale": sc, "semantics": se, "fire": fi}
    for sc in (1.0, 255.0)
    for W in (W_INVDIST, W_PAPER_CROSS)
    for al, be, ga in ((0.8, 0.2, 0.5), (0.5, 0.5, 0.5))
    for se in ("decay", "decay-on-fire")
    for fi in (">", ">=")
]

CANDIDATES["scope"] = [
    {
        "W": W_INVDIST,
        "alpha": al,
        "beta": be,
        "gamma": ga,
        "scale": sc,
        "lam_scope": sco,
        "lam_from": lf,
    }
    for sc in (1.0, 255.0)
    for al, be, ga in ((0.8, 0.2, 0.5), (0.5, 0.5, 0.5), (0.9, 0.1, 0.8))
    for sco, lf in (("own", "max"), ("own", "p99"), ("shared", "p99"))
]

CANDIDATES["lin"] = [
    {
        "W": (np.array(W_INVDIST) * w).tolist(),
        "alpha": al,
        "beta": be,
        "gamma": ga,
        "lam_scope": sco,
        "lam_from": lf,
    }
    for w in (0.02, 0.1)
    for al, be, ga in ((0.5, 0.5, 0.9), (0.8, 0.2, 0.95))
    for sco, lf in (("shared", "max"), ("own", "max"), ("own", "p99.9"))
]

CANDIDATES["comp"] = [
    {
        "W": (np.array(W_INVDIST) * w).tolist(),
        "alpha": al,
        "beta": be,
        "gamma": ga,
        "lam_scope": sco,
        "lam_from": lf,
    }
    for w in (0.02, 0.1)
    for al, be, ga in ((0.8, 0.2, 0.5), (0.5, 0.5, 0.7))
    for sco, lf in (("shared", "max"), ("own", "max"), ("own", "std"))
]

CANDIDATES["shared"] = [
    {"W": (np.array(W) * w).tolist(), "alpha": al, "beta": be, "gamma": ga}
    for W in (W_INVDIST,)
    for w in (0.005, 0.02, 0.05)
    for al in (0.5, 0.8)
    for be in (0.2, 0.8)
    for ga in (0.5, 0.8)
]

CANDIDATES["ownS"] = [
    {"W": (np.array(W_INVDIST) * w).tolist(), "alpha": 0.5, "beta": be, "gamma": 0.9}
    | {"lam_scope": sco}
    for w in (1 / 6, 1 / 3)
    for be in (0.2, 0.8)
    for sco in ("own", "shared")
]

PAPER_ABG = {"alpha": 0.8, "beta": 0.2, "gamma": 0.5}
CANDIDATES["final"] = [
    {"W": W_PAPER_CROSS, **PAPER_ABG},
    {"W": (np.array(W_INVDIST) * 0.02).tolist(), **PAPER_ABG},
    {"W": (np.array(W_PAPER_CROSS) * 0.1).tolist(), **PAPER_ABG},
    {"W": (np.array(W_INVDIST) * 0.005).tolist(), "alpha": 0.8, "beta": 0.8, "gamma": 0.5},
]

CANDIDATES["strength"] = [
    {"W": (np.array(W_INVDIST) * s / 6).tolist(), **PAPER_ABG} for s in (0.06, 0.24, 0.4)
] + [
    {"W": (np.array(W_INVDIST) * 0.02).tolist(), **PAPER_ABG, "semantics": "decay-on-fire"},
    {"W": (np.array(W_INVDIST) * 0.02).tolist(), **PAPER_ABG, "fire": ">="},
]

F2 = {"W": (np.array(W_INVDIST) * 0.02).tolist(), **PAPER_ABG}
CANDIDATES["tilt"] = [{**F2, "lam_gain": g} for g in (0.02, 0.05, 0.1, 0.2)]


def _radius_w(r: int, total: float) -> list[list[float]]:
    y, x = np.mgrid[-r : r + 1, -r : r + 1]
    dist = np.hypot(x, y)
    w = np.where((dist > 0) & (dist <= r), 1.0 / np.maximum(dist, 1e-12), 0.0)
    return (w * total / w.sum()).tolist()


CANDIDATES["radiusW"] = [{"W": _radius_w(16, s), **PAPER_ABG} for s in (0.12, 1.2)]

CANDIDATES["owncomp"] = [
    {**F2, "alpha": al, "beta": 0.2, "gamma": ga, "lam_scope": sco}
    for al, ga in ((0.2, 0.2), (0.5, 0.2), (0.2, 0.5))
    for sco in ("own", "shared")
]

CANDIDATES["joint"] = [
    {**F2, "W": (np.array(W_INVDIST) * s / 6).tolist(), "norm": "joint"} for s in (0.05, 0.1, 0.2)
]

CANDIDATES["pa"] = [
    {"adaptive": "pa-pcnn", "norm": norm, "lam_rule": lr}
    for norm in ("each", "joint")
    for lr in ("VE", "corollary1")
]


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("groups", nargs="*")
    ap.add_argument("--json", help="one configuration as JSON")
    ap.add_argument("--list", action="store_true")
    ap.add_argument("--images", default="1-20")
    ap.add_argument("--per-image", action="store_true")
    args = ap.parse_args(argv)
    if args.list:
        for k, v in CANDIDATES.items():
            print(k, len(v))
        return 0
    if "-" in args.images:
        lo, hi = (int(s) for s in args.images.split("-"))
        images = list(range(lo, hi + 1))
    else:
        images = [int(s) for s in args.images.split(",")]
    data = load()
    cfgs = [json.loads(args.json)] if args.json else [c for g in args.groups for c in CANDIDATES[g]]
    with ProcessPoolExecutor(2) as pool:
        for cfg in cfgs:
            ag, res = evaluate(cfg, data, pool, images)
            print(
                f"mean {ag.mean():.4f} min {ag.min():.4f} (#{res[int(ag.argmin())][0]}) "
                f"counts {np.mean([r[2] for r in res]):.1f} lam {res[0][4]:.3g} "
                f"| {json.dumps(cfg)}",
                flush=True,
            )
            if args.per_image:
                print(" ".join(f"{r[0]}:{r[1]:.4f}" for r in res))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
