"""Datasets: formats, validation, statistics and generators. Rows are chat `messages` lists."""
