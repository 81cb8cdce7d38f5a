"""Search for the ND-CNPFuse parameter rule by agreement with the authors' Lytro fusions.

Research harness for issue 6 (kept so the search can be rerun). It loads the 20
Lytro pairs once, computes the modified-Laplacian inputs, runs each candidate
configuration of two ND-CNP systems and reports the decision-map agreement with
the authors' published fusions (mean and worst image).

Agreement: over the pixels where ``far`` and ``near`` differ in at least one
channel, the share at which our decision map picks the same source as the
reference (reference picks ``far`` where it equals ``far`` in every channel).

Everything it computes comes from the library: the inputs from
:func:`fusion.pipeline.fusion_inputs` (the modified Laplacian), the systems from
:func:`simulate.grid.simulate_grid` (or, for per-neuron parameters, the NumPy
reference engine :func:`simulate.reference.run_grid`), Corollary 1 from
:func:`ndtheory.bound.solve_for`. Only the decision rules the library does not
ship (Gaussian and vote windows) are written here.

Usage::

    NDCNP_DATA=DIR PYTHONPATH=. python tools/search_rule.py GROUP [GROUP ...]   # see CANDIDATES
    PYTHONPATH=. python tools/search_rule.py r3vote --data DIR --jobs 1 --per-image --images 5,11
    PYTHONPATH=. python tools/search_rule.py --list

``--data`` (default ``NDCNP_DATA``) is the datasets folder holding ``lytro/``; ``--cache FILE``
keeps the loaded inputs in an ``.npz`` between runs.
"""

from __future__ import annotations

import argparse
import contextlib
import dataclasses
import json
import os
from concurrent.futures import ProcessPoolExecutor
from functools import cache
from pathlib import Path

import numpy as np
from scipy.ndimage import correlate, uniform_filter

from fusion.images import read_image
from fusion.pipeline import fusion_inputs
from fusion.rule import DEFAULT_RULE
from ndtheory import bound
from simulate import reference
from simulate.checks import check_kernel, kernel_offsets
from simulate.codegen import print_model
from simulate.grid import simulate_grid

W_INVDIST = [[0.5, 1.0, 0.5], [1.0, 0.0, 1.0], [0.5, 1.0, 0.5]]
W_INVDIST_SQRT = [[2**-0.5, 1.0, 2**-0.5], [1.0, 0.0, 1.0], [2**-0.5, 1.0, 2**-0.5]]
W_PAPER_CROSS = [
    [0, 0, 0.1, 0, 0],
    [0, 0, 0.5, 0, 0],
    [0.1, 0.5, 0, 0.5, 0.1],
    [0, 0, 0.5, 0, 0],
    [0, 0, 0.1, 0, 0],
]


def load(data: Path, cache_file: Path | None = None) -> dict[str, np.ndarray]:
    """Inputs (the pipeline's modified Laplacians), masks and reference maps of the 20 pairs."""
    if cache_file is not None and cache_file.is_file():
        return dict(np.load(cache_file))
    lytro = data / "lytro"
    out = {}
    for i in range(1, 21):
        a = read_image(lytro / "far" / f"{i}.jpg")
        b = read_image(lytro / "near" / f"{i}.jpg")
        r = read_image(lytro / "reference" / f"{i}.png")
        out[f"sa{i}"], out[f"sb{i}"] = fusion_inputs([a, b])
        out[f"mask{i}"] = (a != b).any(axis=2)
        out[f"ref{i}"] = (r == a).all(axis=2)
    if cache_file is not None:
        np.savez_compressed(cache_file, **out)
    return out


@cache
def _model(ge: bool):
    """ND-CNP, with ``>=`` in the firing test when ``ge`` (the library's own variant)."""
    return dataclasses.replace(DEFAULT_RULE, fires_at_equality=ge).model


