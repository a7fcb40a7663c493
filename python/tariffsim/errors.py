"""Exceptions of the tariffsim package.

Each carries, as its message, exactly what the ``tariffsim`` command line
prints for the same problem: for a scenario error, every problem located by
file, line and key, with the fix.
"""


class TariffsimError(Exception):
    """Base class of tariffsim's errors."""


class ScenarioError(TariffsimError, ValueError):
    """A scenario file (or a ``set=`` override) is not valid: the message
    locates every problem (file, line, key) and says how to fix it."""


class UsageError(TariffsimError, ValueError):
    """An option is not valid (runs, threads, a sweep's values, ...)."""


class RunError(TariffsimError, RuntimeError):
    """The simulation failed (a model run that cannot be solved, a write)."""
