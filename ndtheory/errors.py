"""The one exception type for bad user input, shared by every package of ndcnp."""


class NdcnpInputError(ValueError):
    """A user-supplied value breaks a documented rule.

    The message is one sentence naming the argument, the rule and the value,
    e.g. ``alpha must be in (0, 1); got 1.2``. The command line maps this error
    to exit code 2 without a traceback.
    """


class NotDerivableError(ValueError):
    """A declared update is outside what :mod:`ndtheory` can solve in closed form.

    Raised, never ``None`` returned, e.g. for an update that is not affine in
    its own unit, whose coefficient changes with the spikes (the
    ``"decay-on-fire"`` semantics for a general spike train), or that couples
    units to each other.
    """