def _cnp(I, W, alpha, beta, gamma, lam, n_steps, on_fire, ge):  # noqa: E741
    """Spike counts of one system; ``beta`` and ``lam`` may be one value or one per neuron.

    One value each: the library's numba engine. Per neuron (round 3, H3): the library's NumPy
    reference engine, which evaluates the printed updates on arrays, so arrays of parameters
    broadcast neuron by neuron.
    """
    model = _model(bool(ge))
    semantics = "decay-on-fire" if on_fire else "decay"
    params = {"alpha": alpha, "beta": beta, "gamma": gamma, "lam": lam}
    if np.ndim(beta) == 0 and np.ndim(lam) == 0:
        return simulate_grid(I, params, W, n_steps, model=model, semantics=semantics).counts
    kernel = check_kernel(W)
    printed = print_model(model, semantics)
    counts, _ = reference.run_grid(
        printed, I, kernel, kernel_offsets(kernel), params, n_steps, "zero", None
    )
    return counts


def local_params(cfg, a, b):
    """Round 3 (H3): Corollary 1 per neuron over its coupling radius.

    Each neuron's lam (shared by both systems) puts the largest input of both
    sources within the disk of radius ``local_radius`` around it on the bound
    (base alpha, beta, gamma, sum(W)); with ``local_beta`` each system's neuron
    then solves its beta so that its *own* largest input within that disk sits
    on the bound (round 2's rule made local); with ``local_beta`` "global" each
    system keeps round 2's beta (own p99.99 on the bound with the lam of the
    joint maximum), only lam is local. Closed forms, checked against
    :func:`ndtheory.bound.solve_for` at sampled neurons.
    """
    from scipy.ndimage import maximum_filter

    W = np.asarray(cfg.get("W", W_INVDIST), float)
    al, be, ga = cfg.get("alpha", 0.8), cfg.get("beta", 0.2), cfg.get("gamma", 0.5)
    s = float(W.sum())
    r = cfg["local_radius"]
    y, x = np.mgrid[-r : r + 1, -r : r + 1]
    disk = (x * x + y * y) <= r * r
    tops = [maximum_filter(z, footprint=disk, mode="constant", cval=0.0) for z in (a, b)]
    joint = np.maximum(*tops)
    lam = corollary1_lam(joint, al, be, ga, s)
    if cfg.get("local_beta") == "global":
        # round 2's per-source betas (own p99.99 on the bound at the joint maximum's lam)
        betas = [p[1] for _, p in solved_params(cfg, a, b)]
    elif cfg.get("local_beta"):
        solve_beta = np.vectorize(
            lambda i_top, lam_: bound.solve_for(
                "beta", I=i_top, alpha=al, gamma=ga, lam=lam_, sum_W=s
            )
        )
        betas = [solve_beta(t, lam) for t in tops]
    else:
        betas = [be, be]
    return W, al, ga, lam, [np.broadcast_to(bt, a.shape).copy() for bt in betas]


def corollary1_lam(i_max, alpha, beta, gamma, sum_w):
    """lam that puts ``i_max`` (a value or an array) on the Corollary-1 bound (Eq. 19)."""
    solve = np.vectorize(
        lambda i: bound.solve_for("lam", I=i, alpha=alpha, beta=beta, gamma=gamma, sum_W=sum_w)
    )
    lam = solve(i_max)
    return float(lam) if lam.ndim == 0 else lam


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


def _stat2(x, how):
    """Statistic of one input: max, pNN, std, mean, otsu or 'mean+Kstd'."""
    if how.startswith("mean+"):
        k = float(how[5:-3])
        return float(x.mean() + k * x.std())
    if how == "otsu":
        return _otsu(x)
    return _stat(x, how)


def sup_lam(i_max, alpha, beta, gamma, sum_w):
    """lam with the finite-horizon supremum sup_t I_t (not Eq. 17's limit) at ``i_max``."""
    from scipy.optimize import brentq

    def gap(lam):
        return bound.finite_horizon_supremum(alpha, beta, gamma, lam, sum_w).supremum - i_max

    lo = corollary1_lam(i_max, alpha, beta, gamma, sum_w) * 1e-3
    hi = corollary1_lam(i_max, alpha, beta, gamma, sum_w) * 2
    return brentq(gap, lo, hi, xtol=1e-14, rtol=1e-12)


