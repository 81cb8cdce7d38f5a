"""Three more neuron variants, declared as data like :data:`ndtheory.spec.ND_CNP`.

Each is a :class:`~ndtheory.spec.NeuronModel` value and nothing else: theory
(:mod:`ndtheory.continuous_firing`, :mod:`ndtheory.regimes`) and both simulator
engines read it as they read ND-CNP. Symbols keep the spec's conventions: inside
an update, unit names, ``P`` (own spike) and ``K`` (coupling ``sum W P``) are
values at step ``t - 1``; the firing condition reads the new values at step ``t``.

References
----------
.. [1] B. Li et al., "Neurodynamics-Driven Coupled Neural P Systems for
   Multi-Focus Image Fusion", Section 3.1, Eqs. (1)-(3).
.. [2] H. Peng, J. Wang, "Coupled neural P systems", IEEE Transactions on Neural
   Networks and Learning Systems 30(6):1672-1682, 2019.
.. [3] H. Peng, J. Wang, M. J. Perez-Jimenez, A. Riscos-Nunez, "Dynamic threshold
   neural P systems", Knowledge-Based Systems 163:875-884, 2019; B. Li, H. Peng,
   J. Wang, X. Huang, "Multi-focus image fusion based on dynamic threshold neural P
   systems and surfacelet transform", Knowledge-Based Systems 196:105794, 2020.
.. [4] U. Ekblad, J. M. Kinser, J. Atmer, N. Zetterlund, "The intersecting
   cortical model in image processing", Nucl. Instrum. Methods Phys. Res. A
   525:392-396, 2004.
.. [5] T. Lindblad, J. M. Kinser, "Image Processing Using Pulse-Coupled Neural
   Networks", 2nd ed., Springer, 2005, Chapter 2 (Eckhorn/Johnson PCNN).
"""

from __future__ import annotations

import math

import sympy as sp

from ndtheory.spec import I, K, NeuronModel, P, Parameter, Unit


def _fraction(name: str, description: str) -> Parameter:
    return Parameter(name, 0.0, 1.0, description=description)


def _nonnegative(name: str, description: str, typical: tuple[float, float]) -> Parameter:
    return Parameter(name, 0.0, math.inf, low_open=False, description=description, typical=typical)


def _positive(name: str, description: str, typical: tuple[float, float]) -> Parameter:
    return Parameter(name, 0.0, math.inf, description=description, typical=typical)


_U, _V, _T = sp.symbols("U V T")
u, v, tau, lam = (sp.Symbol(n, nonnegative=True) for n in ("u", "v", "tau", "lam"))

CNP_CLASSIC = NeuronModel(
    name="cnp-classic",
    units=(
        Unit("U", _U, I + K - u * P, description="feeding input unit, Eq. (1): -u on firing"),
        Unit("V", _V, K - v * P, description="linking input unit, Eq. (2): -v on firing"),
        Unit("T", _T, (lam - tau) * P, description="threshold unit, Eq. (3): -tau + lam on firing"),
    ),
    parameters=(
        _nonnegative("u", "spikes the feeding unit consumes on firing", (0.0, 2.0)),
        _nonnegative("v", "spikes the linking unit consumes on firing", (0.0, 1.0)),
        _nonnegative("tau", "spikes the threshold unit consumes on firing", (0.0, 3.0)),
        _positive("lam", "threshold weight lambda", (0.5, 6.0)),
    ),
    firing=sp.StrictGreaterThan(_U * (1 + _V), _T),
    source="Li et al., ND-CNPFuse, Eqs. (1)-(3) read literally; Peng & Wang 2019 (CNP systems)",
)
"""Classic CNP neuron: constant, firing-gated spike consumption ``u, v, tau``.

Eqs. (1)-(3) of [1]_ (the rules of the CNP systems of [2]_) before the paper
replaces the consumption by a linear decay (Eq. 7)::

    U(t) = U(t-1) - u P(t-1) + I + K(t)
    V(t) = V(t-1) - v P(t-1) + K(t)
    T(t) = T(t-1) + (lam - tau) P(t-1)
    P(t) = [U(t) (1 + V(t)) > T(t)]

Nothing decays: a unit only changes by its inputs and, on the step after a
spike, by its consumption, so ``"decay"`` and ``"decay-on-fire"`` coincide. The
values are real numbers, not spike counts: a unit may go negative (a P system
could not apply the rule then); the firing condition is the paper's criterion
(Section 3.2). Under continuous firing every unit grows *linearly* in ``t``.
"""

_D, _H = sp.symbols("u theta")
f, g, h = (sp.Symbol(n, positive=True) for n in ("f", "g", "h"))

