"""Numba kernel for the FMI window scores (private; public entry: ``fmi.fmi_window_scores``).

Same quantities as ``fmi._side_scores_reference``, computed in less work (exact rewrites up to
rounding; a test holds every window within 1e-12 of the reference):

- F's pdf, cdf, logs and moments are computed once per window, not once per side;
- the Frechet bound's mass in cell (i, m) is the overlap of F's i-th cdf step (F_{i-1}, F_i]
  with the source's m-th step (L_m, U_m]: (A_{m-1}, A_m] for the upper bound; for the lower,
  the mirrored steps (1 - A_j, 1 - A_{j-1}], taken in ascending order (m = 8 - j). An overlap
  of positive length ends either at an F_i, in the first source step with U_m >= F_i, or at
  a U_m, in the first F step with F_i > U_m: 18 candidate cells per side hold every cell with
  mass (at most 17 have it), and a candidate without mass has mass <= 0 by construction;
- everywhere else the joint pmf is the product form ``(1 - phi) f_i a_j``, whose entropy sum is
  closed-form from the marginal entropies.

Layout, for speed: the windows are taken ``_W`` at a time in row-major order (a block runs on
into the next rows), and every quantity of a window lives in a row of one flat workspace,
window q in column q (``ws[row * _S + q]``).
Every loop below runs over the ``_W`` windows with a branch-free body at constant offsets,
which LLVM vectorises (eight windows per AVX-512 instruction): the window-local choices (which
bound, which step holds a breakpoint, pdf entries that are 0) are selects, both bound sums are
computed and one is chosen, and the logarithms are ``_log2.log2``, a ``log2`` within 1 ulp of
glibc's that vectorises (for the pdf entries ``_log2.log2_normal``, its bits for normal numbers
in fewer operations, and ``log2`` again for a block where one is not). Two rules keep LLVM
vectorising: no load under a condition (load both, then choose) and no inner loop with a
logarithm in it (such a loop is not unrolled).

Sums that decide ties (the pdf normaliser and the pdf mean) run in Octave's order, and so do
the Pearson numerator and the bound sums, as in the reference's loop order.
``error_model="numpy"``: a division by zero gives inf/NaN, as NumPy, instead of numba's
per-division check that raises (and stops vectorisation); every division is guarded or has a
positive divisor, so the values are the same.
"""

from __future__ import annotations

import math

import numba
import numpy as np

from fusion.metrics._log2 import is_normal, log2, log2_normal

_N = 9
_W = 128  # windows per block: the trip count of every vectorised loop
# Row stride of the workspace, 8 more than _W: with rows 1 KiB apart, the ~70 rows one loop
# reads and writes would share few cache sets (measured 2.5 times slower in places).
_S = _W + 8

# Workspace rows (_S apart, _W used). Raw windows are column-major, as MATLAB's aSub(:). A pdf
# block holds the normalised window until _pdf_stats divides it. A cdf block starts with a row
# of zeros, so that row i is F_{i-1} and row i + 1 is F_i.
_RAW_A, _RAW_B, _RAW_F = 0, 9, 18
_PDF_A, _PDF_B, _PDF_F = 27, 36, 45
_CDF_A, _CDF_B, _CDF_F = 54, 64, 74
_LOG_A, _LOG_B, _LOG_F = 84, 93, 102
# The current side's source steps (L_m, U_m] in ascending order: rows of L_m, U_m, the step's
# pdf entry and its log2. Step m is the source's step m for the upper bound, its mirrored step
# 8 - m for the lower.
_STEPS = 111
_LOW, _UP, _STEP_PDF, _STEP_LOG = 0, 9, 18, 27
# Per-window statistics of each of A, B, F: mean, sum of squared deviations, sd, entropy,
# sum of the cdf.
_STATS_A, _STATS_B, _STATS_F = 147, 152, 157
_MEAN, _DEV2, _SD, _H, _CDF_SUM = 0, 1, 2, 3, 4
# Per-window state of the current side.
_SIDE = 162
_C, _BOUND_UP, _BOUND_LO, _PHI, _REST, _LREST, _HJOINT = 0, 1, 2, 3, 4, 5, 6
_EQUAL_A, _EQUAL_B, _SCORE_A, _SCORE_B = 169, 170, 171, 172
_ROWS = 173


@numba.njit(cache=True)
def _rows(ws, first):
    return ws[first * _S :]


