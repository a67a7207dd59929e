"""The tuned model for llama.cpp, Ollama and LM Studio: the merged model (LoRA folded into a full-precision
copy of the base) written as one GGUF file with the `gguf` library, plus an Ollama Modelfile beside it.

Tensors are named and laid out as llama.cpp's own converter does for the families the studio offers:
Llama (SmolLM2 included; q/k rows permuted into Meta's rotary layout), Qwen2 and Gemma 3 (norms stored as
w + 1). The tokenizer goes into the metadata: copied from the embedded model's own GGUF, or built from
the merged folder's tokenizer.json (byte-level BPE -> "gpt2", SentencePiece-style BPE -> "llama")."""
from __future__ import annotations

import json
import shutil
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from studio.engine import layout
from studio.engine.layout import FAMILIES, GGUF_TYPES, family  # noqa: F401 - export names them too
from studio.export import ExportError
from studio.export.bundle import check_output, exportable, merge, save_merged, to_stderr
from studio.export.card import card_text
from studio.models import EMBEDDED, hf, model_path, resolve
from studio.runs import Run

Progress = Callable[[float, str], None]


@dataclass
class GgufExport:
    gguf: Path
    modelfile: Path
    architecture: str
    gguf_type: str
    megabytes: float


def export_gguf(run_id: str, out: str | Path, *, gguf_type: str = "f16", overwrite: bool = False,
                progress: Progress = to_stderr) -> GgufExport:
    """Write DIR/<run>.gguf and DIR/Modelfile for the run's merged model; refuse what it cannot write."""
    if gguf_type not in GGUF_TYPES:
        raise ExportError("err_gguf_type", type=gguf_type, types=", ".join(GGUF_TYPES))
    run = exportable(run_id)
    folder = check_output(out, run, overwrite)
    architecture = family(_base_config(run))  # refused before minutes of merging, not after
    with tempfile.TemporaryDirectory(prefix="studio-gguf-") as tmp:
        progress(0.05, "merging the adapter into the base model")
        merged, tokenizer = merge(run, dtype="fp32")
        save_merged(merged, tokenizer, run, Path(tmp) / "merged")
        del merged
        progress(0.5, f"writing {gguf_type} GGUF ({architecture})")
        staged = Path(tmp) / "out"
        staged.mkdir()
        name = f"{run.id}.gguf"
        template = tokenizer.chat_template or ""
        write_gguf(Path(tmp) / "merged", staged / name, run, architecture, gguf_type, template)
        (staged / "Modelfile").write_text(modelfile(name, template, run), encoding="utf-8")
        card = card_text(run, run.config(), "merged", has_chart=False) + how_made(run, architecture, gguf_type)
        (staged / "README.md").write_text(card, encoding="utf-8")
        _publish(staged, folder, overwrite)
    progress(1.0, "done")
    size = (folder / name).stat().st_size / 2**20
    return GgufExport(folder / name, folder / "Modelfile", architecture, gguf_type, round(size, 1))


def how_made(run: Run, architecture: str, gguf_type: str) -> str:
    """The model card's GGUF section: what the file holds and how it was made."""
    from importlib.metadata import version

    source = ("copied from the embedded model's own GGUF" if run.config().model.name in EMBEDDED
              else "built from the merged model's tokenizer.json")
    return (f"\n## GGUF\n\n`{run.id}.gguf` was written by Katachi Studio (`studio export --gguf --gguf-type "
            f"{gguf_type}`) with gguf-py {version('gguf')}: the LoRA merged into an fp32 copy "
            f"of the base, tensors named and laid out as llama.cpp's converter does for `{architecture}`, "
            f"matrices in {gguf_type} and vectors (norms, biases) in f32. The tokenizer was {source}; the "
            "chat template is the one the run trained with. The `Modelfile` beside it runs it in Ollama:\n\n"
            f"```\nollama create {run.id} -f Modelfile\nollama run {run.id}\n```\n")


