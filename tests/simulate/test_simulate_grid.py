"""The grid simulators: the numba kernel equals the NumPy reference bit for bit."""

from __future__ import annotations

import os
import subprocess
import sys
import zlib
from pathlib import Path

import numpy as np
import pytest
import scipy.ndimage
from numpy.testing import assert_array_equal

from ndtheory.errors import NdcnpInputError
from ndtheory.spec import PAPER_EXAMPLE
from simulate.checks import kernel_offsets
from simulate.grid import simulate_grid
from simulate.reference import coupling_input

ROOT = Path(__file__).resolve().parents[2]

KERNELS = {
    "3x3 inverse distance": np.array([[0.7, 1, 0.7], [1, 0, 1], [0.7, 1, 0.7]]) / 6,
    "5x5 random": np.random.default_rng(1).random((5, 5)) * 0.08,
    "3x5 asymmetric": np.array(
        [[0.0, 0.3, 0.1, 0.0, 0.05], [0.2, 0.0, 0.0, 0.4, 0.0], [0, 0, 0.1, 0, 0]]
    ),
    "1x5 paper row": np.array([[0.1, 0.5, 0.0, 0.5, 0.1]]),
}


@pytest.mark.parametrize("semantics", ["decay", "decay-on-fire"])
@pytest.mark.parametrize("border", ["zero", "reflect", "periodic"])
@pytest.mark.parametrize("kernel", list(KERNELS))
def test_numba_counts_and_traces_equal_reference(kernel, border, semantics):
    rng = np.random.default_rng(zlib.crc32(f"{kernel}{border}{semantics}".encode()))
    stimulus = rng.random((13, 19)) * 1.6
    W = KERNELS[kernel]
    kwargs = dict(semantics=semantics, border=border, record=[(0, 0), (6, 9), (12, 18)])
    fast = simulate_grid(stimulus, PAPER_EXAMPLE, W, 60, **kwargs)
    slow = simulate_grid(stimulus, PAPER_EXAMPLE, W, 60, engine="reference", **kwargs)
    assert_array_equal(fast.counts, slow.counts)
    # Not a trivial case: neurons differ and none fires every step.
    assert 0 < fast.counts.min() < fast.counts.max() < 60
    for name in slow.traces:
        assert_array_equal(fast.traces[name], slow.traces[name])


@pytest.mark.parametrize("border", ["zero", "reflect", "periodic"])
def test_coupling_input_is_scipy_correlate(border):
    """K is a correlation with scipy's border of the same name (up to summation order)."""
    rng = np.random.default_rng(5)
    P = (rng.random((9, 12)) < 0.5).astype(float)
    W = KERNELS["3x5 asymmetric"]
    mode = {"zero": "constant", "reflect": "reflect", "periodic": "wrap"}[border]
    expected = scipy.ndimage.correlate(P, W, mode=mode, cval=0.0)
    K = coupling_input(P, kernel_offsets(W), (1, 2), border)
    np.testing.assert_allclose(K, expected, rtol=0, atol=1e-14)


def test_kernel_wider_than_grid_wraps_like_numpy_pad():
    rng = np.random.default_rng(3)
    stimulus = rng.random((2, 3)) * 1.5
    W = rng.random((7, 9)) * 0.05
    for border in ("zero", "reflect", "periodic"):
        fast = simulate_grid(stimulus, PAPER_EXAMPLE, W, 40, border=border)
        slow = simulate_grid(stimulus, PAPER_EXAMPLE, W, 40, border=border, engine="reference")
        assert_array_equal(fast.counts, slow.counts)


def test_record_all_has_time_then_grid_axes():
    stimulus = np.linspace(0, 2, 15).reshape(3, 5)
    W = KERNELS["3x3 inverse distance"]
    result = simulate_grid(stimulus, PAPER_EXAMPLE, W, 8, record="all")
    assert result.traces["U"].shape == (9, 3, 5)
    assert result.labels == {"lhs": "U*(V + 1)", "rhs": "T"}
    assert_array_equal(result.traces["P"][1:].sum(axis=0), result.counts)
    assert_array_equal(result.traces["U"][0], 0.0)
    # Step 1 from the zero state (Eq. 1): U(1) = I, V(1) = 0, T(1) = 0, so P(1) = [I > 0].
    assert_array_equal(result.traces["U"][1], stimulus)
    assert_array_equal(result.traces["P"][1], stimulus > 0)


