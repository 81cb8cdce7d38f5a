"""The GPU batch path: its error without a GPU, its input checks, and its counts.

The kernel itself runs here under numba's CUDA simulator, in a subprocess (the
simulator is chosen when numba.cuda is first imported), on tiny grids: its
spike counts must equal the NumPy reference's, grid by grid. On a real GPU the
compiler would fuse ``a*b + c`` into an FMA and change the rounding; the PTX
test checks that the generated kernel leaves it no such chance.
"""

from __future__ import annotations

import importlib.util
import json
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

import simulate.gpu as gpu
from ndtheory.errors import NdcnpInputError
from ndtheory.spec import ND_CNP, PAPER_EXAMPLE
from simulate.codegen import print_model

ROOT = Path(__file__).resolve().parents[2]
W3 = [[0.5, 1.0, 0.5], [1.0, 0.0, 1.0], [0.5, 1.0, 0.5]]


def test_without_a_gpu_the_error_is_one_clear_line(monkeypatch):
    monkeypatch.setattr(gpu, "cuda_available", lambda: False)
    stimuli = np.ones((2, 4, 5))
    with pytest.raises(NdcnpInputError) as error:
        gpu.simulate_grids_cuda(stimuli, PAPER_EXAMPLE, W3, 5)
    assert str(error.value) == "--device cuda needs an NVIDIA GPU with CUDA; none was found"


@pytest.mark.skipif(gpu.cuda_available(), reason="this machine has a GPU")
def test_this_machine_without_a_gpu_reports_it():
    with pytest.raises(NdcnpInputError, match="needs an NVIDIA GPU"):
        gpu.require_cuda()


@pytest.mark.parametrize(
    ("stimuli", "params", "W", "n_steps", "message"),
    [
        (np.ones((4, 5)), PAPER_EXAMPLE, W3, 5, r"\(B, M, N\)"),
        (-np.ones((2, 4, 5)), PAPER_EXAMPLE, W3, 5, r"stimuli must be in \[0, inf\)"),
        (np.ones((2, 4, 5)), PAPER_EXAMPLE, [[1.0, 1.0]], 5, "odd sides"),
        (np.ones((2, 4, 5)), PAPER_EXAMPLE, W3, -1, "n_steps"),
        (np.ones((2, 4, 5)), {**PAPER_EXAMPLE, "alpha": [0.5, 0.6, 0.7]}, W3, 5, "one per grid"),
        (np.ones((2, 4, 5)), {**PAPER_EXAMPLE, "alpha": [0.5, 1.5]}, W3, 5, r"alpha must be in"),
    ],
)
def test_bad_input_is_refused_before_looking_for_a_gpu(
    monkeypatch, stimuli, params, W, n_steps, message
):
    monkeypatch.setattr(gpu, "cuda_available", lambda: False)
    with pytest.raises(NdcnpInputError, match=message):
        gpu.simulate_grids_cuda(stimuli, params, W, n_steps)


_SIMULATED_RUN = """
import json, sys
import numpy as np
from simulate.gpu import simulate_grids_cuda
from simulate.grid import simulate_grid

semantics = sys.argv[1]
rng = np.random.default_rng(7)
stimuli = rng.uniform(0.0, 1.5, size=(3, 5, 6))
W = 0.1 * np.array([[2, 0, 5, 1, 3], [4, 1, 0, 6, 2], [1, 3, 2, 0, 5]])
alphas = [0.8, 0.6, 0.9]
params = {"alpha": alphas, "beta": 0.2, "gamma": 0.5, "lam": 15.0}
n_steps = 14
gpu = simulate_grids_cuda(stimuli, params, W, n_steps, semantics=semantics)
ref = np.stack([
    simulate_grid(stimuli[s], dict(params, alpha=alphas[s]), W, n_steps,
                  semantics=semantics, engine="reference").counts
    for s in range(3)
])
print(json.dumps({"gpu": gpu.tolist(), "ref": ref.tolist(), "dtype": str(gpu.dtype)}))
"""

