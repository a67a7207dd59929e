"""Plotly figures the UI shows (no gradio here): loss curves, token-length histograms. Their words are
studio.text's chart_* keys, in the language asked for."""
from __future__ import annotations

import math

import plotly.graph_objects as go
from plotly.subplots import make_subplots

from studio.text import words

INK, TRAIN, EVAL, LR = "#1f2733", "#c2410c", "#0f766e", "#94a3b8"
GOOD, BAD = "#15803d", "#b91c1c"  # the chosen and the rejected answers of preference runs
PALETTE = ["#c2410c", "#0f766e", "#6d28d9", "#b45309", "#1d4ed8", "#be185d"]  # one colour per overlaid run


def _layout(fig: go.Figure, title: str, height: int = 320) -> go.Figure:
    fig.update_layout(title={"text": title, "x": 0.01, "font": {"size": 14}}, height=height,
                      margin={"l": 50, "r": 50, "t": 40, "b": 40}, template="plotly_white",
                      legend={"orientation": "h", "y": -0.2}, font={"color": INK})
    return fig


def loss_figure(metrics: list[dict], title: str | None = None, lang: str = "en") -> go.Figure:
    """Train and eval loss per step (left axis), learning rate (right axis)."""
    w = words(lang, "chart_")
    title = w["loss"] if title is None else title
    fig = make_subplots(specs=[[{"secondary_y": True}]])
    train = [(m["step"], m["loss"]) for m in metrics if m.get("loss") is not None]
    evals = [(m["step"], m["eval_loss"]) for m in metrics if m.get("eval_loss") is not None]
    lrs = [(m["step"], m["learning_rate"]) for m in metrics if m.get("learning_rate") is not None]
    if train:
        fig.add_trace(go.Scatter(x=[s for s, _ in train], y=[v for _, v in train], name=w["train_loss"],
                                 mode="lines+markers", line={"color": TRAIN, "width": 2},
                                 marker={"size": 4}), secondary_y=False)
    if evals:
        fig.add_trace(go.Scatter(x=[s for s, _ in evals], y=[v for _, v in evals], name=w["eval_loss"],
                                 mode="lines+markers", line={"color": EVAL, "width": 2, "dash": "dot"},
                                 marker={"size": 7, "symbol": "diamond"}), secondary_y=False)
    if any("reward_margin" in m for m in metrics):  # DPO/KTO: how far apart good and bad answers are
        _reward_traces(fig, metrics, w)
        fig.update_yaxes(title_text=w["reward_axis"], secondary_y=True, showgrid=False)
    elif any("reward" in m for m in metrics):  # GRPO: what the sampled answers earned, in all and per reward
        _grpo_traces(fig, metrics, w)
        fig.update_yaxes(title_text=w["grpo_axis"], secondary_y=True, showgrid=False)
    else:
        if lrs:
            fig.add_trace(go.Scatter(x=[s for s, _ in lrs], y=[v for _, v in lrs], name=w["lr"],
                                     mode="lines", line={"color": LR, "width": 1}), secondary_y=True)
        fig.update_yaxes(title_text=w["lr"], secondary_y=True, showgrid=False, exponentformat="e")
    _whole_steps(fig, [s for s, _ in train + evals])
    fig.update_xaxes(title_text=w["step"])
    fig.update_yaxes(title_text=w["loss_axis"], secondary_y=False)
    waiting = f"{title}: {w['waiting']}" if title else w["waiting"]
    return _layout(fig, title if train or evals else waiting)


def _whole_steps(fig: go.Figure, steps: list[int]) -> None:
    """Steps are whole numbers: no 1.2, 1.4… ticks on a short run's axis."""
    if steps:
        fig.update_xaxes(tick0=0, dtick=max(1, math.ceil(max(steps) / 10)), tickformat="d")


