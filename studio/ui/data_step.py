"""Step 2 — the data: a preset, an upload or a generated set; validated, previewed, measured."""
from __future__ import annotations

import html
import json
import re
import tempfile
from pathlib import Path
from typing import Any

import gradio as gr
import pandas as pd

from studio import presets
from studio.charts import token_histogram
from studio.data.choice import DataChoice, parse_mapping
from studio.data.generate import check_settings, generator
from studio.data.generate import generate as run_generator
from studio.data.inspect import inspect, inspect_file, inspect_preset, trained_pieces
from studio.data.repair import fix_file
from studio.data.stats import summarise, token_lengths
from studio.data.store import (
    check_upload,
    dataset_file,
    datasets_dir,
    generated_path,
    import_upload,
    safe_filename,
)
from studio.data.template import plain, rendering
from studio.data.traps import KEYS as TRAP_KEYS
from studio.data.validate import validate_hub
from studio.fsutil import write_jsonl
from studio.models import load_tokenizer, resolve
from studio.paths import inside
from studio.text import TEXT, said, t
from studio.ui import advice, data_widgets, teacher_panel
from studio.ui.context import Ctx, preset_title

ERROR_KEYS = ["err_file", "err_line", "err_field", "err_problem", "err_fix"]
KANA = re.compile(r"[\u3041-\u30ff]")


def preset_choices(lang: str = "en") -> list[tuple[str, str]]:
    return [(f"{p.name} — {p.label(lang or 'en')}", p.name) for p in presets.all_presets()]


def preset_blurb(name: str | None, lang: str = "en") -> str:
    if not name:
        return ""
    p = presets.load(name)
    about = p.description.get(lang or "en") or p.description.get("en", "")
    return (f"**{p.label(lang or 'en')}** — {about}\n\n"
            + t(lang, "blurb_task", task=_word(lang, "task_", p.task), meter=_word(lang, "meter_", p.meter),
                model=p.model, hub=p.hub_model))


def _word(lang: str, prefix: str, name: str) -> str:
    """A task's or a meter's name in lang where the catalogue has it, else the name as code (a preset of the
    user's own may name a task the studio does not know)."""
    return t(lang, prefix + name) if prefix + name in TEXT["en"] else f"`{name}`"


def _tokenizer(model: str, lang: str = "en"):
    try:
        return load_tokenizer(model)
    except (ValueError, OSError) as e:
        gr.Warning(t(lang, "toast_tokens_skipped", error=said(lang, e)))
        return None


def _errors_frame(view, lang: str = "en") -> pd.DataFrame:
    """Errors, then warnings (marked ⚠), each in the UI's language where the catalogue has it."""
    issues = [(i, "") for i in view.report.errors] + [(i, "⚠ ") for i in view.report.warnings]
    rows = [[i.file.rsplit("/", 1)[-1], i.where(), i.field, mark + i.text(lang), i.hint_text(lang)]
            for i, mark in issues]
    return pd.DataFrame(rows, columns=[t(lang, k) for k in ERROR_KEYS])


def relabel_errors(frame: pd.DataFrame | None, lang: str) -> pd.DataFrame:
    """The problems table's headers in the new language, its rows kept (they were said when checked)."""
    frame = frame if isinstance(frame, pd.DataFrame) else pd.DataFrame()
    if frame.empty:
        return pd.DataFrame(columns=[t(lang, k) for k in ERROR_KEYS])
    return frame.set_axis([t(lang, k) for k in ERROR_KEYS], axis=1)


def _bubbles(view) -> list[dict]:
    """The first rows as chat bubbles; tool calls and outputs as the plain rendering shows them, raw
    text as one passage (what the model learns to write)."""
    out: list[dict] = []
    for row in view.preview[:3]:
        if "prompt" in row and "messages" not in row:  # a preference pair or a labelled answer
            out += _pair_bubbles(row)
            continue
        if "text" in row:
            out.append({"role": "assistant", "content": row["text"][:600]})
            continue
        for m in plain(row["messages"], row.get("tools")):
            role = "assistant" if m["role"] == "assistant" else "user"
            prefix = "⚙️ system: " if m["role"] == "system" else ""
            out.append({"role": role, "content": prefix + m["content"]})
    return out