@numba.njit(cache=True, error_model="numpy")
def _gather(image, w0, n, raw):
    """Windows w0 .. w0 + n - 1 of the window grid, in row-major order, into ``raw`` (a block
    may run on into the next rows); the columns past n are zero windows."""
    cols = image.shape[1] - 2
    for c in range(3):
        for r in range(3):
            dst = raw[(3 * c + r) * _S :]
            done = 0
            while done < n:
                p, q0 = divmod(w0 + done, cols)
                take = min(n - done, cols - q0)
                src = image[p + r, q0 + c :]
                part = dst[done:]
                for q in range(take):
                    part[q] = src[q]
                done += take
            for q in range(n, _W):
                dst[q] = 0.0


@numba.njit(cache=True, error_model="numpy")
def _normalise(raw, out):
    """Min-max normalise each window (a flat window becomes ones)."""
    for q in range(_W):
        top = raw[q]
        bottom = raw[q]
        for k in range(1, _N):
            top = max(top, raw[k * _S + q])
            bottom = min(bottom, raw[k * _S + q])
        flat = top == bottom
        span = 1.0 if flat else top - bottom
        for k in range(_N):
            out[k * _S + q] = 1.0 if flat else (raw[k * _S + q] - bottom) / span


@numba.njit(cache=True, error_model="numpy")
def _equal(x, y, out):
    """out[q] = 1.0 where window q of x equals window q of y, else 0.0."""
    for q in range(_W):
        equal = True
        for k in range(_N):
            equal &= x[k * _S + q] == y[k * _S + q]
        out[q] = 1.0 if equal else 0.0


@numba.njit(cache=True, error_model="numpy")
def _equal_b(raw_b, raw_f, norm_f, equal_a, out):
    """B's equality test: with F's window as the A side left it (raw if equal, else normalised)."""
    for q in range(_W):
        raw = equal_a[q] != 0.0
        equal = True
        for k in range(_N):
            # Both loaded, then chosen: a load under a condition stops vectorisation.
            f_raw = raw_f[k * _S + q]
            f_norm = norm_f[k * _S + q]
            equal &= raw_b[k * _S + q] == (f_raw if raw else f_norm)
        out[q] = 1.0 if equal else 0.0


@numba.njit(cache=True, error_model="numpy")
def _pdf_stats(pdf, cdf, logs, stats):
    """Normalised windows in ``pdf`` to their pdfs; cdf, log2 pdf and the window statistics."""
    for q in range(_W):
        # MATLAB sum(sum(window)): column sums first, then their sum.
        total = (
            (pdf[q] + pdf[_S + q] + pdf[2 * _S + q])
            + (pdf[3 * _S + q] + pdf[4 * _S + q] + pdf[5 * _S + q])
            + (pdf[6 * _S + q] + pdf[7 * _S + q] + pdf[8 * _S + q])
        )
        cdf[q] = 0.0
        acc = 0.0
        for k in range(_N):
            x = pdf[k * _S + q] / total
            pdf[k * _S + q] = x
            acc += x  # left to right, as Octave's sum: the mean decides flat windows
            cdf[(k + 1) * _S + q] = acc
        mean = acc / _N
        dev2 = 0.0
        e = 0.0
        e2 = 0.0
        cdf_sum = 0.0
        for k in range(_N):
            x = pdf[k * _S + q]
            d = x - mean
            dev2 += d * d
            i = k + 1.0
            e += i * x
            e2 += i * i * x
            cdf_sum += cdf[(k + 1) * _S + q]
        stats[_MEAN * _S + q] = mean
        stats[_DEV2 * _S + q] = dev2
        stats[_SD * _S + q] = math.sqrt(e2 - e * e)
        stats[_H * _S + q] = 0.0
        stats[_CDF_SUM * _S + q] = cdf_sum
    # The logarithms one pdf entry at a time: a loop body with nine of them is not unrolled.
    # First with the lean log2, exact for the normal numbers that pdf entries almost always
    # are (2.5 ms less per Lytro pair); a block with a subnormal entry again with the full.
    h = stats[_H * _S :]
    normal = True
    for k in range(_N):
        pdf_k = pdf[k * _S :]
        log_k = logs[k * _S :]
        for q in range(_W):
            x = pdf_k[q]
            arg = x if x != 0.0 else 1.0  # log 0 where the pdf is 0
            normal &= is_normal(arg)
            lg = log2_normal(arg)
            log_k[q] = lg
            h[q] -= x * lg
    if normal:
        return
    for q in range(_W):
        h[q] = 0.0
    for k in range(_N):
        pdf_k = pdf[k * _S :]
        log_k = logs[k * _S :]
        for q in range(_W):
            x = pdf_k[q]
            lg = log2(x if x != 0.0 else 1.0)
            log_k[q] = lg
            h[q] -= x * lg