def _base_config(run: Run) -> dict[str, Any]:
    (AutoConfig,) = hf.classes("AutoConfig")

    cfg = run.config().model
    _, where = model_path(cfg.name)
    return AutoConfig.from_pretrained(where, trust_remote_code=cfg.trust_remote_code,
                                      revision=cfg.revision).to_dict()


def _publish(staged: Path, folder: Path, overwrite: bool) -> None:
    if folder.exists() and overwrite:
        shutil.rmtree(folder)
    shutil.move(str(staged), str(folder))


def write_gguf(merged: Path, target: Path, run: Run, architecture: str, gguf_type: str, template: str) -> None:
    layout.write_model(merged, target, architecture, gguf_type, template=template,
                       general=lambda writer: _general(writer, run, gguf_type), model_name=run.config().model.name)


def _general(writer: Any, run: Run, gguf_type: str) -> None:
    import gguf

    cfg = run.config()
    resolved = resolve(cfg.model.name)
    base = resolved.entry.hub_id if resolved.entry else cfg.model.name
    writer.add_name(f"{run.id} (Katachi Studio)")
    writer.add_description(f"{base} with the LoRA of Katachi Studio run {run.id} merged in, exported as "
                           f"{gguf_type}")
    writer.add_base_model_count(1)
    writer.add_base_model_name(0, base)
    if "/" in base and not Path(base).exists():
        writer.add_base_model_repo_url(0, f"https://huggingface.co/{base}")
    writer.add_string("katachi_studio.run_id", run.id)
    file_type = {"f16": gguf.LlamaFileType.MOSTLY_F16, "bf16": gguf.LlamaFileType.MOSTLY_BF16,
                 "q8_0": gguf.LlamaFileType.MOSTLY_Q8_0}[gguf_type]
    writer.add_file_type(int(file_type))
    writer.add_quantization_version(gguf.GGML_QUANT_VERSION)


CHATML = ('{{- if .System }}<|im_start|>system\n{{ .System }}<|im_end|>\n{{ end }}'
          '{{- range .Messages }}<|im_start|>{{ .Role }}\n{{ .Content }}<|im_end|>\n{{ end }}'
          '<|im_start|>assistant\n')
GEMMA = ('{{- range $i, $m := .Messages }}<start_of_turn>{{ if eq $m.Role "assistant" }}model{{ else }}user'
         '{{ end }}\n{{ if and (eq $i 0) $.System }}{{ $.System }}\n\n{{ end }}{{ $m.Content }}<end_of_turn>\n'
         '{{ end }}<start_of_turn>model\n')
TRANSCRIPT = ('{{- if .System }}{{ .System }}\n\n{{ end }}{{- range .Messages }}'
              '{{ if eq .Role "user" }}Q: {{ .Content }}\n{{ else }}A: {{ .Content }}\n{{ end }}{{ end }}A:')
TEMPLATES = [("<|im_start|>", CHATML, ["<|im_end|>", "<|im_start|>"]),
             ("<start_of_turn>", GEMMA, ["<end_of_turn>"]),
             ("Q: ", TRANSCRIPT, ["\nQ:"])]
"""(a mark of the HF chat template, the same conversation in Ollama's Go template, its stop strings)."""


def modelfile(gguf_name: str, chat_template: str, run: Run) -> str:
    """Ollama's recipe: the GGUF, the template the run trained with, its stops, and its system prompt."""
    lines = [f"# Katachi Studio run {run.id}: ollama create {run.id} -f Modelfile && ollama run {run.id}",
             f"FROM ./{gguf_name}"]
    match = next(((tpl, stops) for mark, tpl, stops in TEMPLATES if mark in chat_template), None)
    if match:
        lines.append(f'TEMPLATE """{match[0]}"""')
        lines += [f'PARAMETER stop "{json.dumps(s)[1:-1]}"' for s in match[1]]
    else:
        lines.append("# the model's chat template is embedded in the GGUF; Ollama may need a TEMPLATE here")
    system = run.config().data.system_prompt
    if system:
        lines.append(f'SYSTEM """{system}"""')
    return "\n".join(lines) + "\n"
