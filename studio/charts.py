"""Plotly figures the UI shows (no gradio here): loss curves, token-length histograms."""
from __future__ import annotations

import plotly.graph_objects as go
from plotly.subplots import make_subplots

INK, TRAIN, EVAL, LR = "#1f2733", "#c2410c", "#0f766e", "#94a3b8"


def _layout(fig: go.Figure, title: str, height: int = 320) -> go.Figure:
    fig.update_layout(title={"text": title, "x": 0.01, "font": {"size": 14}}, height=height,
                      margin={"l": 50, "r": 50, "t": 40, "b": 40}, template="plotly_white",
                      legend={"orientation": "h", "y": -0.2}, font={"color": INK})
    return fig


def loss_figure(metrics: list[dict], title: str = "Loss") -> go.Figure:
    """Train and eval loss per step (left axis), learning rate (right axis)."""
    fig = make_subplots(specs=[[{"secondary_y": True}]])
    train = [(m["step"], m["loss"]) for m in metrics if m.get("loss") is not None]
    evals = [(m["step"], m["eval_loss"]) for m in metrics if m.get("eval_loss") is not None]
    lrs = [(m["step"], m["learning_rate"]) for m in metrics if m.get("learning_rate") is not None]
    if train:
        fig.add_trace(go.Scatter(x=[s for s, _ in train], y=[v for _, v in train], name="train loss",
                                 mode="lines+markers", line={"color": TRAIN, "width": 2},
                                 marker={"size": 4}), secondary_y=False)
    if evals:
        fig.add_trace(go.Scatter(x=[s for s, _ in evals], y=[v for _, v in evals], name="eval loss",
                                 mode="lines+markers", line={"color": EVAL, "width": 2, "dash": "dot"},
                                 marker={"size": 7, "symbol": "diamond"}), secondary_y=False)
    if lrs:
        fig.add_trace(go.Scatter(x=[s for s, _ in lrs], y=[v for _, v in lrs], name="learning rate",
                                 mode="lines", line={"color": LR, "width": 1}), secondary_y=True)
    fig.update_xaxes(title_text="optimizer step")
    fig.update_yaxes(title_text="loss (cross-entropy, nats/token)", secondary_y=False)
    fig.update_yaxes(title_text="learning rate", secondary_y=True, showgrid=False, exponentformat="e")
    return _layout(fig, title if train or evals else f"{title}: waiting for the first step…")


def spark_figure(metrics: list[dict]) -> go.Figure:
    fig = loss_figure(metrics, "")
    fig.update_layout(height=180, showlegend=False, margin={"l": 40, "r": 10, "t": 10, "b": 30})
    return fig


def token_histogram(lengths: list[int], max_length: int, title: str = "Tokens per sample") -> go.Figure:
    fig = go.Figure(go.Histogram(x=lengths, nbinsx=40, marker_color=EVAL, name="samples"))
    fig.add_vline(x=max_length, line={"color": TRAIN, "dash": "dash", "width": 2},
                  annotation_text=f"max length {max_length}", annotation_position="top right")
    fig.update_xaxes(title_text="tokens per sample (chat template applied)")
    fig.update_yaxes(title_text="samples")
    return _layout(fig, title, height=280)
