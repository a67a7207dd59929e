"""English: every user-facing word by key (the reference: every other language has the same keys)."""
from studio.text.compare_en import COMPARE
from studio.text.data_en import DATA
from studio.text.endpoints_en import ENDPOINTS
from studio.text.facts_en import FACTS

TEXT: dict[str, str] = {
    "title": "Katachi Studio",
    "tagline": "Fine-tuning teaches **form** — tone, format, structure. It is poor at teaching **facts**: "
               "for those, a system prompt, few-shot examples or retrieval win. Tune a model here and "
               "*see* both halves of that on your own data.",
    "lang": "Language", "veil_loading": "Loading…",
    # what gradio writes in English only (studio/ui/gradio_words.py): a toast's title, some buttons' tooltips
    "gradio_toast_error": "Error", "gradio_toast_warning": "Warning", "gradio_toast_info": "Info",
    "gradio_toast_success": "Success", "gradio_reset": "Reset to default value",
    "gradio_copy_table": "Copy table data", "gradio_copied": "Copied to clipboard",
    "gradio_copy_chat": "Copy conversation", "gradio_copied_chat": "Copied conversation",
    "gradio_copy_message": "Copy message", "gradio_copied_message": "Copied message",
    "gradio_fullscreen": "Fullscreen", "gradio_exit_fullscreen": "Exit fullscreen mode", "gradio_copy_code": "Copy",
    "gradio_processing": "processing", "gradio_queue": "queue",
    "tab_model": "① Model", "tab_data": "② Data", "tab_train": "③ Train", "tab_compare": "④ Compare",
    "tab_runs": "Runs", "tab_export": "Export",
    "model_intro": "**Step 1 — pick a base model.** The two embedded models work offline; hub models "
                   "need a connection the first time. Then go to **② Data**.",
    "model_pick": "Base model", "model_pick_info": "Embedded, curated hub models, any hub id (org/name) "
                  "or a local folder",
    "blurb_task": "Task: {task} · meter: {meter} · recommended model: `{model}` (with a hub: `{hub}`)",
    "task_style": "tone and style", "task_chat": "chat", "task_classify": "classification", "task_facts": "facts",
    "task_instruct": "instruction following", "task_json": "JSON output", "task_sql": "SQL from questions",
    "data_preset_title": "preset `{name}` ({title})",
    "sum_line": "**{label}** — format `{fmt}` · {rows} rows · **{usable} usable** · {errors} errors",
    "fmt_messages": "messages (OpenAI/HF)", "fmt_sharegpt": "ShareGPT", "fmt_alpaca": "Alpaca",
    "fmt_prompt_completion": "prompt/completion (TRL)", "fmt_query_response": "query/response (ms-swift)",
    "fmt_columns": "columns", "fmt_text": "raw text (continued pretraining)",
    "fmt_preference": "preference pairs", "fmt_kto": "KTO (answers labelled good/bad)",
    "fmt_stepwise": "stepwise supervision",
    "fmt_unknown": "unknown format",
    "data_report": "{file}: {fmt}, {rows} rows, {usable} usable, {errors} errors, {warnings} warnings",
    "data_columns": "columns: {columns}",
    "data_tools_native": "tool calls: rendered by the model's own chat template (it knows tools)",
    "data_tools_plain": "tool calls: the model's chat template has no tool support, so they are written "
                        "as plain text: `<tool_call>JSON</tool_call>` in the answer, "
                        "`<tool_response>…</tool_response>` as the next user turn, the tool list in the "
                        "system prompt",
    "data_not_listed": "not listed: {errors} more errors and {warnings} more warnings",
    "data_alike": "({n} more rows alike: lines {lines})",
    "data_pref": "this is preference data ({shape}), {n} row(s): pairs of a chosen and a rejected answer. "
                 "Supervised fine-tuning would learn the rejected answers as good ones, so it is not "
                 "trained here",
    "data_pref_hint": "train it with preference tuning (DPO), or keep only the chosen answers as "
                      "messages rows for SFT",
    "data_kto": "this is KTO data ({shape}), {n} row(s): answers each labelled good or bad. Supervised "
                "fine-tuning would learn the bad answers too, so it is not trained here",
    "data_kto_hint": "train it with preference tuning (KTO), or keep only the rows labelled true",
    "data_stepwise": "this is stepwise supervision ({shape}), {n} row(s): reasoning steps each labelled "
                      "right or wrong, for training a process reward model. It is not trained here",
    "data_stepwise_hint": "train a reward model with it (TRL's PRMTrainer), or keep only the right steps as "
                          "prompt/completion rows for SFT",
    "data_media": "{n} row(s) hold {kind} data ({place}): this studio tunes text models, and training on "
                  "them would teach the placeholders, not what they show",
    "data_media_hint": "remove the media rows, or use a vision or audio fine-tuning tool",
    "data_unused": "key {name} is in {n} row(s) but not used by the {fmt} format",
    "data_unused_hint": "remove it, or convert the file so the text is in a field that is read",
    "data_pref_ok": "Preference data: {n} rows for **{method}**. ③ Train is set to {method}; start it from a "
                    "finished SFT run of the same model for the best result.",
    "data_lang_mismatch": "⚠ This data is Japanese and **{model}** is an English-only model: it will learn the "
                          "form poorly. Pick **gemma3-270m** (offline, multilingual) or a Qwen model in ① Model.",
    "data_text_task": "Raw text: the model learns to continue it (continued pretraining, no chat "
                      "template, every token trained), cut into passages of the max length.",
    # where the eval rows come from, so train + eval never reads as arithmetic that does not add up
    "sum_split_own": "Split: **{train} train / {eval} eval** — every usable row trains; the {eval} eval rows are the "
                     "preset's own eval file, not taken from these rows",
    "sum_split_held": "Split: **{train} train / {eval} eval** — {eval} of the {total} usable rows ({pct}) are held "
                      "out, to measure the run on rows it never trained on",
    "sum_split_passages": "Split: **{train} train / {eval} eval** passages — the text is cut into {total} passages "
                          "of up to the max length; {eval} of them ({pct}) are held out to measure the run",
    "sum_tokens": "Tokens per sample: min {min} · median {median} · p95 {p95} · max {max} · over max length: "
                  "{over}",
    "sum_left_out": "Rows with problems are left out; fix the file to use them.",
    "err_file": "file", "err_line": "line", "err_field": "field", "err_problem": "problem", "err_fix": "what to do",
    "adv_goal": "Your goal, in a sentence (optional)",
    "adv_goal_hint": "e.g. answer in the samurai tone / make it remember our product facts",
    "adv_open": "Open the recommended column in ④ Compare", "adv_title": "Advisor: form or facts?",
    "adv_confidence": "confidence {share}",
    "verdict_fine-tune": "**Fine-tune.** The answers share a form the model can learn.",
    "verdict_rag": "**Retrieval (RAG) will do better.** The answers carry facts; fine-tuning rarely changes "
                   "what a model knows. Put the facts in documents and retrieve them.",
    "verdict_prompt": "**A system prompt will do better.** State the rule or the fact in the prompt.",
    "verdict_few-shot": "**Few-shot examples will do better.** Show a few examples in the prompt.",
    "chart_reward_chosen": "reward of the chosen answers", "chart_reward_rejected": "reward of the rejected answers",
    "chart_margin": "reward margin (chosen − rejected)", "chart_pref_accuracy": "preference accuracy (eval)",
    "chart_reward_axis": "reward margin · accuracy",
    "chart_loss": "Loss", "chart_train_loss": "train loss", "chart_eval_loss": "eval loss",
    "chart_lr": "learning rate", "chart_step": "optimizer step", "chart_loss_axis": "loss (cross-entropy, nats/token)",
    "chart_waiting": "waiting for the first step…", "chart_tokens": "Tokens per sample",
    "chart_tokens_axis": "tokens per sample (chat template applied)", "chart_samples": "samples",
    "chart_max_length": "max length {n}",
    "prog_loading": "loading the model and the data…", "train_done_compare": "Done — compare it in ④ Compare",
    "prog_step": "step {step}/{total}", "prog_eta": "{minutes} min left", "prog_speed": "{speed} tokens/s",
    "prog_waiting": "Waiting behind {run} ({where}) — place {place} in the queue",
    "prog_starting": "starting the worker…",
    "twin_ask": "A run of this same setup is already {state}: **{run}**{where}. Start a second run of it, "
                "or watch that one?",
    "train_another": "Start another run", "train_watch": "Watch the running one",
    "run_title_votes": "{data} · {method} on {n} votes", "run_title_vote": "{data} · {method} on 1 vote",
    "prog_peak": "{gb} GB peak",
    "dev_cpu": "CPU only: {threads} threads, {gb} GB RAM, bf16 {bf16}", "dev_gpu": "{count}× {name} ({gb} GB each)",
    "yes": "yes", "no": "no", "fit_yes": "fits: ~{need} GB needed of {have} GB {where}",
    "fit_no": "does not fit: ~{need} GB needed of {have} GB {where}",
    "fit_gc": "fits with gradient checkpointing: ~{need} GB of {have} GB", "where_gpu": "GPU memory",
    "where_ram": "RAM",
    "choice_model": "Model", "choice_data": "Data", "choice_run": "Run",
    "try_tokens": "Max new tokens", "try_converting": "Converting {model} from its embedded GGUF, once (~30 s)…",
    "answered_by": "answered by {engine}",
    "try_loading": "Loading {model}…", "try_cut": "[cut at {n} tokens: raise Max new tokens for more]",
    "model_tag_instruct": "instruct", "model_tag_base": "base", "model_tag_offline": "offline", "model_tag_hub": "hub",
    "model_source_embedded": "embedded (offline)", "model_source_hub": "Hugging Face Hub",
    "model_source_local": "local folder",
    "model_note_smollm2-135m": "Embedded, offline. English instruct model with a ChatML template; the default.",
    "model_note_gemma3-270m": "Embedded, offline. Multilingual base model (no chat tuning); the offline pick for Japanese.",
    "model_note_qwen2.5-0.5b-instruct": "Hub. Small, strong instruct model; good first QLoRA on any GPU.",
    "model_note_qwen2.5-1.5b-instruct": "Hub. Good Japanese; fits a 6 GB GPU with QLoRA.",
    "model_note_qwen2.5-7b-instruct": "Hub. The classic 7B QLoRA target; needs ~10 GB of GPU memory.",
    "model_note_llama-3.2-1b-instruct": "Hub (gated: accept the licence first).",
    "model_note_llama-3.2-3b-instruct": "Hub (gated: accept the licence first).",
    "model_note_gemma-3-1b-it": "Hub (gated: accept the licence first).",
    "model_note_mistral-7b-instruct": "Hub. Needs ~10 GB of GPU memory with QLoRA.",
    "model_note_smollm2-360m-instruct": "Hub. Bigger sibling of the embedded default; CPU-trainable.",
    "multilingual": "multilingual", "studio_sub": "形 — tune for form, prompt and retrieve for facts",
    "card_size_unknown": "Size unknown until the model is downloaded; the hub page lists it.",
    "card_source": "Source", "card_size": "Size", "card_size_text": "{p} M parameters · {l} layers · hidden {h}",
    "card_type": "Type", "card_instruct": "instruct (chat-tuned)", "card_base": "base (not chat-tuned)",
    "card_languages": "languages", "card_context": "Context", "card_tokens": "tokens", "card_unknown": "unknown",
    "card_note": "Note", "card_machine": "This machine", "card_fit": "{method} (batch 8 × 512)",
    "card_runs": "What training runs here", "card_runs_gpu": "QLoRA: the base in 4-bit NF4, LoRA in bf16, on this GPU",
    "card_runs_cpu": "{dtype} LoRA on this CPU; 4-bit QLoRA (`--quant nf4`) runs here too, through bitsandbytes' CPU backend: slower than {dtype}, so the plan takes it only where the model fits in 4 bits and not in {dtype}",
    "card_template": "Chat template", "card_template_later": "read when the model is first used",
    "card_template_plain": "none of its own: the studio's plain Q:/A: transcript",
    "plan_command": "The same run from a shell:",
    "plan_rows": "**{rows} training rows · {steps} steps · {epochs} epochs** on {device}", "plan_cpu_4bit": "4-bit base (NF4) on the CPU: LoRA on a 16-bit base needs ~{lora} GB, more than this machine's {have} GB; in 4 bits ~{qlora} GB", "plan_held_out": " · {rows} rows held out to evaluate",
    "plan_time": "Rough time: ~{minutes} min (at ~{speed} tokens/s)", "plan_memory": "Memory",
    "plan_advisor_ok": "Advisor: fine-tuning suits this data ({confidence}).",
    "plan_advisor_other": "Advisor: {verdict} — see step ②.",
    "plan_strategy": "Strategy", "plan_strategy_chosen": "{name} (chosen with --strategy)",
    "plan_strategy_cpu": "{name} over {procs} CPU processes (gloo)",
    "spread_one": "one GPU holds it (~{need} GB of {have} GB)",
    "spread_ddp": "DDP: one GPU holds it (~{need} GB of {have} GB), so each of the {gpus} GPUs trains a full copy",
    "spread_fsdp": "FSDP: one GPU would need ~{need} GB of its {have} GB; sharded across the {gpus} GPUs, "
                   "~{per} GB each",
    "spread_fsdp_gc": "FSDP: one GPU would need ~{need} GB of its {have} GB; sharded across the {gpus} GPUs, "
                      "~{per} GB each with gradient checkpointing",
    "spread_none": "fits nowhere: ~{need} GB needed, one GPU has {have} GB. Would fit: {ways}",
    "spread_none_across": "fits nowhere: ~{need} GB on one GPU, ~{per} GB each sharded across {gpus} GPUs of "
                          "{have} GB. Would fit: {ways}",
    "spread_way_length": "max length {length}", "spread_way_gpus": "{gpus} GPUs of {have} GB (FSDP)",
    "spread_way_smaller": "a smaller model", "spread_or": ", or ",
    "model_card": "Model card", "try_it": "#### Try it", "try_prompt": "Ask the base model something",
    "try_send": "Ask", "try_answer": "Answer (streamed)",
    "data_intro": "**Step 2 — choose the training data.** Pick a preset, upload a file or generate a "
                  "dataset. Check the errors, the preview and the token lengths, then go to **③ Train**.",
    "data_source": "Where the data comes from", "src_preset": "Preset", "src_upload": "Upload",
    "src_hub": "Hub", "hub_id": "Hub dataset id (org/name)", "hub_split": "Split",
    "toast_bad_hub_id": "{id} is not a hub dataset id: write it as org/name (e.g. tatsu-lab/alpaca), and the split as a plain name",
    "src_generate": "Generate",
    "preset": "Preset", "upload": "Training file (.jsonl .json .csv .tsv .parquet, raw text .txt .md)",
    "mapping": "Column mapping for CSV/TSV (prompt=col,response=col)",
    "gen_kind": "Generator", "gen_n": "Rows", "gen_seed": "Seed", "gen_go": "Generate",
    "validate": "Check the data", "data_summary": "Summary", "data_errors": "Problems found",
    "data_preview": "Preview (first rows)", "data_hist": "Token lengths", "data_mask": "Trained tokens",
    "data_mask_info": "Highlighted tokens are trained (assistant turns only); the rest is context.",
    "train_intro": "**Step 3 — train.** Defaults are set from the model and data size; a first run works "
                   "untouched. Watch the loss fall, then go to **④ Compare**.",
    "hp_epochs": "Epochs", "hp_learning_rate": "Learning rate", "hp_lora_r": "LoRA rank", "hp_batch_size": "Batch size",
    "hp_start_from": "Start from a finished run (optional: continue its adapter)",
    "dpo_explain": "**DPO / KTO** learn from preferences: which of two answers is better (or whether one answer is good). "
                   "They sharpen *form and preferences* the model already half-knows, best on top of an SFT run; they "
                   "do not teach new *facts*.",
    "hp_method": "Method (sft · dpo · kto · grpo)", "hp_beta": "β (DPO/KTO/GRPO: distance from the reference)",
    "hp_reward": "GRPO rewards (NAME:WEIGHT, …)", "hp_generations": "GRPO: answers per prompt (K)",
    "hp_max_completion": "GRPO: tokens per answer",
    "hp_temperature": "GRPO: sampling temperature",
    "grpo_fits": "Rewards that fit this data (GRPO rewards: NAME:WEIGHT, separated by commas)",
    "grpo_latest": "Latest sampled answers and their rewards", "grpo_prompt": "Prompt", "grpo_answer": "Answer",
    "hp_max_length": "Max length (tokens)", "hp_max_steps": "Max steps (-1 = by epochs)",
    "advanced": "Advanced", "hp_lora_alpha": "LoRA alpha", "hp_lora_dropout": "LoRA dropout",
    "hp_grad_accum": "Gradient accumulation", "hp_quant": "Quantisation (nf4 = QLoRA)",
    "hp_dtype": "Compute dtype", "hp_seed": "Seed", "hp_warmup_ratio": "Warm-up ratio",
    "start": "Start training", "stop": "Stop", "resume": "Resume",
    "estimate": "Plan", "progress": "Progress", "loss_chart": "Loss", "log": "Log (last lines)",
    "log_kernel_offline": "Note: an optional faster CPU kernel for bitsandbytes is fetched from the Hub, so it is not "
                          "available offline (or from an untrusted source); training is unaffected (details in "
                          "debug.log).",
    "log_kernel_offline_here": "Note: bitsandbytes' optional faster CPU kernel is fetched from the Hub, so it is not "
                               "used offline (or from an untrusted source); nothing the studio does needs it.",
    "compare_intro": "**Step 4 — compare.** The same prompt goes to the base model and your tuned adapter, "
                     "with the same settings, streamed side by side.",
    "compare_run": "Tuned run", "compare_prompt": "Prompt", "compare_send": "Send to all columns",
    "compare_clear": "Clear", "compare_columns": "Columns", "compare_tokens": "Max new tokens",
    "col_parent": "Started from (the SFT run)", "col_base": "Base model", "col_tuned": "Tuned (LoRA)", "col_prompt": "Base + system prompt",
    "col_fewshot": "Base + few-shot", "col_rag": "Base + retrieval (RAG)",
    "col_endpoint": "Endpoint (a bigger model)",
    "col_sametime": "SFT for the same time (from the parent)",
    "runs_intro": "Every run, its state and its loss. Runs live on disk and survive restarts.",
    "runs_refresh": "Refresh", "runs_open": "Open in Compare", "runs_delete": "Delete run",
    "runs_confirm": "Yes, delete it", "runs_pick": "Run",
    "runs_overlay": "Compare runs: loss curves and the settings that differ", "runs_overlay_pick": "Runs (two or more)",
    "runs_differ": "Settings that differ", "runs_setting": "setting",
    "runs_col_run": "run", "runs_col_state": "state", "runs_col_model": "model", "runs_col_data": "data",
    "runs_col_step": "step", "runs_col_loss": "train loss", "runs_col_eval_loss": "eval loss",
    "runs_loss": "Loss of the picked run",
    "runs_ckpt": "Continue from checkpoint", "runs_ckpt_step": "step {step}",
    "runs_continue": "Continue from this checkpoint",
    "export_what_adapter": "adapter", "export_what_merged": "merged model",
    "export_intro": "**Take the tuned model with you.** Download the adapter, save a merged model, push "
                    "either to the hub, or import an adapter trained elsewhere to compare it here.",
    "export_zip_title": "#### Adapter (.zip)\nThe standard PEFT files (`adapter_config.json`, "
                        "`adapter_model.safetensors`), the tokenizer and a model card with the loss chart.",
    "export_zip_go": "Build the adapter zip", "export_zip_file": "Adapter zip (click to download)",
    "export_merged_title": "#### Merged model\nThe LoRA folded into a full-precision copy of the base (never "
                           "into 4-bit weights): a plain Hugging Face folder with tokenizer, chat template "
                           "and card, which loads without peft.",
    "export_dtype": "Weights", "export_dtype_info": "auto = bf16 where the machine supports it, else fp32",
    "export_merged_go": "Save the merged model",
    "export_push_title": "#### Push to the hub\nThe token comes from the `HF_TOKEN` environment variable of "
                         "the studio process, never from this page. New repos are private unless you say.",
    "export_repo": "Repo id (owner/name)", "export_push_what": "What to push",
    "export_public": "Make a new repo public", "export_push_go": "Push",
    "export_import_title": "#### Import an adapter made elsewhere\nA PEFT LoRA adapter: its .zip, or every "
                           "file of its folder. It is checked against the base model chosen in step ①; "
                           "an adapter for another base is refused.",
    "export_import_file": "Adapter .zip, or the folder's files",
    "export_hub_offline": "⚠️ The hub is offline here (`HF_HUB_OFFLINE=1`): export a file and push it "
                          "from elsewhere.",
    "export_hub_no_token": "⚠️ No `{env}` in the studio's environment: set it and restart the studio to push.",
    "export_hub_token": "✅ A token is set in `{env}` (it is never shown).",
    "export_card": "Model card (what the zip and the merged folder carry as README.md)",
    "exp_zipped": "Adapter zipped ({mb} MB): standard PEFT files, the tokenizer and the model card.",
    "export_gguf_title": "#### GGUF for llama.cpp, Ollama, LM Studio\nThe merged model as one `.gguf` file (tokenizer and chat template inside) and an Ollama `Modelfile`. f16 and bf16 answer as the merged model; q8_0 is half the size.",
    "export_gguf_type": "GGUF weights",
    "export_gguf_files": "GGUF and Modelfile",
    "export_gguf_go": "Export GGUF",
    "serve_title": "#### Serve (an OpenAI-compatible API)\nEvery base model and finished run answers at one address the way OpenAI's API does, so any client that speaks it (the `openai` package, LangChain, curl) can call your tuned model by its run id. Only this machine can reach it; `studio serve` does the same from a shell.",
    "serve_switch": "Serve",
    "serve_port": "Port",
    "serve_key": "API key (optional, at least 8 characters)",
    "serve_key_info": "clients must then send it as `Authorization: Bearer KEY`; the snippets read it from `$STUDIO_API_KEY`",
    "serve_on": "✅ Serving {n} models on `{url}` (the runs by their id). Copy a snippet to call `{model}`:",
    "serve_on_key": "✅ Serving {n} models on `{url}` (the runs by their id), key required. Copy a snippet to call `{model}` with the key in `$STUDIO_API_KEY`:",
    "serve_off": "Not serving.",
    "serve_curl": "curl",
    "serve_python": "Python (the `openai` package)",
    "serve_vllm_embedded": "{model} was trained on its embedded GGUF weights; vLLM loads the hub's {hub}: the adapter fits, answers may differ a little",
    "exp_gguf": "GGUF written: `{path}` ({mb} MB, {arch}, {type}), with a `Modelfile` beside it. Run it with Ollama:\n\n```\ncd {folder}\nollama create {run} -f Modelfile\nollama run {run}\n```\nor open the `.gguf` in LM Studio / `llama-cli -m`.",
    "exp_merged": "Merged model saved to `{path}` — it loads with plain transformers, no peft: "
                  "`AutoModelForCausalLM.from_pretrained('{path}')`",
    "exp_pushed": "Pushed {n} files to {url} (a new repo is {made}; an existing one keeps its visibility).",
    "exp_public": "public", "exp_private": "private",
    "exp_imported": "Imported as run `{run}` (checked against `{model}`): it is now the current run in "
                    "**④ Compare**.",
    "exp_need_run": "Pick a run with an adapter first.",
    "exp_need_upload": "Upload an adapter .zip, or the files of an adapter folder, first.",
    "need_model": "Pick a model in step ① first.", "need_data": "Choose data in step ② first.",
    "need_run": "Train a run in step ③ (or pick one in Runs) first.",
    # --- Evaluate tab
    "tab_eval": "⑤ Evaluate",
    "eval_intro": "**Measure what tuning changed** on held-out rows the run never trained on: the task "
                  "meter (style rate, JSON validity, SQL execution match, accuracy) for base → tuned and "
                  "any alternative column, plus eval loss and perplexity.",
    "eval_limit": "Held-out rows", "eval_go": "Measure", "eval_samples": "Answers side by side",
    "eval_timeline": "Checkpoint timeline", "eval_timeline_go": "Measure every checkpoint",
    "eval_timeline_info": "The meter at each saved checkpoint: pick the best by what you want, not only "
                          "by loss.",
    "eval_facts": "Facts lab — can tuning teach a fact?",
    "eval_facts_info": "The experiment of the article *LLMのファインチューニング で 何ができて 何ができないのか* "
                       "(“What LLM fine-tuning can and cannot do”, section 3-1, retelling an Anyscale blog "
                       "experiment): rename a character in a corpus (Romeo → **Bob** in *Romeo and "
                       "Juliet*, or your own text and names), tune on the renamed text (**text**), on questions "
                       "about it (**qa**) or both, then sample several answers per question from base, each "
                       "tuned model, base + a fact prompt and base + retrieval over the renamed text. Shares "
                       "come with 95% intervals; a general-knowledge set shows what tuning cost. About ten "
                       "minutes per variant on a 2-core CPU at the default budget.",
    "eval_facts_go": "Run the facts lab",
    "ev_head": "### {label}: base {base}% → tuned {tuned}% ({delta} points)\n{n} held-out rows never trained "
               "on, {s} s.",
    "ev_head_plain": "**{label}** measured on {n} held-out rows.", "ev_last": "*(last measurement)*",
    "ev_same_time_none": "Did RL beat simply training longer? Continue the parent ({parent}) with SFT for the seconds this GRPO run trained, then measure it beside GRPO (the *SFT for the same time* column).",
    "ev_same_time_have": "The same-time SFT continuation of this run is {run}: tick *SFT for the same time* among the columns.",
    "ev_same_time_started": "Started {run}: SFT from the parent for {seconds} s of training. When it is done, tick *SFT for the same time* and measure.",
    "ev_same_time_go": "Make the same-time SFT run",
    "ev_col_measure": "measure",
    "ev_moved": "The headline barely moved, but **{label}** did: base {base}% → tuned {tuned}%.",
    "short_stopped": "**Too early to judge:** this run stopped at step {step} of its {total} planned steps, and a short "
                     "run can look like a failed one. **Continue this run** resumes it from its last checkpoint.",
    "short_more": "**Too early to judge:** {step} of the ~{usual} steps its data usually takes ({epochs} epoch): a style "
                  "or a format usually shows only after ~1 epoch. **Continue this run** trains {more} more steps from "
                  "its adapter, as a new run.",
    "short_continue": "Continue this run",
    "short_resumed": "Run {run} resumes from its last checkpoint: watch it in ③ Train.",
    "short_extended": "Run {run} continues {source} for {more} more steps: watch it in ③ Train.",
    "measure_parse_rate": "parses as JSON / SQL", "measure_schema_valid": "schema-valid JSON",
    "measure_field_accuracy": "fields right", "measure_exec_match": "same rows as the gold query",
    "measure_exact_match": "exactly the gold answer", "measure_accuracy": "right label",
    "measure_new_fact": "names the new fact", "measure_old_fact": "names the old fact",
    "measure_empty": "empty answers", "measure_first_person_sessha": "uses 拙者 (I, samurai)",
    "measure_n": "rows judged", "measure_scored": "rows scored", "measure_eval_loss": "eval loss (gold answers)",
    "measure_perplexity": "perplexity", "measure_distinct_markers": "distinct style markers",
    "measure_marker_density": "style markers per sentence", "measure_mean_chars": "mean answer length (chars)",
    "measure_mean_matches": "mean matches per answer", "measure_sentence_share": "sentences in style",
    "measure_thou_share": "answers using thou/thee",
    "ev_headline_row": "{label} (headline)",
    "ev_best": "Best by the meter: **{checkpoint}** (step {step}, {share}%). Pick it in Compare as the tuned "
               "column's adapter.",
    "ev_need_run": "Pick a finished run first (train one in step ③).",
    "ev_need_columns": "Tick at least one column to measure.",
    "evjob_running": "⏳ **Measuring {run}:** {pct}% of the answers, {secs} s so far. It goes on if you leave this tab "
                     "or reload the page.",
    "evjob_scoring": "⏳ **Measuring {run}:** the answers are in; scoring them and measuring the loss ({secs} s so far).",
    "evjob_already": "Run {run} is already being measured: its progress shows below.",
    "evjob_failed": "⚠ **The measurement failed:** {why}",
    "evjob_slower_train": "Slower: a {method} run is training ({run}) on this machine.",
    "evjob_slower_eval": "Slower: run {run} is being measured at the same time.",
    # the advisor's reasons (studio.evaluate.advisor notes)
    "reason_no_answers": 'no row has an answer: describe the task in a system prompt',
    "reason_scores": 'form score {form} vs facts score {facts}',
    "reason_structured": '{share} of the answers are structured ({kind})',
    "reason_style": '{share} of the answers are in a recognisable style',
    "reason_template": '{share} of the answer trigrams recur across many answers (a template)',
    "reason_regular": '{share} of the answers keep a similar length (a steady manner)',
    "reason_names": '{share} of the answers name a recurring name the prompt did not give ({names})',
    "reason_overlap": '{share} of the answer words come from the prompt (transforming, not recalling)',
    "reason_goal": 'the goal names form {form} time(s) and facts {facts} time(s)',
    "reason_no_signal": 'neither a shared form nor facts stand out: try a few examples in the prompt (few-shot) before training, and say in the goal what should change',
    "reason_few_rows": 'only {n} examples: a few of them in the prompt (few-shot) can show the form as well; fine-tune once you have a few hundred',
    "reason_form": 'the answers share a form (tone, format or structure) more than they carry facts of their own: that is what fine-tuning teaches well',
    "reason_facts": "the answers lean on facts the prompt does not give: fine-tuning rarely changes what a model believes (the article's Romeo -> Bob test)",
    "reason_few_names": '{n} recurring name(s): one sentence in a system prompt can state them',
    "reason_many_names": '{n} recurring names and their relations: keep them in notes and retrieve the relevant passages for each question (RAG)',
    # toasts
    "toast_wrong_base": "{problem}. To use it, {fix} in step ① and upload it again.",
    "toast_pick_model": "pick `{model}`",
    "toast_pick_trained_model": "pick the model it was trained on",
    "toast_imported": "imported as run {run}",
    "toast_tokens_skipped": "token statistics skipped: {error}",
    "toast_need_preset": "choose a preset first",
    "fix_twice": "Fix: decode the tool-call arguments encoded twice",
    "toast_fixed_twice": "Decoded {calls} tool call(s) in {rows} row(s) once; checking the fixed copy {name}",
    "toast_need_upload": "upload a file first",
    "toast_no_usable": "{name}: no usable rows — see the problems listed",
    "toast_need_run_pick": "pick a run first",
    "toast_deleted": "deleted {run}",
    "toast_need_checkpoint": "Pick a run that has a checkpoint, then the checkpoint to continue from.",
    "toast_resumed": "{run} continues from its checkpoint at step {step}",
    "toast_branched": "{run} continues {source} from step {step}; {source} keeps its later checkpoints",
    "toast_need_data": "choose data in step ② first",
    "toast_started": "run {run} started",
    "toast_started_queued": "run {run} started; it waits behind {holder} — place {place} in the queue",
    "toast_watching": "now watching {run}",
    "toast_gpu_freed": "unloaded {models} from the GPU so that the run has it to itself; it loads again at "
                       "the next chat or Compare",
    "toast_no_stop": "no run to stop",
    "toast_stop_loading": "{run}: the model is still loading; the run stops after its first step and saves it",
    "toast_stop_step": "{run}: stopping after the step in progress (~{seconds} s a step), then saving the adapter",
    "state_queued": "queued", "state_running": "running", "state_stopping": "stopping", "state_stopped": "stopped",
    "state_done": "done", "state_failed": "failed", "state_unreadable": "unreadable",
    "blind_vote_A": "Vote A",
    "blind_vote_B": "Vote B",
    "blind_vote_C": "Vote C",
    "blind_vote_D": "Vote D",
    "blind_vote_E": "Vote E",
    "toast_state": "{run}: {state}",
    "toast_no_resume": "no run to resume",
    # GRPO's rewards: what each one measures (studio rewards, the Train step's reward table)
    "reward_json_parses": "the answer holds a JSON object that parses",
    "reward_json_schema": "that object fits the schema (the data's meta.json_schema, else the preset's)",
    "reward_json_fields": "share of the reference's fields reproduced with the same value",
    "reward_sql_parses": "the query parses (sqlglot, SQLite dialect)",
    "reward_sql_executes": "the query runs on the row's own tables and sample rows (in-memory sqlite)",
    "reward_sql_matches": "the query returns the same rows as the reference query",
    "reward_style": "the answer is in the data's style (gozaru or Shakespeare, as the style meter counts it)",
    "reward_label": "the answer is the reference's category ID",
    "reward_regex": "your pattern matches the answer (regex:PATTERN)",
    "reward_length": "a penalty (down to -1) for answers longer than 1.5x their reference",
    "reward_table_head": "reward · weight · references · broken answers",
    "chart_reward_mean": "mean reward", "chart_grpo_axis": "reward",
    "plan_grpo": "GRPO: each prompt samples {k} answers of up to {tokens} tokens, {generated} tokens generated a step at most, sampled by {engine}; on a CPU sampling takes much of a step and is counted in the time",
}
TEXT.update(DATA)  # the data checks' words (studio/text/data_en.py)
TEXT.update(FACTS)  # the facts lab's words (studio/text/facts_en.py)
TEXT.update(COMPARE)  # Compare's modes (studio/text/compare_en.py)
TEXT.update(ENDPOINTS)  # the endpoints' words (studio/text/endpoints_en.py)