DTNP = NeuronModel(
    name="dtnp",
    units=(
        Unit("u", f * _D, I + K, description="data unit: decaying, fed by I and neighbours"),
        Unit("theta", g * _H, h * P, description="threshold unit: decays, steps up by h on firing"),
    ),
    parameters=(
        _fraction("f", "data unit decay factor"),
        _fraction("g", "threshold decay factor"),
        _positive("h", "threshold step after a spike", (0.5, 20.0)),
    ),
    firing=sp.StrictGreaterThan(_D, _H),
    source="DTNP neuron (Peng et al. 2019; Li et al. 2020) in its intersecting-cortical-model form",
)
"""Dynamic threshold neural P (DTNP) neuron: a data unit and a threshold unit.

DTNP systems [3]_ give each neuron a data unit and a threshold unit; the neuron
fires when its data exceeds its dynamic threshold. For images they are run in
the form of the intersecting cortical model they are abstracted from ([3]_, [4]_;
Lindblad & Kinser [5]_, Section on the ICM)::

    u(t)     = f u(t-1) + I + K(t)                (K = sum_kl W_kl P_kl(t-1))
    theta(t) = g theta(t-1) + h P(t-1)
    P(t)     = [u(t) > theta(t)]

with decay factors ``f, g`` in (0, 1) and threshold step ``h > 0``. The data unit
carries no linking term: DTNP is the ND-CNP neuron without ``V``.

The printed rule forms of [3]_ (spike consumption inside the rules) could not be
checked against the papers' full text here; this declaration follows the ICM
equations of [4]_, [5]_, which the DTNP image-fusion papers state they abstract.
"""

_F, _L, _TH = sp.symbols("F L Theta")
alpha_F, alpha_L, alpha_E, beta, V_E = (
    sp.Symbol(n, positive=True) for n in ("alpha_F", "alpha_L", "alpha_E", "beta", "V_E")
)
V_F, V_L = (sp.Symbol(n, nonnegative=True) for n in ("V_F", "V_L"))

PCNN = NeuronModel(
    name="pcnn",
    units=(
        Unit("F", sp.exp(-alpha_F) * _F, V_F * K + I, description="feeding: exp(-alpha_F) decay"),
        Unit("L", sp.exp(-alpha_L) * _L, V_L * K, description="linking: exp(-alpha_L) decay"),
        Unit(
            "Theta",
            sp.exp(-alpha_E) * _TH,
            V_E * P,
            description="threshold E(t-1), lagged one step: exp(-alpha_E) decay, +V_E on firing",
        ),
    ),
    parameters=(
        _positive("alpha_F", "feeding decay constant (factor exp(-alpha_F))", (0.05, 3.0)),
        _positive("alpha_L", "linking decay constant (factor exp(-alpha_L))", (0.05, 3.0)),
        _positive("alpha_E", "threshold decay constant (factor exp(-alpha_E))", (0.05, 3.0)),
        _nonnegative("V_F", "feeding coupling amplitude", (0.0, 0.5)),
        _nonnegative("V_L", "linking coupling amplitude", (0.0, 2.0)),
        _positive("V_E", "threshold amplitude added on firing", (1.0, 30.0)),
        _positive("beta", "linking strength", (0.05, 2.0)),
    ),
    firing=sp.StrictGreaterThan(_F * (1 + beta * _L), _TH),
    source="Eckhorn/Johnson PCNN as in Lindblad & Kinser 2005, Ch. 2 (M = W)",
)
"""The classic (Eckhorn/Johnson) pulse-coupled neural network neuron.

Lindblad & Kinser [5]_, Chapter 2, with stimulus ``S = I``::

    F(n) = exp(-alpha_F) F(n-1) + V_F (M * Y)(n-1) + S
    L(n) = exp(-alpha_L) L(n-1) + V_L (W * Y)(n-1)
    U(n) = F(n) (1 + beta L(n))
    Y(n) = [U(n) > E(n-1)]
    E(n) = exp(-alpha_E) E(n-1) + V_E Y(n)

Two re-expressions fit it to the unit/firing-condition structure:

* the threshold is compared *before* its own update at step ``n``, so the unit
  here is the lagged threshold ``Theta(n) = E(n-1)``. From the last line,
  ``Theta(n) = exp(-alpha_E) Theta(n-1) + V_E Y(n-1)``: the same form as ND-CNP's
  ``T``, with ``Y(n-1) = P``. Both start at 0 (``E(-1) = E(0) = 0``), so every
  neuron with ``S > 0`` fires at step 1, as in the classic network;
* the internal activity ``U = F (1 + beta L)`` is not a state: it is the left
  side of the firing condition, which the simulators record as the ``lhs``
  trace.

The simulator has one coupling kernel, so the feeding and linking kernels are
equal (``M = W``); ``V_F = 0`` gives the common simplified PCNN whose feeding
input is the stimulus alone.
"""

VARIANTS: tuple[NeuronModel, ...] = (CNP_CLASSIC, DTNP, PCNN)
"""The variants declared here, in the order of issue 8."""