def test_uniform_stimulus_on_periodic_grid_fires_alike():
    W = KERNELS["3x3 inverse distance"]
    result = simulate_grid(np.full((5, 7), 0.9), PAPER_EXAMPLE, W, 50, border="periodic")
    assert np.all(result.counts == result.counts[0, 0])


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"W": [[0.1, 0.1]]}, "W must have odd sides; got shape (1, 2)"),
        ({"W": [[-0.1]]}, "W must hold finite non-negative weights"),
        ({"stimulus": -np.ones((2, 2))}, "stimulus must be in [0, inf); got -1"),
        ({"stimulus": np.ones(4)}, "stimulus must be a non-empty 2-D array; got shape (4,)"),
        ({"n_steps": -1}, "n_steps must be a non-negative integer; got -1"),
        ({"border": "mirror"}, "border must be one of zero, reflect, periodic; got 'mirror'"),
        ({"engine": "cuda"}, "engine must be one of numba, reference; got 'cuda'"),
        ({"semantics": "lif"}, "semantics must be one of decay, decay-on-fire; got 'lif'"),
        ({"params": {**PAPER_EXAMPLE, "alpha": 1.2}}, "alpha must be in (0, 1); got 1.2"),
        ({"record": [(0, 9)]}, "record holds a neuron outside the 2x2 grid"),
    ],
)
def test_bad_input_raises_one_line_error(kwargs, message):
    args = {"stimulus": np.ones((2, 2)), "params": PAPER_EXAMPLE, "W": [[0.1]], "n_steps": 3}
    args.update(kwargs)
    options = {k: args.pop(k) for k in ("border", "engine", "semantics", "record") if k in args}
    with pytest.raises(NdcnpInputError) as error:
        simulate_grid(args["stimulus"], args["params"], args["W"], args["n_steps"], **options)
    assert str(error.value) == message


def test_kernel_equals_reference_with_jit_disabled():
    """The generated kernel source itself (run as plain Python) equals the reference."""
    script = (
        "import numpy as np\n"
        "from ndtheory.spec import PAPER_EXAMPLE\n"
        "from simulate.grid import simulate_grid\n"
        "s = np.random.default_rng(2).random((7, 6)) * 1.5\n"
        "W = np.array([[0.05, 0.2, 0.0], [0.3, 0.0, 0.1], [0.0, 0.15, 0.1]])\n"
        "for sem in ('decay', 'decay-on-fire'):\n"
        "    a = simulate_grid(s, PAPER_EXAMPLE, W, 30, semantics=sem, border='reflect').counts\n"
        "    b = simulate_grid(s, PAPER_EXAMPLE, W, 30, semantics=sem, border='reflect',\n"
        "                      engine='reference').counts\n"
        "    assert (a == b).all() and 0 < a.min() < a.max() < 30, (a, b)\n"
    )
    env = dict(os.environ, NUMBA_DISABLE_JIT="1", PYTHONPATH=str(ROOT))
    done = subprocess.run([sys.executable, "-c", script], env=env, capture_output=True, text=True)
    assert done.returncode == 0, done.stderr


@pytest.mark.parametrize("block", [1, 3, 200])
def test_wavefront_block_size_does_not_change_results(monkeypatch, block):
    import simulate.grid

    monkeypatch.setattr(simulate.grid, "BLOCK_STEPS", block)
    rng = np.random.default_rng(11)
    stimulus = rng.random((11, 8)) * 1.5
    # 5x5: K summed into a row buffer; 3x3: K from row patterns (simulate._kernel).
    for W in (KERNELS["5x5 random"], KERNELS["3x3 inverse distance"]):
        for border in ("zero", "reflect"):
            fast = simulate_grid(stimulus, PAPER_EXAMPLE, W, 45, border=border, record="all")
            slow = simulate_grid(stimulus, PAPER_EXAMPLE, W, 45, border=border, engine="reference")
            assert_array_equal(fast.counts, slow.counts)
            assert_array_equal(fast.traces["P"][1:].sum(axis=0), slow.counts)


