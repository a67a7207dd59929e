"""The Gradio UI: the only package that imports gradio. One module per step."""
from studio.ui.app import build_ui, launch

__all__ = ["build_ui", "launch"]
