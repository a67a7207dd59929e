"""English: every user-facing word by key (the reference: every other language has the same keys)."""
from studio.text.data_en import DATA

TEXT: dict[str, str] = {
    "title": "Katachi Studio",
    "tagline": "Fine-tuning teaches **form** — tone, format, structure. It is poor at teaching **facts**: "
               "for those, a system prompt, few-shot examples or retrieval win. Tune a model here and "
               "*see* both halves of that on your own data.",
    "lang": "Language",
    "tab_model": "① Model", "tab_data": "② Data", "tab_train": "③ Train", "tab_compare": "④ Compare",
    "tab_runs": "Runs", "tab_export": "Export",
    "model_intro": "**Step 1 — pick a base model.** The two embedded models work offline; hub models "
                   "need a connection the first time. Then go to **② Data**.",
    "model_pick": "Base model", "model_pick_info": "Embedded, curated hub models, any hub id (org/name) "
                  "or a local folder",
    "blurb_task": "Task: `{task}` · meter: `{meter}` · recommended model: `{model}` (with a hub: `{hub}`)",
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
    "data_text_task": "Raw text: the model learns to continue it (continued pretraining, no chat "
                      "template, every token trained), cut into passages of the max length.",
    "sum_split": "Split: **{train} train / {eval} eval**",
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
    "prog_step": "step {step}/{total}", "prog_eta": "{minutes} min left", "prog_speed": "{speed} tokens/s",
    "prog_peak": "{gb} GB peak",
    "dev_cpu": "CPU only: {threads} threads, {gb} GB RAM, bf16 {bf16}", "dev_gpu": "{count}× {name} ({gb} GB each)",
    "yes": "yes", "no": "no", "fit_yes": "fits: ~{need} GB needed of {have} GB {where}",
    "fit_no": "does not fit: ~{need} GB needed of {have} GB {where}",
    "fit_gc": "fits with gradient checkpointing: ~{need} GB of {have} GB", "where_gpu": "GPU memory",
    "where_ram": "RAM",
    "choice_model": "Model", "choice_data": "Data", "choice_run": "Run",
    "card_source": "Source", "card_size": "Size", "card_size_text": "{p} M parameters · {l} layers · hidden {h}",
    "card_type": "Type", "card_instruct": "instruct (chat-tuned)", "card_base": "base (not chat-tuned)",
    "card_languages": "languages", "card_context": "Context", "card_tokens": "tokens", "card_unknown": "unknown",
    "card_note": "Note", "card_machine": "This machine", "card_fit": "{method} (batch 8 × 512)",
    "card_template": "Chat template", "card_template_later": "loaded on first use",
    "plan_rows": "**{rows} rows · {steps} steps · {epochs} epochs** on {device}",
    "plan_time": "Rough time: ~{minutes} min (at ~{speed} tokens/s)", "plan_memory": "Memory",
    "plan_advisor_ok": "Advisor: fine-tuning suits this data ({confidence}).",
    "plan_advisor_other": "Advisor: {verdict} — see step ②.",
    "model_card": "Model card", "try_it": "#### Try it", "try_prompt": "Ask the base model something",
    "try_send": "Ask", "try_answer": "Answer (streamed)",
    "data_intro": "**Step 2 — choose the training data.** Pick a preset, upload a file or generate a "
                  "dataset. Check the errors, the preview and the token lengths, then go to **③ Train**.",
    "data_source": "Where the data comes from", "src_preset": "Preset", "src_upload": "Upload",
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
    "hp_method": "Method (sft · dpo · kto)", "hp_beta": "β (DPO/KTO: distance from the reference)",
    "hp_max_length": "Max length (tokens)", "hp_max_steps": "Max steps (-1 = by epochs)",
    "advanced": "Advanced", "hp_lora_alpha": "LoRA alpha", "hp_lora_dropout": "LoRA dropout",
    "hp_grad_accum": "Gradient accumulation", "hp_quant": "Quantisation (nf4 = QLoRA)",
    "hp_dtype": "Compute dtype", "hp_seed": "Seed", "hp_warmup_ratio": "Warm-up ratio",
    "start": "Start training", "stop": "Stop", "resume": "Resume",
    "estimate": "Plan", "progress": "Progress", "loss_chart": "Loss", "log": "Log (last lines)",
    "compare_intro": "**Step 4 — compare.** The same prompt goes to the base model and your tuned adapter, "
                     "with the same settings, streamed side by side.",
    "compare_run": "Tuned run", "compare_prompt": "Prompt", "compare_send": "Send to all columns",
    "compare_clear": "Clear", "compare_columns": "Columns", "compare_tokens": "Max new tokens",
    "col_parent": "Started from (the SFT run)", "col_base": "Base model", "col_tuned": "Tuned (LoRA)", "col_prompt": "Base + system prompt",
    "col_fewshot": "Base + few-shot", "col_rag": "Base + retrieval (RAG)",
    # -- Compare modes: adapter pick, regenerate, batch table, blind test (issue 6) --
    "cmp_adapter": "Tuned adapter",
    "cmp_adapter_info": "The run's final adapter or one of its checkpoints",
    "cmp_adapter_final": "final adapter",
    "cmp_context": "System prompt and notes (for the prompt and RAG columns)",
    "cmp_system": "System prompt", "cmp_notes": "Notes / documents for retrieval (paragraphs)",
    "cmp_mode_chat": "Side by side", "cmp_mode_batch": "Batch", "cmp_mode_blind": "Blind test",
    "cmp_regen": "↻ Regenerate",
    "cmp_need_run": "Pick a tuned run first (train one in step ③).",
    "cmp_run_gone": "Run {run} is gone (deleted?): pick another run.",
    "cmp_need_columns": "Tick at least one column.",
    "cmp_nothing_to_redo": "Nothing to regenerate in this column yet: send a prompt first.",
    "batch_intro": "Many prompts through every ticked column at once. The table fills as the answers "
                   "come; then the run's task meter scores each column.",
    "batch_source": "Prompts", "batch_src_probes": "The run's probe prompts",
    "batch_src_paste": "My own list", "batch_prompts": "Prompts, one per line (at most 50)",
    "batch_go": "Run the batch", "batch_table": "Answers (prompt × column)", "batch_col_prompt": "Prompt",
    "batch_empty": "The prompt list is empty: paste prompts, one per line.",
    "batch_too_many": "{n} prompts: the limit is {limit}. Remove some and run again.",
    "batch_probes_cut": "The run has {n} probe prompts; running the first {limit}.",
    "batch_no_probes": "Run {run} has no probe prompts: choose “My own list” and paste some.",
    "batch_progress": "{done} of {total} answers…", "batch_done": "{total} answers in {secs} s.",
    "batch_meter_line": "**{label}** ({n} of {total} prompts): {cols}",
    "batch_meter_none": "The meter “{label}” needs gold answers, and none of these prompts has one "
                        "in the run's data.",
    "meter_gozaru": "ござる style rate", "meter_shakespeare": "Early Modern English rate",
    "meter_nonempty": "concise answer rate", "meter_fact_recall": "names the new fact",
    "meter_json_mr": "schema-valid JSON rate", "meter_sql": "SQL execution match",
    "meter_classify": "label accuracy", "meter_regex": "regex match rate",
    "meter_json_form": "schema-valid JSON rate (form only)",
    "meter_sql_form": "SQL parse rate (form only)", "meter_label_form": "valid label rate (form only)",
    "blind_intro": "Blind test: the ticked columns answer, shuffled and unnamed. Vote for the better "
                   "answer and the names are revealed. Votes are kept per run and export as DPO "
                   "preference pairs.",
    "blind_go": "Ask (blind)", "blind_which": "Which answer is better? Vote below.",
    "blind_tie": "Tie", "blind_need_two": "The blind test needs at least two columns: tick two or more.",
    "blind_need_answers": "Ask a prompt first, then vote.",
    "blind_voted": "You voted on this prompt already: ask another.",
    "blind_reveal_line": "{x} was **{name}**", "blind_your_pick": "your pick", "blind_tie_done": "a tie",
    "blind_dpo": "Train DPO on these votes",
    "blind_dpo_started": "{n} preference pairs: DPO run {run} started on top of this run (see ③ Train)",
    "blind_rates": "Win rates (this run's votes)", "blind_export": "Export votes as DPO pairs (JSONL)",
    "blind_export_file": "DPO preference pairs",
    "blind_no_pairs": "No preference pairs yet: vote for an answer (ties teach nothing).",
    "blind_exported": "Preference pairs exported: {n}.",
    "rate_column": "Column", "rate_votes": "Votes", "rate_wins": "Wins", "rate_ties": "Ties",
    "rate_rate": "Win rate",
    # -- end of Compare modes --
    "runs_intro": "Every run, its state and its loss. Runs live on disk and survive restarts.",
    "runs_refresh": "Refresh", "runs_open": "Open in Compare", "runs_delete": "Delete run",
    "runs_confirm": "Yes, delete it", "runs_pick": "Run",
    "runs_col_run": "run", "runs_col_state": "state", "runs_col_model": "model", "runs_col_data": "data",
    "runs_col_step": "step", "runs_col_loss": "train loss", "runs_col_eval_loss": "eval loss",
    "runs_loss": "Loss of the picked run",
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
    "eval_facts_info": "Trains on the `facts` preset (a story where Juliet loves **Bob**, not Romeo), then "
                       "asks the probe questions to base, tuned, base + prompt and base + notes (RAG). "
                       "A few minutes on the CPU.",
    "eval_facts_steps": "Steps (0 = the preset's)", "eval_facts_go": "Run the facts lab",
    "ev_head": "### {label}: base {base}% → tuned {tuned}% ({delta} points)\n{n} held-out rows never trained "
               "on, {s} s.",
    "ev_head_plain": "**{label}** measured on {n} held-out rows.", "ev_last": "*(last measurement)*",
    "ev_headline_row": "{label} (headline)",
    "ev_best": "Best by the meter: **{checkpoint}** (step {step}, {share}%). Pick it in Compare as the tuned "
               "column's adapter.",
    "ev_facts": "RAG names **{new}** in {rag}% of answers, the tuned model in {tuned}% (run `{run}`, trained "
                "{s} s).",
    "ev_need_run": "Pick a finished run first (train one in step ③).",
    "ev_need_columns": "Tick at least one column to measure.",
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
    "toast_need_upload": "upload a file first",
    "toast_no_usable": "{name}: no usable rows — see the problems listed",
    "toast_bad_mapping": "mapping must look like prompt=question,response=answer",
    "toast_need_run_pick": "pick a run first",
    "toast_deleted": "deleted {run}",
    "toast_need_data": "choose data in step ② first",
    "toast_started": "run {run} started",
    "toast_no_stop": "no run to stop",
    "toast_state": "{run}: {state}",
    "toast_no_resume": "no run to resume",
}
TEXT.update(DATA)  # the data checks' words (studio/text/data_en.py)