def _reward_traces(fig: go.Figure, metrics: list[dict], w: dict[str, str]) -> None:
    """Reward margin (train) and the share of held-out pairs the model prefers the right way (eval)."""
    for key, name, style in (("reward_margin", w["margin"], {"color": LR, "width": 1}),
                             ("eval_reward_accuracy", w["pref_accuracy"], {"color": EVAL, "width": 1, "dash": "dash"}),
                             ("reward_chosen", w["reward_chosen"], {"color": GOOD, "width": 1, "dash": "dot"}),
                             ("reward_rejected", w["reward_rejected"], {"color": BAD, "width": 1, "dash": "dot"})):
        points = [(m["step"], m[key]) for m in metrics if m.get(key) is not None]
        if points:
            fig.add_trace(go.Scatter(x=[s for s, _ in points], y=[v for _, v in points], name=name,
                                     mode="lines+markers", line=style, marker={"size": 4}), secondary_y=True)


def _grpo_traces(fig: go.Figure, metrics: list[dict], w: dict[str, str]) -> None:
    """The mean reward (weighted sum, bold) and each reward's own mean (thin, named as chosen: json_schema…)."""
    names = sorted({k for m in metrics for k in m if k.startswith("reward:")})
    for key in ["reward", *names]:
        points = [(m["step"], m[key]) for m in metrics if m.get(key) is not None]
        style = {"color": GOOD, "width": 2} if key == "reward" else {"width": 1, "dash": "dot"}
        if points:
            fig.add_trace(go.Scatter(x=[s for s, _ in points], y=[v for _, v in points], mode="lines+markers",
                                     name=w["reward_mean"] if key == "reward" else key.split(":", 1)[1],
                                     line=style, marker={"size": 4}), secondary_y=True)


def overlay_figure(series: dict[str, list[dict]], lang: str = "en") -> go.Figure:
    """Several runs' train loss (lines) and eval loss (markers) on one chart, one colour a run."""
    w = words(lang, "chart_")
    fig = go.Figure()
    for i, (name, metrics) in enumerate(series.items()):
        colour = PALETTE[i % len(PALETTE)]
        train = [(m["step"], m["loss"]) for m in metrics if m.get("loss") is not None]
        evals = [(m["step"], m["eval_loss"]) for m in metrics if m.get("eval_loss") is not None]
        fig.add_trace(go.Scatter(x=[s for s, _ in train], y=[v for _, v in train],
                                 name=f"{name} · {w['train_loss']}", mode="lines", line={"color": colour, "width": 2}))
        if evals:
            fig.add_trace(go.Scatter(x=[s for s, _ in evals], y=[v for _, v in evals],
                                     name=f"{name} · {w['eval_loss']}", mode="markers",
                                     marker={"color": colour, "size": 8, "symbol": "diamond"}))
    fig.update_xaxes(title_text=w["step"])
    fig.update_yaxes(title_text=w["loss_axis"])
    return _layout(fig, w["loss"], height=420)


def spark_figure(metrics: list[dict], lang: str = "en") -> go.Figure:
    fig = loss_figure(metrics, "", lang)
    fig.update_yaxes(title_text=None)  # a long axis title does not fit a small chart: the legend names the lines
    fig.update_layout(height=260, margin={"l": 40, "r": 40, "t": 36, "b": 30}, legend={"y": -0.35})
    return fig


def token_histogram(lengths: list[int], max_length: int, lang: str = "en") -> go.Figure:
    w = words(lang, "chart_")
    fig = go.Figure(go.Histogram(x=lengths, nbinsx=40, marker_color=EVAL, name=w["samples"]))
    longest = max(lengths, default=0)
    if max_length <= 2 * longest:  # the limit is in view: draw it where it is
        fig.add_vline(x=max_length, line={"color": TRAIN, "dash": "dash", "width": 2},
                      annotation_text=w["max_length"].format(n=max_length), annotation_position="top right")
    else:  # far to the right: short rows must not shrink to a sliver, so the limit is named, not drawn
        fig.update_xaxes(range=[0, longest * 1.15 + 1])
        fig.add_annotation(x=1, y=1, xref="paper", yref="paper", showarrow=False, xanchor="right",
                           text=w["max_length"].format(n=max_length) + " →", font={"color": TRAIN})
    fig.update_xaxes(title_text=w["tokens_axis"])
    fig.update_yaxes(title_text=w["samples"])
    return _layout(fig, w["tokens"], height=280)
