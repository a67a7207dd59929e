"""`studio bench`: the training engine against trl's defaults, generation speed and app start-up,
measured on this machine and written to docs/benchmarks.md."""
from studio.text import Said


class BenchError(Said, ValueError):
    """A benchmark that cannot be built or written as asked; said in the UI's language."""


class BenchFailed(Said, RuntimeError):
    """A benchmark side's process failed (a fault, not a setting): its exit code and the tail of its log."""