def test_generated_kernel_module_is_written_once_and_loaded(tmp_path, monkeypatch):
    from ndtheory.spec import ND_CNP
    from simulate import _kernel
    from simulate.codegen import print_model

    source = _kernel.kernel_module_source(print_model(ND_CNP, "decay"), (3, 3))
    function, from_file = _kernel._load(source, tmp_path)
    files = list(tmp_path.glob("ndcnp_grid_kernel_*.py"))
    assert from_file and len(files) == 1 and files[0].read_text() == source
    assert function.__name__ == "_grid_kernel"
    assert _kernel._load(source, tmp_path)[1] and len(list(tmp_path.glob("*.py"))) == 1
    assert _kernel._load(source, None)[1] is False
    monkeypatch.setenv("NDCNP_KERNEL_CACHE", str(tmp_path / "cache"))
    assert _kernel.cache_dir() == tmp_path / "cache"
    (tmp_path / "file").write_text("")
    monkeypatch.setenv("NDCNP_KERNEL_CACHE", str(tmp_path / "file" / "sub"))
    assert _kernel.cache_dir() is None


@pytest.mark.parametrize("engine", ["numba", "reference"])
def test_edge_cases_zero_steps_single_neuron_zero_kernel(engine):
    zero = simulate_grid(np.ones((2, 3)), PAPER_EXAMPLE, [[0.1]], 0, engine=engine, record="all")
    assert_array_equal(zero.counts, 0)
    assert zero.traces["U"].shape == (1, 2, 3)
    # One neuron, periodic border, 3x3 W: its own spike comes back through all 8 neighbours.
    one = simulate_grid(
        [[0.5]], PAPER_EXAMPLE, np.full((3, 3), 0.1), 20, border="periodic", engine=engine
    )
    alone = simulate_grid([[0.5]], PAPER_EXAMPLE, np.zeros((3, 3)), 20, engine=engine)
    from simulate.neuron import simulate_neuron

    uniform = simulate_neuron(0.5, PAPER_EXAMPLE, 20, neighbours="uniform", W=np.full((3, 3), 0.1))
    assert one.counts[0, 0] == uniform.spikes.sum()
    assert alone.counts[0, 0] == simulate_neuron(0.5, PAPER_EXAMPLE, 20).spikes.sum()


_VECTORISED = """
import re, sys
import numpy as np
from ndtheory.spec import ND_CNP, PAPER_EXAMPLE
from simulate import _kernel
from simulate.codegen import print_model
from simulate.grid import simulate_grid
W = np.array(eval(sys.argv[1]))
simulate_grid(np.full((4, 5), 0.5), PAPER_EXAMPLE, W, 3)
kernel = _kernel.grid_kernel(print_model(ND_CNP, "decay"), W.shape)
for name in sys.argv[2:]:
    (ir,) = kernel.py_func.__globals__[name].inspect_llvm().values()
    print(name, bool(re.search(r"fadd <\\d+ x double>", ir)))
"""