@numba.njit(cache=True, error_model="numpy")
def _correlation(s_pdf, s_cdf, s_log, s_st, f_pdf, f_st, steps, side):
    """Pearson c of the pdfs, the source's steps for its bound, and zeroed bound sums."""
    for q in range(_W):
        s_mean = s_st[_MEAN * _S + q]
        f_mean = f_st[_MEAN * _S + q]
        num = 0.0
        for k in range(_N):
            num += (s_pdf[k * _S + q] - s_mean) * (f_pdf[k * _S + q] - f_mean)
        ss_ff = s_st[_DEV2 * _S + q] * f_st[_DEV2 * _S + q]
        c = 0.0 if num == 0.0 else num / math.sqrt(ss_ff)
        upper = c >= 0.0
        for m in range(_N):
            # Upper bound: step m is (A_{m-1}, A_m]. Lower: mirrored step j = 8 - m,
            # (1 - A_j, 1 - A_{j-1}], ascends as j descends.
            a_prev, a_m = s_cdf[m * _S + q], s_cdf[(m + 1) * _S + q]
            a_j, a_next = s_cdf[(_N - m) * _S + q], s_cdf[(_N - 1 - m) * _S + q]
            pdf_m, pdf_j = s_pdf[m * _S + q], s_pdf[(_N - 1 - m) * _S + q]
            log_m, log_j = s_log[m * _S + q], s_log[(_N - 1 - m) * _S + q]
            steps[(_LOW + m) * _S + q] = a_prev if upper else 1.0 - a_j
            steps[(_UP + m) * _S + q] = a_m if upper else 1.0 - a_next
            steps[(_STEP_PDF + m) * _S + q] = pdf_m if upper else pdf_j
            steps[(_STEP_LOG + m) * _S + q] = log_m if upper else log_j
        side[_C * _S + q] = c
        side[_BOUND_UP * _S + q] = 0.0
        side[_BOUND_LO * _S + q] = 0.0


@numba.njit(cache=True, error_model="numpy")
def _bound_sums(f_i, s_cdf, side):
    """Add row i of sum_ij min(F_i, A_j) and of sum_ij max(F_i + A_j - 1, 0) to the side.

    The terms are added as the reference's merge adds them: the A_j below F_i left to right,
    the A_j above 1 - F_i right to left.
    """
    for q in range(_W):
        fi = f_i[q]
        below = 0.0
        n_up = 0.0
        for j in range(_N):
            a = s_cdf[(j + 1) * _S + q]
            below += a if a < fi else 0.0
            n_up += 0.0 if a < fi else 1.0
        above = 0.0
        n_lo = 0.0
        for j in range(_N - 1, -1, -1):
            a = s_cdf[(j + 1) * _S + q]
            inside = a + fi - 1.0 > 0.0
            above += a if inside else 0.0
            n_lo += 1.0 if inside else 0.0
        side[_BOUND_UP * _S + q] += below + fi * n_up
        side[_BOUND_LO * _S + q] += above + (fi - 1.0) * n_lo


@numba.njit(cache=True, error_model="numpy")
def _dependence(s_cdf, s_st, f_cdf, f_st, side):
    """phi, 1 - phi, log2|1 - phi| and the product-form joint entropy of every cell."""
    for q in range(_W):
        c = side[_C * _S + q]
        upper = c >= 0.0
        bound_up = side[_BOUND_UP * _S + q]
        bound_lo = side[_BOUND_LO * _S + q]
        bound = bound_up if upper else bound_lo
        cov = bound - f_st[_CDF_SUM * _S + q] * s_st[_CDF_SUM * _S + q]
        s_sd = s_st[_SD * _S + q]
        f_sd = f_st[_SD * _S + q]
        zero = (upper & (c == 0.0)) | (s_sd == 0.0) | (f_sd == 0.0)
        phi = 0.0 if zero else c / (cov / (f_sd * s_sd))
        rest = 1.0 - phi
        l_rest = log2(abs(rest) if rest != 0.0 else 1.0)
        f_total = f_cdf[_N * _S + q]
        s_total = s_cdf[_N * _S + q]
        h_f = f_st[_H * _S + q]
        h_s = s_st[_H * _S + q]
        # Product form over every cell: -sum q log2|q| = -rest (l_rest F S - S h_f - F h_s).
        side[_PHI * _S + q] = phi
        side[_REST * _S + q] = rest
        side[_LREST * _S + q] = l_rest
        product = -rest * (l_rest * f_total * s_total - s_total * h_f - f_total * h_s)
        side[_HJOINT * _S + q] = product


