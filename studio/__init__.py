"""Katachi Studio: fine-tune for form, prompt and retrieve for facts."""
__version__ = "0.1.0"