def _pair_bubbles(row: dict) -> list[dict]:
    """The prompt's turns, then the chosen answer (✓) and the rejected one (✗), or the labelled answer."""
    out = [{"role": "assistant" if m["role"] == "assistant" else "user", "content": m["content"]}
           for m in row["prompt"] if m["role"] != "system"]
    answers = ([(row["chosen"], "✓"), (row["rejected"], "✗")] if "chosen" in row
               else [(row["completion"], "✓" if row.get("label") else "✗")])
    return out + [{"role": "assistant", "content": f"{mark} {turns[-1]['content']}"} for turns, mark in answers]


def _mask_html(tokenizer, view, max_length: int) -> str:
    if tokenizer is None or not view.preview or view.report.task == "preference":  # trl masks the pairs
        return ""
    pieces = trained_pieces(tokenizer, view.preview[0], max_length)
    spans = "".join(f'<span class="{"tok-train" if on else "tok-ctx"}">{html.escape(text)}</span>'
                    for text, on in pieces)
    return f'<div class="tok-view">{spans}</div>'


def _english_only(model: str) -> bool:
    try:
        entry = resolve(model).entry
    except (ValueError, KeyError):
        return False
    return bool(entry) and entry.languages.strip() == "en"


def _japanese(rows: list[dict], sample: int = 50) -> bool:
    """Kana in a good share of the first rows' answers: the data is Japanese."""
    texts = [json.dumps(r, ensure_ascii=False) for r in rows[:sample]]
    return bool(texts) and sum(bool(KANA.search(x)) for x in texts) >= len(texts) / 3


def _summary(view, lang: str = "en", tokenizer=None, model: str = "") -> str:
    r, s = view.report, view.stats
    lines = [t(lang, "sum_line", label=view.label, fmt=t(lang, f"fmt_{r.format}" if r.format else "fmt_unknown"),
               rows=r.rows, usable=len(r.usable), errors=r.error_count),
             _split_line(view, lang)]
    # the file's verdict (or, with nothing usable, its first problems) where the eye is, not only in the table
    verdict = [i for i in r.errors if (i.line is None and i.record is None) or not r.usable][:2]
    lines += [f"**{i.where() + ': ' if i.where() else ''}{i.text(lang)}** — {i.hint_text(lang)}" for i in verdict]
    # a trap (a template's placeholders, one answer everywhere) passes every row: said here, not only in the table
    lines += [f"⚠ **{i.text(lang)}** — {i.hint_text(lang)}" for i in r.warnings if i.key in TRAP_KEYS][:3]
    if r.task == "text":
        lines.append(t(lang, "data_text_task"))
    if model and _english_only(model) and _japanese(r.usable):
        lines.append(t(lang, "data_lang_mismatch", model=model))
    if r.task == "preference" and r.usable:
        lines.append(t(lang, "data_pref_ok", n=len(r.usable), method=view.method.upper()))
    shown = rendering(tokenizer, r.usable) if tokenizer is not None else None
    if shown:
        lines.append(t(lang, f"data_tools_{shown}"))
    if r.errors_dropped or r.warnings_dropped:
        lines.append(t(lang, "data_not_listed", errors=r.errors_dropped, warnings=r.warnings_dropped))
    if s:
        lines.append(t(lang, "sum_tokens", min=s["min"], median=s["median"], p95=s["p95"], max=s["max"],
                        over=s["over_max"]))
    if r.errors and r.usable:
        lines.append(t(lang, "sum_left_out"))
    return "\n\n".join(lines)


def _split_line(view, lang: str = "en") -> str:
    """Train and eval, with where the eval rows come from (a preset's own file, or a share held out of these)."""
    total = view.train_n + view.eval_n
    pct = f"{view.eval_n / total:.0%}" if total else "0%"
    return t(lang, f"sum_split_{view.eval_from}", train=view.train_n, eval=view.eval_n, total=total, pct=pct)


def show(view, model: str, max_length: int = 512, lang: str = "en"):
    tok = _tokenizer(model, lang)
    if tok is not None and not view.lengths and view.usable and view.report.task != "preference":
        view.lengths = token_lengths(tok, view.usable[:2000])
        view.stats = summarise(view.lengths, max_length)
    hist = token_histogram(view.lengths, max_length, lang) if view.lengths else None
    return (_summary(view, lang, tok, model), _errors_frame(view, lang), _bubbles(view), hist,
            _mask_html(tok, view, max_length))


def load_preset(name: str | None, model: str, lang: str = "en"):
    if not name:
        raise gr.Error(t(lang, "toast_need_preset"))
    view = inspect_preset(name)
    view.label = preset_title(name, lang)
    return (*show(view, model, lang=lang), DataChoice(preset=name, label=f"preset {name}", rows=len(view.usable)))