@numba.njit(cache=True, inline="always", error_model="numpy")
def _cell(mass, phi, rest, l_rest, f_i, s_j, lf_i, ls_j):
    """Joint-entropy correction of one cell: its true term minus the product-form term that
    the closed-form sum already counted; 0 where the cell has no bound mass."""
    q = rest * f_i * s_j
    p = phi * mass + q
    true_term = 0.0 if p == 0.0 else -(p * log2(abs(p) if p != 0.0 else 1.0))
    product_term = 0.0 if q == 0.0 else q * (l_rest + lf_i + ls_j)
    return true_term + product_term if mass > 0.0 else 0.0


@numba.njit(cache=True, error_model="numpy")
def _cells_ending_at_f(f_i, f_prev, f_pdf_i, f_log_i, steps, side):
    """Cell (i, m) for the source step (L_m, U_m] that holds F_i: the first with U_m >= F_i
    (for m > 0, L_m = U_{m-1} < F_i; for m = 0, L_0 >= F_i gives no mass)."""
    for q in range(_W):
        fi = f_i[q]
        start = fi  # no such step: zero mass
        s_m = 0.0
        ls_m = 0.0
        for m in range(_N - 1, -1, -1):
            low = steps[(_LOW + m) * _S + q]
            pdf = steps[(_STEP_PDF + m) * _S + q]
            lg = steps[(_STEP_LOG + m) * _S + q]
            holds = steps[(_UP + m) * _S + q] >= fi
            start = low if holds else start
            s_m = pdf if holds else s_m
            ls_m = lg if holds else ls_m
        mass = fi - max(f_prev[q], start)
        side[_HJOINT * _S + q] += _cell(
            mass,
            side[_PHI * _S + q],
            side[_REST * _S + q],
            side[_LREST * _S + q],
            f_pdf_i[q],
            s_m,
            f_log_i[q],
            ls_m,
        )


@numba.njit(cache=True, error_model="numpy")
def _cells_ending_at_u(low_m, up_m, s_pdf_m, s_log_m, f_cdf, f_pdf, f_log, side):
    """Cell (i, m) for the F step (F_{i-1}, F_i) that holds U_m strictly: the first with
    F_i > U_m (F_{i-1} = U_m gives no mass)."""
    for q in range(_W):
        u = up_m[q]
        start = u  # no such step: zero mass
        f_i = 0.0
        lf_i = 0.0
        for i in range(_N - 1, -1, -1):
            f_prev = f_cdf[i * _S + q]
            pdf = f_pdf[i * _S + q]
            lg = f_log[i * _S + q]
            holds = f_cdf[(i + 1) * _S + q] > u
            start = f_prev if holds else start
            f_i = pdf if holds else f_i
            lf_i = lg if holds else lf_i
        mass = u - max(start, low_m[q])
        side[_HJOINT * _S + q] += _cell(
            mass,
            side[_PHI * _S + q],
            side[_REST * _S + q],
            side[_LREST * _S + q],
            f_i,
            s_pdf_m[q],
            lf_i,
            s_log_m[q],
        )


@numba.njit(cache=True, error_model="numpy")
def _side(ws, s_pdf_row, s_cdf_row, s_log_row, s_stats_row, out):
    """Normalised MI of one source's windows against F's: ``out[q]`` for window q."""
    s_pdf, s_cdf = _rows(ws, s_pdf_row), _rows(ws, s_cdf_row)
    s_log, s_st = _rows(ws, s_log_row), _rows(ws, s_stats_row)
    f_pdf, f_cdf = _rows(ws, _PDF_F), _rows(ws, _CDF_F)
    f_log, f_st = _rows(ws, _LOG_F), _rows(ws, _STATS_F)
    steps, side = _rows(ws, _STEPS), _rows(ws, _SIDE)
    _correlation(s_pdf, s_cdf, s_log, s_st, f_pdf, f_st, steps, side)
    for i in range(_N):
        _bound_sums(_rows(ws, _CDF_F + i + 1), s_cdf, side)
    _dependence(s_cdf, s_st, f_cdf, f_st, side)
    for i in range(_N):
        _cells_ending_at_f(
            _rows(ws, _CDF_F + i + 1),
            _rows(ws, _CDF_F + i),
            _rows(ws, _PDF_F + i),
            _rows(ws, _LOG_F + i),
            steps,
            side,
        )
    for m in range(_N):
        _cells_ending_at_u(
            _rows(ws, _STEPS + _LOW + m),
            _rows(ws, _STEPS + _UP + m),
            _rows(ws, _STEPS + _STEP_PDF + m),
            _rows(ws, _STEPS + _STEP_LOG + m),
            f_cdf,
            f_pdf,
            f_log,
            side,
        )
    for q in range(_W):
        h_s = s_st[_H * _S + q]
        h_f = f_st[_H * _S + q]
        mi = h_s + h_f - side[_HJOINT * _S + q]
        out[q] = 0.0 if mi == 0.0 else 2.0 * mi / (h_s + h_f)


