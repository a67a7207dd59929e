"""The checkpoint timeline: every saved checkpoint of a run answers a small eval subset, scored by the
preset's meter, with its loss on the same rows. The lowest loss is not always the best form (a model
can keep lowering loss while its answers drift), so the user picks the checkpoint by the meter."""
from __future__ import annotations

from dataclasses import asdict, dataclass, field

from studio import runs
from studio.compare.engine import Comparer
from studio.evaluate import EvalError, meters
from studio.evaluate.run_eval import (
    Progress,
    answer,
    answer_loss,
    eval_rows,
    gen_settings,
    gold,
    meter_for,
)

DEFAULT_LIMIT = 12


@dataclass
class TimelinePoint:
    step: int
    checkpoint: str
    """"base" (step 0) or the checkpoint folder name, e.g. "checkpoint-40"."""
    meter: float
    """The meter's primary share on the subset."""
    eval_loss: float | None
    """Loss on the same subset, measured here (None when not measured)."""
    logged_eval_loss: float | None = None
    """The eval loss the trainer logged at (or just before) that step, on the whole eval split."""
    meters: dict[str, float] = field(default_factory=dict)


def best(points: list[TimelinePoint]) -> TimelinePoint | None:
    """The checkpoint with the highest meter; ties go to the lower loss, then the earlier step."""
    tuned = [p for p in points if p.checkpoint != "base"]
    if not tuned:
        return None
    return max(tuned, key=lambda p: (p.meter, -(p.eval_loss if p.eval_loss is not None else 1e9), -p.step))


def checkpoint_timeline(run_id: str, limit: int = DEFAULT_LIMIT, *, meter: str | None = None,
                        include_base: bool = True, losses: bool = True,
                        progress: Progress | None = None) -> tuple[list[TimelinePoint], object]:
    """(points oldest first, plotly figure). Raises ValueError when the run has no checkpoint yet."""
    run = runs.get(run_id)
    ckpts = run.checkpoints()
    if not ckpts:
        raise EvalError("err_eval_no_checkpoint", run=run_id)
    cfg = run.config()
    rows = eval_rows(run, limit)
    kind, meter_id = meter_for(run, rows)
    meter_id = meter or meter_id
    comparer = Comparer(cfg.model.name, trust_remote_code=cfg.model.trust_remote_code)
    settings = gen_settings(kind, [gold(r) for r in rows], comparer.chat.tokenizer)
    targets = [("base", None, 0)] if include_base else []
    targets += [(f"tuned@{c.name}", str(c), int(c.name.rsplit("-", 1)[-1])) for c in ckpts]
    metrics = run.metrics()
    points = []
    for i, (kind_key, adapter, step) in enumerate(targets):
        texts = answer(comparer, rows, [kind_key], settings, run_id=run_id)
        scored = meters.score(meter_id, next(iter(texts.values())), rows)
        loss = answer_loss(comparer, rows, cfg.data.system_prompt, adapter) if losses else None
        points.append(TimelinePoint(step, "base" if adapter is None else kind_key.split("@", 1)[1],
                                    scored["primary"], None if loss is None else round(loss, 4),
                                    meters.eval_loss_near(metrics, step) if adapter else None, scored))
        if progress:
            progress((i + 1) / len(targets), f"{points[-1].checkpoint}: {meter_id} {scored['primary']:.0%}")
    return points, timeline_figure(points, meters.primary_label(meter_id))


def timeline_figure(points: list[TimelinePoint], meter_label: str = "meter"):
    """Meter per checkpoint (bars, left axis, %) and eval loss (line, right axis); the best is marked."""
    import plotly.graph_objects as go
    from plotly.subplots import make_subplots

    fig = make_subplots(specs=[[{"secondary_y": True}]])
    top = best(points)
    colors = ["#0f766e" if p is top else "#94a3b8" if p.checkpoint == "base" else "#5eead4" for p in points]
    fig.add_trace(go.Bar(x=[p.step for p in points], y=[100 * p.meter for p in points], name=meter_label,
                         marker_color=colors, text=[f"{100 * p.meter:.0f}%" for p in points],
                         hovertext=[p.checkpoint for p in points]), secondary_y=False)
    measured = [p for p in points if p.eval_loss is not None]
    if measured:
        fig.add_trace(go.Scatter(x=[p.step for p in measured], y=[p.eval_loss for p in measured],
                                 name="eval loss (same rows)", mode="lines+markers",
                                 line={"color": "#c2410c", "width": 2}), secondary_y=True)
    fig.update_xaxes(title_text="optimizer step (0 = base model)")
    fig.update_yaxes(title_text=f"{meter_label} (%)", range=[0, 105], secondary_y=False)
    fig.update_yaxes(title_text="eval loss", secondary_y=True, showgrid=False)
    title = f"Checkpoints by {meter_label}" + (f": best {top.checkpoint}" if top else "")
    fig.update_layout(title={"text": title, "x": 0.01, "font": {"size": 14}}, template="plotly_white",
                      height=340, legend={"orientation": "h", "y": -0.2},
                      margin={"l": 50, "r": 50, "t": 40, "b": 40})
    return fig


def to_dicts(points: list[TimelinePoint]) -> list[dict]:
    return [asdict(p) for p in points]