def load_file(path: str | None, mapping_text: str, model: str, lang: str = "en"):
    """The upload checked: the Data step's outputs (summary, problems, preview, histogram, mask, choice)."""
    return _checked_upload(path, mapping_text, model, lang)[0]


def load_file_offering_fix(path: str | None, mapping_text: str, model: str, lang: str = "en"):
    """load_file, and the fix button shown where the check found what it can fix."""
    shown, view = _checked_upload(path, mapping_text, model, lang)
    return (*shown, gr.Button(visible=fixable(view)))


def _checked_upload(path: str | None, mapping_text: str, model: str, lang: str = "en"):
    if not path:
        raise gr.Error(t(lang, "toast_need_upload"))
    try:
        src, name = check_upload(path)
        mapping = parse_mapping(mapping_text)
        # validated where gradio put it: a file with nothing usable is shown, never stored
        view = inspect_file(src, mapping=mapping or None)
        if view.report.format in ("preference", "kto"):  # read again as DPO/KTO rows, for ③ Train
            view = inspect_file(src, method="dpo" if view.report.format == "preference" else "kto",
                                mapping=mapping or None)
        if not view.usable:
            gr.Warning(t(lang, "toast_no_usable", name=name))
            return (*show(view, model, lang=lang), None), view
        stored = import_upload(src)
    except ValueError as e:
        raise gr.Error(said(lang, e)) from None
    view.label = stored.name
    # the mapping travels with the choice: the run reads the stored file through it, as checked here
    choice = DataChoice(path=str(stored), label=stored.name, rows=len(view.usable), method=view.method,
                        mapping=mapping)
    return (*show(view, model, lang=lang), choice), view


def check_on_arrival(path: str | None, mapping_text: str, model: str, lang: str = "en"):
    """A new upload, checked as it lands: the last file's report and choice go at once (a stale report never
    sits beside a new file), then this file's check comes."""
    yield cleared(lang)
    if path:
        yield load_file_offering_fix(path, mapping_text, model, lang)


def clear_upload(data: DataChoice | None, lang: str = "en"):
    """The upload taken away: its report, summary and choice go with it. A preset, a generated set or a hub
    dataset chosen since keeps its own report."""
    if data and not from_upload(data):
        return (*[gr.skip()] * 6, gr.Button(visible=False))
    return cleared(lang)


def cleared(lang: str = "en") -> tuple:
    """The Data step's outputs with no check on screen: no summary, no problems, nothing chosen, no fix offered."""
    return "", relabel_errors(None, lang), [], None, "", None, gr.Button(visible=False)


def from_upload(data: DataChoice) -> bool:
    """The chosen data is a file the user uploaded (or its fixed copy): not a preset, nor a generated set or a
    hub split, which the datasets folder names generated-… and hub-…."""
    return bool(data.path) and not Path(data.path).name.startswith(("generated-", "hub-"))


def fixable(view) -> bool:
    """The check found tool-call arguments encoded twice: the Data step offers its one-step fix."""
    return any(issue.key == "e_call_args_twice" for issue in view.report.errors)


def fix_upload(path: str | None, mapping_text: str, model: str, lang: str = "en"):
    """Decode twice-encoded arguments once into a copy (the upload itself untouched), then check and keep
    the copy as any upload."""
    if not path:
        raise gr.Error(t(lang, "toast_need_upload"))
    try:
        src, name = check_upload(path)
        fixed = Path(tempfile.mkdtemp(prefix="katachi-fix-")) / (Path(name).stem + ".fixed.jsonl")
        rows, calls = fix_file(src, fixed)
    except (ValueError, OSError) as e:
        raise gr.Error(said(lang, e)) from None
    gr.Info(t(lang, "toast_fixed_twice", calls=calls, rows=rows, name=fixed.name))
    return load_file_offering_fix(str(fixed), mapping_text, model, lang)


HUB_ID = re.compile(r"^[A-Za-z0-9][\w.-]{0,95}/[\w.-]{1,96}$")
"""org/name: never a path (datasets would read a local folder of that name)."""


