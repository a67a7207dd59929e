"""`studio bench`: the training engine against trl's defaults, generation speed and app start-up,
measured on this machine and written to docs/benchmarks.md."""
