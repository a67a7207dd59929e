"""Task meters, the form-vs-facts advisor, and the facts lab."""
from studio.text import Said


class EvalError(Said, ValueError):
    """An evaluation that cannot be made as asked (a run without eval rows or checkpoints, a limit out of
    range, a probe file without probes); said in the UI's language."""