@numba.njit(cache=True, error_model="numpy")
def _block(fa, fb, ff, w0, n, ws, out):
    """Scores of windows w0 .. w0 + n - 1 (row-major) into out[w0:w0 + n] (the flat map)."""
    _gather(fa, w0, n, _rows(ws, _RAW_A))
    _gather(fb, w0, n, _rows(ws, _RAW_B))
    _gather(ff, w0, n, _rows(ws, _RAW_F))
    _equal(_rows(ws, _RAW_A), _rows(ws, _RAW_F), _rows(ws, _EQUAL_A))
    for raw, pdf in ((_RAW_A, _PDF_A), (_RAW_B, _PDF_B), (_RAW_F, _PDF_F)):
        _normalise(_rows(ws, raw), _rows(ws, pdf))
    _equal_b(
        _rows(ws, _RAW_B),
        _rows(ws, _RAW_F),
        _rows(ws, _PDF_F),
        _rows(ws, _EQUAL_A),
        _rows(ws, _EQUAL_B),
    )
    for pdf, cdf, logs, stats in (
        (_PDF_A, _CDF_A, _LOG_A, _STATS_A),
        (_PDF_B, _CDF_B, _LOG_B, _STATS_B),
        (_PDF_F, _CDF_F, _LOG_F, _STATS_F),
    ):
        _pdf_stats(_rows(ws, pdf), _rows(ws, cdf), _rows(ws, logs), _rows(ws, stats))
    score_a = _rows(ws, _SCORE_A)
    _side(ws, _PDF_A, _CDF_A, _LOG_A, _STATS_A, score_a)
    score_b = _rows(ws, _SCORE_B)
    _side(ws, _PDF_B, _CDF_B, _LOG_B, _STATS_B, score_b)
    equal_a, equal_b = _rows(ws, _EQUAL_A), _rows(ws, _EQUAL_B)
    for q in range(n):
        side_a = 1.0 if equal_a[q] != 0.0 else score_a[q]
        side_b = 1.0 if equal_b[q] != 0.0 else score_b[q]
        out[w0 + q] = (side_a + side_b) / 2.0


@numba.njit(cache=True, nogil=True, error_model="numpy")
def _scores(fa, fb, ff, out, first, last):
    """Rows first .. last - 1 of the window map into ``out``, the flat (rows * cols) map.

    Blocks of _W consecutive windows run on from one row into the next: a block per row end
    would compute 128 windows for the last few (FMIw on a 520 x 520 pair has 618 windows a
    row, which took five blocks, 640 lanes).
    """
    cols = fa.shape[1] - 2
    ws = np.empty(_ROWS * _S)
    end = last * cols
    for w0 in range(first * cols, end, _W):
        _block(fa, fb, ff, w0, min(_W, end - w0), ws, out)


def window_scores(fa: np.ndarray, fb: np.ndarray, ff: np.ndarray) -> np.ndarray:
    """Per-window FMI map of three C-contiguous float64 feature images of one shape.

    Rows are shared among ``numba.get_num_threads()`` Python threads (the kernel releases
    the GIL) rather than compiled with ``parallel=True``, which took 3 s more to compile
    from an empty cache (8.7 s against 5.8), paid by every new user.
    """
    from concurrent.futures import ThreadPoolExecutor

    rows = fa.shape[0] - 2
    out = np.empty((rows, fa.shape[1] - 2))
    flat = out.reshape(-1)
    threads = max(1, min(numba.get_num_threads(), rows))
    if threads == 1:
        _scores(fa, fb, ff, flat, 0, rows)
        return out
    edges = [rows * k // threads for k in range(threads + 1)]
    with ThreadPoolExecutor(max_workers=threads) as pool:
        list(pool.map(lambda k: _scores(fa, fb, ff, flat, edges[k], edges[k + 1]), range(threads)))
    return out
