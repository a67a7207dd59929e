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

from studio.export import ExportError
from studio.export.bundle import check_output, exportable, merge, save_merged, to_stderr
from studio.export.card import card_text
from studio.models import EMBEDDED, hf, model_path, resolve
from studio.models.embedded import gguf_file
from studio.runs import Run

FAMILIES = {"LlamaForCausalLM": "llama", "Qwen2ForCausalLM": "qwen2", "Gemma3ForCausalLM": "gemma3"}
"""HF architecture -> GGUF architecture: the ones whose layout this module writes (and tests)."""
GGUF_TYPES = ("f16", "bf16", "q8_0")
PRE_TOKENIZER = {"llama": "smollm", "qwen2": "qwen2", "gemma3": "default"}
"""llama.cpp's name for how a family splits text before BPE (it warns and falls back without one)."""
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


def family(config: dict[str, Any]) -> str:
    """The GGUF architecture of a merged model's config, or a refusal naming the architecture."""
    archs = config.get("architectures") or [config.get("model_type", "?")]
    if archs[0] not in FAMILIES:
        raise ExportError("err_gguf_arch", arch=archs[0], known=", ".join(FAMILIES))
    return FAMILIES[archs[0]]


def _publish(staged: Path, folder: Path, overwrite: bool) -> None:
    if folder.exists() and overwrite:
        shutil.rmtree(folder)
    shutil.move(str(staged), str(folder))


def write_gguf(merged: Path, target: Path, run: Run, architecture: str, gguf_type: str, template: str) -> None:
    import gguf

    config = json.loads((merged / "config.json").read_text(encoding="utf-8"))
    writer = gguf.GGUFWriter(str(target), architecture)
    _general(writer, run, gguf_type)
    _hyperparameters(writer, config, architecture)
    _tokenizer(writer, merged, run, architecture)
    if template:  # the one the run trained with (the embedded base's own GGUF may carry another)
        writer.add_chat_template(template)
    for name, data, qtype in tensors(merged, config, architecture, gguf_type):
        writer.add_tensor(name, data, raw_dtype=qtype)
    writer.write_header_to_file()
    writer.write_kv_data_to_file()
    writer.write_tensors_to_file()
    writer.close()


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


def _hyperparameters(writer: Any, c: dict[str, Any], architecture: str) -> None:
    heads = c["num_attention_heads"]
    head_dim = c.get("head_dim") or c["hidden_size"] // heads
    writer.add_context_length(c["max_position_embeddings"])
    writer.add_embedding_length(c["hidden_size"])
    writer.add_block_count(c["num_hidden_layers"])
    writer.add_feed_forward_length(c["intermediate_size"])
    writer.add_head_count(heads)
    writer.add_head_count_kv(c.get("num_key_value_heads") or heads)
    writer.add_rope_freq_base(_rope_theta(c))
    writer.add_layer_norm_rms_eps(c.get("rms_norm_eps", 1e-6))
    writer.add_vocab_size(c["vocab_size"])
    if architecture == "llama":
        writer.add_rope_dimension_count(head_dim)
    if architecture == "gemma3":
        writer.add_key_length(head_dim)
        writer.add_value_length(head_dim)
        if c.get("sliding_window"):
            writer.add_sliding_window(c["sliding_window"])


def _rope_theta(c: dict[str, Any]) -> float:
    """transformers 5 keeps it in rope_parameters, per layer type for Gemma 3 (the global layers' base is
    the one llama.cpp calls freq_base)."""
    rope = c.get("rope_parameters") or {}
    theta = c.get("rope_theta") or rope.get("rope_theta") or (rope.get("full_attention") or {}).get("rope_theta")
    return float(theta or 10000.0)


def tensors(merged: Path, config: dict[str, Any], architecture: str, gguf_type: str):
    """(GGUF name, data, raw dtype) for every weight of the merged folder, as llama.cpp lays them out."""
    import gguf
    from safetensors import safe_open

    arch = next(a for a, n in gguf.MODEL_ARCH_NAMES.items() if n == architecture)
    names = gguf.get_tensor_name_map(arch, config["num_hidden_layers"])
    tied = config.get("tie_word_embeddings", False)
    for file in sorted(merged.glob("*.safetensors")):
        with safe_open(str(file), framework="numpy") as f:
            for hf_name in f.keys():  # noqa: SIM118 - safe_open is not a mapping
                if hf_name == "lm_head.weight" and tied:
                    continue  # llama.cpp reuses token_embd for a tied head
                name = names.get_name(hf_name, try_suffixes=(".weight", ".bias"))
                if name is None:
                    raise ExportError("err_gguf_tensor", tensor=hf_name, arch=architecture)
                data = _layout(f.get_tensor(hf_name).astype("float32"), name, config, architecture)
                yield name, *_encode(data, gguf_type)


