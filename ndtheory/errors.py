"""The one exception type for bad user input, shared by every package of ndcnp."""


class NdcnpInputError(ValueError):
    """A user-supplied value breaks a documented rule.

    The message is one sentence naming the argument, the rule and the value,
    e.g. ``alpha must be in (0, 1); got 1.2``. The command line maps this error
    to exit code 2 without a traceback.
    """