def solved_params(cfg, a, b):
    """Round 2: fix lam (and all but one parameter), solve Corollary 1 per source.

    ``solve`` names the parameter (alpha, beta, gamma, sum_W) solved with
    :func:`ndtheory.bound.solve_for` so that the source's own statistic
    ``solve_from`` sits on the bound (``solve_scope`` own) or the joint one (shared).
    lam is ``cfg["lam"]`` when given, else Corollary 1's lam at the joint maximum
    with the base parameters (``lam_bound`` "limit": Eq. 17; "sup": the
    finite-horizon supremum), so the source holding the joint maximum keeps the
    base parameters when ``solve_from`` is "max".
    """
    shape = np.asarray(cfg.get("W", W_INVDIST), float)
    base = {"alpha": cfg.get("alpha", 0.8), "beta": cfg.get("beta", 0.2)}
    base["gamma"] = cfg.get("gamma", 0.5)
    base["sum_W"] = float(shape.sum())
    joint = np.concatenate([a.ravel(), b.ravel()])
    if "lam" in cfg:
        lam = float(cfg["lam"])
    else:
        how = cfg.get("lam_from", "max")
        if how in ("stat_min", "stat_max"):
            pick = min if how == "stat_min" else max
            i_top = pick(_stat2(x, cfg["solve_from"]) for x in (a, b))
        else:
            i_top = _stat2(joint, how)
        args = (i_top, base["alpha"], base["beta"], base["gamma"], base["sum_W"])
        lam = sup_lam(*args) if cfg.get("lam_bound", "limit") == "sup" else corollary1_lam(*args)
    name = cfg["solve"]
    out = []
    for x in (a, b):
        src = joint if cfg.get("solve_scope", "own") == "shared" else x
        known = {k: v for k, v in base.items() if k != name}
        p = dict(base)
        p[name] = bound.solve_for(name, I=_stat2(src, cfg["solve_from"]), lam=lam, **known)
        W = shape * (p["sum_W"] / shape.sum()) if shape.sum() > 0 else shape
        out.append((W, (p["alpha"], p["beta"], p["gamma"], lam)))
    return out


def pa_sigma_params(cfg, a, b):
    """Round 2: PA-PCNN's exp(-alpha_f) = sigma(S) as each source's alpha; lam shared.

    Inputs divided by their joint maximum (S in [0, 1]); lam from Corollary 1 at
    S = 1 with the mean of the two alphas (``pa_lam`` "mean") or with each
    source's own alpha (``pa_lam`` "own", where the gain cancels).
    """
    shape = np.asarray(cfg.get("W", W_INVDIST), float)
    be, ga = cfg.get("beta", 0.2), cfg.get("gamma", 0.5)
    als = [float(x.std()) * cfg.get("sigma_mult", 1.0) for x in (a, b)]
    i_top = max(a.max(), b.max())
    out = []
    for al in als:
        al_lam = al if cfg.get("pa_lam") == "own" else float(np.mean(als))
        lam = corollary1_lam(i_top, al_lam, be, ga, shape.sum())
        out.append((shape, (al, be, ga, lam)))
    return out


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


def decision_map(cfg, ca, cb):
    """DM = [F_far > F_near] with F the window sum of the counts (Eq. 21, 22) per ``cfg``."""
    r = cfg.get("radius", 16)
    mode = cfg.get("border", "constant")
    if cfg.get("dm") == "vote":
        # Round 3 (H1): each pixel votes for the source whose neuron fired more;
        # F is the window sum of the votes, DM = F > 0 (ties and F = 0 to near).
        ca, cb = np.sign(ca - cb), np.zeros_like(cb)
    if cfg.get("window", "box") == "gauss":
        from scipy.ndimage import gaussian_filter

        fa = gaussian_filter(ca, cfg["sigma"], mode="constant", truncate=r / cfg["sigma"])
        fb = gaussian_filter(cb, cfg["sigma"], mode="constant", truncate=r / cfg["sigma"])
    elif cfg.get("window", "box") == "box":
        fa = uniform_filter(ca, 2 * r + 1, mode=mode) * (2 * r + 1) ** 2
        fb = uniform_filter(cb, 2 * r + 1, mode=mode) * (2 * r + 1) ** 2
    else:
        y, x = np.mgrid[-r : r + 1, -r : r + 1]
        disk = ((x * x + y * y) <= r * r).astype(float)
        fa, fb = correlate(ca, disk, mode=mode), correlate(cb, disk, mode=mode)
    if cfg.get("dm") == "vote":  # the vote sums are integers; drop uniform_filter's rounding
        fa = np.rint(fa)
    dm = fa > fb if cfg.get("dm", ">") in (">", "vote") else fa >= fb
    return dm