def _layout(data, name: str, config: dict[str, Any], architecture: str):
    if architecture == "llama" and name.endswith(("attn_q.weight", "attn_k.weight")):
        heads = config["num_attention_heads"]
        kv = config.get("num_key_value_heads") or heads
        return _permute(data, heads if name.endswith("attn_q.weight") else kv)
    if architecture == "gemma3" and name.endswith("norm.weight"):
        return data + 1  # llama.cpp's Gemma norms scale by w, HF's by (1 + w)
    return data


def _permute(w, n_head: int):
    """HF's rotary halves -> Meta's interleaved pairs (the inverse of what GGUF readers undo)."""
    return w.reshape(n_head, 2, w.shape[0] // n_head // 2, *w.shape[1:]).swapaxes(1, 2).reshape(w.shape)


def _encode(data, gguf_type: str):
    """1-D tensors (norms, biases) stay F32, as llama.cpp keeps them; the rest in the asked type."""
    import gguf
    import numpy as np

    if data.ndim < 2:
        return data.astype(np.float32), gguf.GGMLQuantizationType.F32
    if gguf_type == "f16":
        return data.astype(np.float16), gguf.GGMLQuantizationType.F16
    qtype = gguf.GGMLQuantizationType.BF16 if gguf_type == "bf16" else gguf.GGMLQuantizationType.Q8_0
    if qtype == gguf.GGMLQuantizationType.Q8_0 and data.shape[-1] % 32:
        return data.astype(np.float16), gguf.GGMLQuantizationType.F16  # rows not in blocks of 32
    return gguf.quants.quantize(data, qtype), qtype


def _tokenizer(writer: Any, merged: Path, run: Run, architecture: str) -> None:
    """The embedded model's own GGUF tokenizer when there is one, else one built from tokenizer.json."""
    name = run.config().model.name
    if name in EMBEDDED:
        _copy_tokenizer(writer, name)
    else:
        _build_tokenizer(writer, merged, architecture)


def _copy_tokenizer(writer: Any, key: str) -> None:
    """The embedded GGUF's tokenizer (and its license) exactly as llama.cpp wrote them."""
    from gguf import GGUFReader

    with tempfile.TemporaryDirectory(prefix="studio-gguf-src-") as tmp:
        reader = GGUFReader(str(gguf_file(EMBEDDED[key], Path(tmp))))
        for field in reader.fields.values():
            if (field.name.startswith("tokenizer.") and field.name != "tokenizer.chat_template"
                    or field.name == "general.license"):
                sub = field.types[1] if len(field.types) > 1 else None
                writer.add_key_value(field.name, field.contents(), field.types[0], sub_type=sub)


def _build_tokenizer(writer: Any, merged: Path, architecture: str) -> None:
    import gguf

    spec = json.loads((merged / "tokenizer.json").read_text(encoding="utf-8"))
    model = spec.get("model", {})
    if model.get("type") != "BPE":
        raise ExportError("err_gguf_tokenizer", kind=model.get("type"))
    if model.get("byte_fallback"):  # SentencePiece-style (Gemma, Llama 2): llama.cpp's "llama" tokenizer
        vocab: Any = gguf.LlamaHfVocab(merged)
        writer.add_tokenizer_model("llama")
    else:
        vocab = gguf.BpeVocab(merged)
        writer.add_tokenizer_model("gpt2")
        writer.add_tokenizer_pre(PRE_TOKENIZER[architecture])
    tokens, scores, types = zip(*vocab.all_tokens(), strict=True)
    writer.add_token_list(list(tokens))
    writer.add_token_scores(list(scores))
    writer.add_token_types([int(t) for t in types])
    special = gguf.SpecialVocab(merged, load_merges=True)
    special.chat_template = None  # written once, by write_gguf
    special.add_to_gguf(writer, quiet=True)


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
