"""The Gradio UI: the only package that imports gradio. One module per step; `studio app` (cli.py) starts it,
importing gradio only once the exposure rules have passed, so --help and a refusal stay instant."""
