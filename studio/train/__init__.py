"""Training: recipes (config -> library objects), the worker process, its callbacks, and the runner."""