WINDOW_KEYS = ("window", "dm", "sigma", "radius", "border")
_COUNTS: dict = {}


def _counts_key(i, cfg):
    """Candidates differing only in the window or the decision share their counts."""
    return i, json.dumps({k: v for k, v in cfg.items() if k not in WINDOW_KEYS}, sort_keys=True)


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
    if "local_radius" in cfg:
        key = _counts_key(i, cfg)
        if key not in _COUNTS:
            if len(_COUNTS) > 60:
                _COUNTS.clear()
            W, al, ga, lam, (ba, bb) = local_params(cfg, a, b)
            n = cfg.get("steps", 110)
            _COUNTS[key] = (
                _cnp(a, W, al, ba, ga, lam, n, False, False).astype(float),
                _cnp(b, W, al, bb, ga, lam, n, False, False).astype(float),
            )
        ca, cb = _COUNTS[key]
        agree = float((decision_map(cfg, ca, cb)[mask] == ref[mask]).mean())
        return i, agree, float(ca.mean()), float(cb.mean()), float("nan"), "local", "local"
    if "solve" in cfg:
        try:
            (Wa, pa_), (Wb, pb_) = solved_params(cfg, a, b)
        except Exception as err:  # a candidate outside the ranges scores nan
            return i, float("nan"), 0.0, 0.0, float("nan"), str(err)[:60], ""
    elif cfg.get("adaptive") == "pa-sigma":
        (Wa, pa_), (Wb, pb_) = pa_sigma_params(cfg, a, b)
    else:
        W, (pa_, pb_) = params_for(cfg, a, b)
        Wa = Wb = W
    ps = (pa_, pb_)
    on_fire = cfg.get("semantics", "decay") == "decay-on-fire"
    ge = cfg.get("fire", ">") == ">="
    n = cfg.get("steps", 110)
    # Candidates differing only in the window or the decision reuse the counts
    # (in this process: --jobs 1).
    key = _counts_key(i, cfg)
    if key not in _COUNTS:
        if len(_COUNTS) > 60:  # bound the memory (two 520x520 float arrays per entry)
            _COUNTS.clear()
        _COUNTS[key] = (
            _cnp(a, np.asarray(Wa, float), *pa_, n, on_fire, ge).astype(float),
            _cnp(b, np.asarray(Wb, float), *pb_, n, on_fire, ge).astype(float),
        )
    ca, cb = _COUNTS[key]
    dm = decision_map(cfg, ca, cb)
    agree = float((dm[mask] == ref[mask]).mean())
    return i, agree, float(ca.mean()), float(cb.mean()), ps[0][3], ps[0][:3], ps[1][:3]


def evaluate(cfg, data, pool, images=range(1, 21)):
    jobs = [
        (cfg, i, data[f"sa{i}"], data[f"sb{i}"], data[f"mask{i}"], data[f"ref{i}"]) for i in images
    ]
    res = sorted((pool.map if pool is not None else map)(run_pair, jobs))
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


def _lambda_scopes(scales, decays, scopes):
    """Inverse-distance W per scale x (alpha, beta, gamma) x lambda scope and statistic."""
    return [
        {
            "W": (np.array(W_INVDIST) * w).tolist(),
            "alpha": al,
            "beta": be,
            "gamma": ga,
            "lam_scope": sco,
            "lam_from": lf,
        }
        for w in scales
        for al, be, ga in decays
        for sco, lf in scopes
    ]