# A model whose threshold starts at lam/2 (not 0) and that has a hoisted constant:
# the GPU sets the units to their declared initial values in its first launch.
_SIMULATED_INITIAL = """
import json
import numpy as np
import sympy as sp
from ndtheory.spec import I, K, NeuronModel, P, Parameter, Unit
from simulate.gpu import simulate_grids_cuda
from simulate.grid import simulate_grid

u, tau, lam = sp.symbols("u tau lam", positive=True)
U, T = sp.symbols("U T")
model = NeuronModel(
    name="initial-threshold",
    units=(Unit("U", U - u, I + K), Unit("T", T - tau, lam * P, initial=lam / 2)),
    parameters=tuple(Parameter(n, 0.0, float("inf")) for n in ("u", "tau", "lam")),
    firing=sp.StrictGreaterThan(U, T + sp.exp(-tau)),
)
stimuli = np.random.default_rng(3).uniform(0.0, 1.5, size=(2, 5, 6))
W = 0.1 * np.array([[1, 2, 1], [2, 0, 2], [1, 2, 1]])
lams = [6.0, 9.0]
params = {"u": 0.3, "tau": 1.1, "lam": lams}
gpu = simulate_grids_cuda(stimuli, params, W, 14, model=model)
ref = np.stack([
    simulate_grid(stimuli[s], dict(params, lam=lams[s]), W, 14, model=model,
                  engine="reference").counts
    for s in range(2)
])
print(json.dumps({"gpu": gpu.tolist(), "ref": ref.tolist(), "dtype": str(gpu.dtype)}))
"""


@pytest.mark.parametrize(
    ("script", "semantics"),
    [(_SIMULATED_RUN, "decay"), (_SIMULATED_RUN, "decay-on-fire"), (_SIMULATED_INITIAL, "")],
    ids=["decay", "decay-on-fire", "initial-state"],
)
def test_simulated_gpu_counts_equal_the_reference(script, semantics):
    env = dict(os.environ, NUMBA_ENABLE_CUDASIM="1", PYTHONPATH=str(ROOT))
    done = subprocess.run(
        [sys.executable, "-c", script, semantics],
        capture_output=True,
        text=True,
        env=env,
        cwd=ROOT,
        timeout=600,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    result = json.loads(done.stdout.strip().splitlines()[-1])
    gpu_counts, ref = np.array(result["gpu"]), np.array(result["ref"])
    assert result["dtype"] == "int64"
    # The run must exercise the model: neurons that fire sometimes, not never or always.
    assert 0 < ref.min() or 0 < ref.max() < 14
    assert len(np.unique(ref)) > 3
    np.testing.assert_array_equal(gpu_counts, ref)


def _ptx(rounded):
    from numba import cuda

    layout = gpu.tiling((3, 3))
    step = gpu._kernel_function(print_model(ND_CNP, "decay"), layout, gpu._intrinsics(), rounded)
    signature = (
        "float64[:,:,::1], float64[:,:,:,::1], float64[:,:,:,::1], uint8[:,:,::1], "
        "uint8[:,:,::1], int32[:,:,::1], int64[::1], int64[::1], float64[::1], float64[:,::1], "
        "float64[:,::1], int64, int64"
    )
    ptx, _ = cuda.compile_ptx(step, signature, cc=(9, 0))
    return ptx


def _nvvm_available() -> bool:
    from numba import config

    if config.ENABLE_CUDASIM:
        return False
    from numba.cuda.cudadrv import nvvm

    return bool(nvvm.is_available())


@pytest.mark.skipif(not _nvvm_available(), reason="needs NVVM (the CUDA toolkit) to compile PTX")
def test_the_compiled_kernel_has_no_fused_multiply_add():
    ptx = _ptx(rounded=True)
    assert "mul.rn.f64" in ptx
    assert "fma" not in ptx

    # Control: the same kernel with plain operators is contracted, so the
    # assertion above can fail.
    assert "fma.rn.f64" in _ptx(rounded=False)


def test_arithmetic_becomes_rounded_calls_in_evaluation_order():
    # Written out by hand from Python's precedence and left-to-right rules.
    assert gpu._rounded("I + K + U*alpha") == "_add(_add(I, K), _mul(U, alpha))"
    assert gpu._rounded("a - b*c/d") == "_add(a, -_div(_mul(b, c), d))"
    assert gpu._rounded("where(((P) == (1)), U*alpha, U) + 2") == (
        "_add(_mul(U, alpha) if P == 1.0 else U, 2.0)"
    )


def test_benchmark_device_cuda_without_a_gpu_exits_2_with_one_line(monkeypatch, capsys, tmp_path):
    spec = importlib.util.spec_from_file_location(
        "bench_fusion", ROOT / "benchmarks" / "bench_fusion.py"
    )
    bench = importlib.util.module_from_spec(spec)
    monkeypatch.setitem(sys.modules, "bench_fusion", bench)  # dataclasses look it up
    spec.loader.exec_module(bench)
    monkeypatch.setattr(gpu, "cuda_available", lambda: False)
    out = tmp_path / "out"
    assert bench.main(["--device", "cuda", "--out", str(out), "--no-brian2"]) == 2
    captured = capsys.readouterr()
    assert captured.err == f"bench_fusion.py: error: {gpu.CUDA_MISSING}\n"
    assert captured.out == ""
    assert not out.exists()