def load_hub(dataset_id: str, split: str, model: str, lang: str = "en"):
    """A hub dataset, checked like an upload; its usable rows are kept in the datasets folder to train on."""
    dataset_id, split = (dataset_id or "").strip(), (split or "train").strip()
    if not HUB_ID.match(dataset_id) or ".." in dataset_id or not re.fullmatch(r"[\w.-]+", split):
        raise gr.Error(t(lang, "toast_bad_hub_id", id=dataset_id or "—"))
    report = validate_hub(dataset_id, split)
    view = inspect(report, dataset_id)
    if not view.usable:
        return (*show(view, model, lang=lang), None)
    path = inside(datasets_dir(), safe_filename(f"hub-{dataset_id.replace('/', '--')}-{split}.jsonl"))
    write_jsonl(path, view.usable)
    return (*show(view, model, lang=lang), DataChoice(path=str(path), label=f"{dataset_id} ({split})",
                                                      rows=len(view.usable)))


def last_check(data: DataChoice | None, model: str, lang: str = "en"):
    """After a reload, the chosen data's check as it was shown: nothing to press again."""
    if not data:
        return "", None, [], None, ""
    try:
        if data.preset:
            view = inspect_preset(data.preset)
            view.label = preset_title(data.preset, lang)
        else:
            view = inspect_file(dataset_file(data.path), method=data.method, mapping=data.columns or None)
            view.label = data.label or view.label
    except (ValueError, KeyError, OSError) as e:  # the file is gone since: say so where the summary goes
        return html.escape(said(lang, e)), None, [], None, ""
    return show(view, model, lang=lang)


def generate(kind: str, n: float, seed: float, model: str, lang: str = "en", progress=gr.Progress()):
    try:  # an emptied number field arrives as None: a clear message, not a TypeError
        rows_n, seed_n = check_settings(n, seed)
        generator(kind)
    except ValueError as e:
        raise gr.Error(said(lang, e)) from None
    progress(0.1, desc=f"generating {rows_n} {kind} rows")
    rows = run_generator(kind, rows_n, seed=seed_n)
    path = generated_path(kind, rows_n, seed_n)
    write_jsonl(path, rows)
    progress(0.7, desc="checking")
    view = inspect_file(path)
    return (*show(view, model, lang=lang), DataChoice(path=str(path), label=path.name, rows=len(view.usable)))


def _wire(ctx: Ctx, s: data_widgets.Sources, outputs: list, errors: Any) -> None:
    s.preset.change(preset_blurb, [s.preset, ctx.lang], s.blurb)
    ctx.lang.change(lambda name, lang: (gr.Dropdown(choices=preset_choices(lang)), preset_blurb(name, lang)),
                    [s.preset, ctx.lang], [s.preset, s.blurb], show_progress="hidden")
    s.use_preset.click(load_preset, [s.preset, ctx.model, ctx.lang], outputs)
    # one at a time, in order, for the checks of an upload: a check pressed right after a drop (with a mapping
    # typed meanwhile) never lands before the drop's own, and the two never import transformers at once
    checks = {"concurrency_id": "data-upload-check", "concurrency_limit": 1}
    upload_in = [s.upload, s.mapping, ctx.model, ctx.lang]
    s.upload.upload(check_on_arrival, upload_in, [*outputs, s.fix], **checks)
    s.upload.clear(clear_upload, [ctx.data, ctx.lang], [*outputs, s.fix], show_progress="hidden")
    s.use_file.click(load_file_offering_fix, upload_in, [*outputs, s.fix], **checks)
    s.fix.click(fix_upload, upload_in, [*outputs, s.fix], **checks)
    s.gen.click(generate, [s.kind, s.n, s.seed, ctx.model, ctx.lang], outputs)
    teacher_panel.wire(ctx, s.teacher, s.kind, s.seed, outputs, show)
    s.use_hub.click(load_hub, [s.hub_id, s.hub_split, ctx.model, ctx.lang], outputs)
    ctx.lang.change(relabel_errors, [errors, ctx.lang], errors, show_progress="hidden")
    ctx.on_load.append((lambda choice: choice.preset if choice else None, [ctx.data], [s.preset]))
    ctx.on_load.append((last_check, [ctx.data, ctx.model, ctx.lang], outputs[:-1]))  # the check, as it was


def build(ctx: Ctx) -> None:
    L = ctx.labels
    L.md("data_intro")
    with gr.Row():
        with gr.Column(scale=2):
            sources = data_widgets.sources(ctx, preset_choices())
            summary = L(gr.Markdown(elem_id="data-summary"), "data_summary", "label")
            advice.build(ctx)
        with gr.Column(scale=3):
            bubbles, hist, mask = data_widgets.preview(L)
    errors = data_widgets.errors_table(L, ERROR_KEYS)
    _wire(ctx, sources, [summary, errors, bubbles, hist, mask, ctx.data], errors)