CANDIDATES["lin"] = _lambda_scopes(
    (0.02, 0.1),
    ((0.5, 0.5, 0.9), (0.8, 0.2, 0.95)),
    (("shared", "max"), ("own", "max"), ("own", "p99.9")),
)
CANDIDATES["comp"] = _lambda_scopes(
    (0.02, 0.1),
    ((0.8, 0.2, 0.5), (0.5, 0.5, 0.7)),
    (("shared", "max"), ("own", "max"), ("own", "std")),
)

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


def _fmt(p):
    return " ".join(f"{v:.4g}" for v in p) if not isinstance(p, str) else p


# Round 2 (docs/reproduction.md "Round 2"): Corollary 1 solved per source.
R2 = {"W": (np.array(W_INVDIST) * 0.02).tolist(), **PAPER_ABG}
CANDIDATES["r2ref"] = [R2]
CANDIDATES["r2solve"] = [
    {**R2, "solve": name, "solve_from": stat}
    for name in ("alpha", "beta", "sum_W")
    for stat in ("max", "p99.9", "p99")
] + [
    {**R2, "solve": "gamma", "solve_from": stat, "lam_from": "stat_min"}
    for stat in ("max", "p99.9", "p99")
]
CANDIDATES["r2sup"] = [
    {**R2, "lam_bound": "sup", "solve": "alpha", "solve_from": "max", "solve_scope": "shared"}
]
CANDIDATES["r2pa"] = [{**R2, "adaptive": "pa-sigma", "pa_lam": lp} for lp in ("mean", "own")]


def _w(total):
    return (np.array(W_INVDIST) * total / 6).tolist()


CANDIDATES["r2beta"] = [
    {**R2, "W": _w(w), "solve": "beta", "solve_from": stat}
    for w in (0.06, 0.12, 0.24)
    for stat in ("p99.5", "p99.9", "p99.95", "p99.99")
]
CANDIDATES["r2beta2"] = [
    {**R2, "solve": "beta", "solve_from": "p99.9", "lam_from": "stat_max"},
    {**R2, "solve": "beta", "solve_from": "p99.9", "beta": 0.5},
    {**R2, "solve": "beta", "solve_from": "p99.9", "beta": 0.05},
    {**R2, "solve": "beta", "solve_from": "p99.9", "alpha": 0.5, "gamma": 0.5},
    {**R2, "solve": "beta", "solve_from": "p99.9", "alpha": 0.9, "gamma": 0.8},
    {**R2, "solve": "beta", "solve_from": "p99.9", "gamma": 0.8},
    {**R2, "solve": "beta", "solve_from": "mean+5std"},
    {**R2, "solve": "beta", "solve_from": "mean+10std"},
]

CANDIDATES["r2final"] = [
    {**R2, "solve": "beta", "solve_from": "p99.9"},
    {**R2, "solve": "beta", "solve_from": "mean+10std"},
    {**R2, "W": _w(0.06), "solve": "beta", "solve_from": "p99.99"},
    {**R2, "solve": "beta", "solve_from": "p99.9", "alpha": 0.5, "gamma": 0.5},
    {**R2, "solve": "beta", "solve_from": "p99.9", "fire": ">="},
    {**R2, "solve": "beta", "solve_from": "p99.9", "semantics": "decay-on-fire"},
]


def _gauss_w(size, sigma, total):
    r = size // 2
    y, x = np.mgrid[-r : r + 1, -r : r + 1]
    w = np.exp(-(x * x + y * y) / (2 * sigma * sigma))
    w[r, r] = 0.0
    return (w * total / w.sum()).tolist()


OWNB = {**R2, "solve": "beta", "solve_from": "p99.9"}
CANDIDATES["r2more"] = [
    {**OWNB, "W": _gauss_w(5, 1.0, 0.12)},
    {**OWNB, "W": _gauss_w(7, 2.0, 0.12)},
    {**OWNB, "W": _w(0.09)},
    {**OWNB, "W": _w(0.15)},
    {**OWNB, "lam_bound": "sup"},
    {**OWNB, "lam_from": "p99.99"},
    {**OWNB, "scale": 255.0, "W": W_INVDIST},
    {**OWNB, "solve_from": "p99.8"},
]