@pytest.mark.parametrize(
    ("W", "functions"),
    [
        ([[0.0, 0.013, 0.0], [0.017, 0.0, 0.019], [0.0, 0.023, 0.0]], ["_update_row"]),
        ([[0.011] * 5] * 5, ["_update_row", "_coupling_row"]),
    ],
)
def test_row_loop_is_vectorised(tmp_path, W, functions):
    """LLVM vectorises the row update (and K's row sum): their IR has SIMD double additions.

    A signed column index (numba's negative-index test) or a branch in the loop
    body removes them. This reads the compiled code, so it checks that a vector
    loop exists, not that it runs; ``benchmarks/bench_fusion.py`` measures that.
    It runs in a fresh process with empty caches: numba can only inspect code it
    compiled itself, not a kernel it loaded from a disk cache (which another test
    process may have written).
    """
    env = dict(
        os.environ,
        PYTHONPATH=str(ROOT),
        NDCNP_KERNEL_CACHE=str(tmp_path / "kernels"),
        NUMBA_CACHE_DIR=str(tmp_path / "numba"),
    )
    done = subprocess.run(
        [sys.executable, "-c", _VECTORISED, repr(W), *functions],
        env=env,
        capture_output=True,
        text=True,
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.split() == [word for name in functions for word in (name, "True")]


@pytest.mark.parametrize(
    "W",
    [
        [[0.25, 0.0, 0.0]],
        [[0.3, 0.0, 0.0], [0.0, 0.0, 0.0], [0.0, 0.0, 0.0]],
        [[0.0, 0.0, 0.0], [0.2, 0.0, 0.0], [0.0, 0.1, 0.0]],
        [[0.0], [0.0], [0.4]],
    ],
)
@pytest.mark.parametrize("border", ["zero", "reflect", "periodic"])
def test_sparse_kernels_read_through_row_patterns_equal_reference(W, border):
    """Row-pattern indices span the whole window, whatever the last non-zero weight.

    A table sized by the highest weight's bit (2 entries for ``[[0.25, 0, 0]]``)
    was read out of bounds by the 3-bit row pattern; Hypothesis found it through
    ``test_every_run_of_a_grid_neuron_respects_the_margin_bound``.
    """
    from simulate import _kernel

    W = np.array(W)
    assert _kernel.uses_row_patterns(W.shape)
    stimulus = np.random.default_rng(3).random((4, 6)) * 0.6
    fast = simulate_grid(stimulus, PAPER_EXAMPLE, W, 40, border=border)
    slow = simulate_grid(stimulus, PAPER_EXAMPLE, W, 40, border=border, engine="reference")
    assert_array_equal(fast.counts, slow.counts)
    assert len(_kernel.coupling_data(W)[0]) == 2**W.size


@pytest.mark.parametrize("shape", [(3, 3), (5, 5)])
def test_fifty_random_W_equal_the_reference(shape):
    """Counts equal the reference's for 50 random W of one shape (zeros included),
    across borders and semantics, and the 50 run on one compiled kernel."""
    from ndtheory.spec import ND_CNP
    from simulate import _kernel
    from simulate.codegen import print_model

    rng = np.random.default_rng(zlib.crc32(repr(shape).encode()))
    stimulus = rng.random((9, 11)) * 1.6
    scale = 0.3 / (shape[0] * shape[1])
    fired = []
    for k in range(50):
        W = rng.random(shape) * scale * 2 * (rng.random(shape) < 0.7)
        border = ("zero", "reflect", "periodic")[k % 3]
        semantics = ("decay", "decay-on-fire")[(k // 3) % 2]
        kwargs = dict(semantics=semantics, border=border)
        fast = simulate_grid(stimulus, PAPER_EXAMPLE, W, 40, **kwargs).counts
        slow = simulate_grid(stimulus, PAPER_EXAMPLE, W, 40, engine="reference", **kwargs).counts
        assert_array_equal(fast, slow, err_msg=f"W = {W.tolist()}, {border}, {semantics}")
        fired.append(fast.sum())
    assert len(set(fired)) > 40  # the weights matter: nearly every W gives other counts
    for semantics in ("decay", "decay-on-fire"):
        kernel = _kernel.grid_kernel(print_model(ND_CNP, semantics), shape)
        assert len(kernel.signatures) == 1


def test_kernels_are_shared_by_shape_class():
    """One compiled kernel per class: W within 3x3 (padded with zero weights), each other
    row-pattern shape, every other W."""
    from ndtheory.spec import ND_CNP
    from simulate import _kernel
    from simulate.codegen import print_model

    printed = print_model(ND_CNP, "decay")

    def kernel(shape):
        return _kernel.grid_kernel(printed, shape)

    assert kernel((1, 1)) is kernel((1, 3)) is kernel((3, 1)) is kernel((3, 3))
    assert kernel((5, 5)) is kernel((3, 5)) is kernel((7, 9))
    assert kernel((1, 5)) is not kernel((3, 3)) and kernel((1, 5)) is not kernel((5, 5))
    assert _kernel.class_kernel(np.array([[0.25, 0.5, 0.0]])).tolist() == [
        [0.0, 0.0, 0.0],
        [0.25, 0.5, 0.0],
        [0.0, 0.0, 0.0],
    ]