CANDIDATES["r2small"] = [
    {**OWNB, "W": _w(0.06)},
    {**OWNB, "W": _w(0.03), "solve_from": "p99.99"},
    {**OWNB, "W": _w(0.03)},
    {**OWNB, "W": _w(0.06), "solve_from": "max"},
]

CHOSEN2 = {**OWNB, "W": _w(0.06), "solve_from": "p99.99"}
CANDIDATES["r2window"] = [
    {**CHOSEN2, "window": "disk"},
    {**CHOSEN2, "window": "gauss", "sigma": 6.0},
    {**CHOSEN2, "alpha": 0.5, "gamma": 0.5},
]

# Round 3 (docs/reproduction.md "Round 3").
CHOSEN3 = {**CHOSEN2, "window": "disk"}
CANDIDATES["r3ref"] = [CHOSEN3]
CANDIDATES["r3vote"] = [{**CHOSEN3, "dm": "vote", "window": w} for w in ("disk", "box")]
CANDIDATES["r3vote1"] = [{**R2, "dm": "vote", "window": w} for w in ("disk", "box")]
# H2: W itself over the coupling radius (inverse distance within the disk of radius rw,
# zero centre), per-source beta kept; F over the disk and the square of radius 16.
CANDIDATES["r3wradius"] = [
    {**CHOSEN3, "W": _radius_w(rw, total), "window": w}
    for rw in (16,)
    for total in (0.06, 0.12, 0.24, 0.5)
    for w in ("disk", "box")
]
CANDIDATES["r3wradius20"] = [
    {**CHOSEN3, "W": _radius_w(16, 0.12), "window": w} for w in ("disk", "box")
]
CANDIDATES["r3wsmall20"] = [
    {**CHOSEN3, "W": _radius_w(rw, 0.06), "window": w} for rw in (2, 4) for w in ("disk", "box")
]
# H3: Corollary 1 per neuron over its coupling radius r (``local_params``).
CANDIDATES["r3local"] = [
    {**CHOSEN3, "local_radius": 16, "local_beta": lb, "window": w}
    for lb in (False, True, "global")
    for w in ("disk", "box")
]
CANDIDATES["r3wsmall"] = [
    {**CHOSEN3, "W": _radius_w(rw, total), "window": w}
    for rw in (2, 4)
    for total in (0.06, 0.12, 0.24, 0.5)
    for w in ("disk", "box")
]


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("groups", nargs="*")
    ap.add_argument("--json", help="one configuration as JSON")
    ap.add_argument("--list", action="store_true")
    ap.add_argument("--images", default="1-20")
    ap.add_argument("--per-image", action="store_true")
    ap.add_argument("--jobs", type=int, default=2, help="worker processes (1: run in this process)")
    ap.add_argument("--data", default=os.environ.get("NDCNP_DATA"), help="datasets folder")
    ap.add_argument("--cache", type=Path, help="keep the loaded inputs in this .npz")
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
    if args.data is None:
        ap.error("give --data or set NDCNP_DATA (the folder holding lytro/)")
    data = load(Path(args.data), args.cache)
    cfgs = [json.loads(args.json)] if args.json else [c for g in args.groups for c in CANDIDATES[g]]
    with ProcessPoolExecutor(args.jobs) if args.jobs > 1 else contextlib.nullcontext() as pool:
        for cfg in cfgs:
            ag, res = evaluate(cfg, data, pool, images)
            print(
                f"mean {np.nanmean(ag):.4f} min {ag.min():.4f} (#{res[int(ag.argmin())][0]}) "
                f"counts {np.mean([r[2] for r in res]):.1f} lam {res[0][4]:.3g} "
                f"| {json.dumps(cfg)}",
                flush=True,
            )
            if args.per_image:
                print(" ".join(f"{r[0]}:{r[1]:.4f}" for r in res))
                if len(res[0]) > 5:
                    for r in res:
                        print(f"  #{r[0]} far {_fmt(r[5])} near {_fmt(r[6])}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
