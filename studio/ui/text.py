"""Every word the UI shows, in English and Japanese. Keys are grouped by step."""
from __future__ import annotations

LANGS = {"en": "English", "ja": "日本語"}

TEXT: dict[str, dict[str, str]] = {
    "en": {
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
        "preset": "Preset", "upload": "Training file (.jsonl .json .csv .tsv .parquet)",
        "mapping": "Column mapping for CSV/TSV (prompt=col,response=col)",
        "gen_kind": "Generator", "gen_n": "Rows", "gen_seed": "Seed", "gen_go": "Generate",
        "validate": "Check the data", "data_summary": "Summary", "data_errors": "Problems found",
        "data_preview": "Preview (first rows)", "data_hist": "Token lengths", "data_mask": "Trained tokens",
        "data_mask_info": "Highlighted tokens are trained (assistant turns only); the rest is context.",
        "train_intro": "**Step 3 — train.** Defaults are set from the model and data size; a first run works "
                       "untouched. Watch the loss fall, then go to **④ Compare**.",
        "epochs": "Epochs", "lr": "Learning rate", "lora_r": "LoRA rank", "batch": "Batch size",
        "max_len": "Max length (tokens)", "max_steps": "Max steps (-1 = by epochs)",
        "advanced": "Advanced", "lora_alpha": "LoRA alpha", "lora_dropout": "LoRA dropout",
        "grad_accum": "Gradient accumulation", "quant": "Quantisation (nf4 = QLoRA)",
        "dtype": "Compute dtype", "seed": "Seed", "warmup": "Warm-up ratio",
        "start": "Start training", "stop": "Stop", "resume": "Resume",
        "estimate": "Plan", "progress": "Progress", "loss_chart": "Loss", "log": "Log (last lines)",
        "compare_intro": "**Step 4 — compare.** The same prompt goes to the base model and your tuned adapter, "
                         "with the same settings, streamed side by side.",
        "compare_run": "Tuned run", "compare_prompt": "Prompt", "compare_send": "Send to all columns",
        "compare_clear": "Clear", "compare_columns": "Columns", "compare_tokens": "Max new tokens",
        "col_base": "Base model", "col_tuned": "Tuned (LoRA)", "col_prompt": "Base + system prompt",
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
    },
    "ja": {
        "title": "Katachi Studio (形スタジオ)",
        "tagline": "ファインチューニングが教えるのは**形式**（口調・書式・構造）です。**事実**を教えるのは苦手で、"
                   "事実にはシステムプロンプト・Few-shot・検索拡張（RAG）が勝ります。あなたのデータで両方を確かめましょう。",
        "lang": "言語",
        "tab_model": "① モデル", "tab_data": "② データ", "tab_train": "③ 学習", "tab_compare": "④ 比較",
        "tab_runs": "実行履歴", "tab_export": "書き出し",
        "model_intro": "**ステップ1 — ベースモデルを選ぶ。** 内蔵の2モデルはオフラインで動きます。"
                       "Hub のモデルは初回に接続が必要です。次は **② データ** へ。",
        "model_pick": "ベースモデル", "model_pick_info": "内蔵モデル・おすすめ Hub モデル・任意の Hub ID・ローカルフォルダ",
        "blurb_task": "タスク: `{task}` · 指標: `{meter}` · 推奨モデル: `{model}`（Hub 接続時: `{hub}`）",
        "sum_line": "**{label}** — 形式 `{fmt}` · {rows} 行 · **使用可能 {usable} 行** · エラー {errors} 件",
        "sum_split": "分割: **学習 {train} / 評価 {eval}**",
        "sum_tokens": "1 サンプルのトークン数: 最小 {min} · 中央値 {median} · p95 {p95} · 最大 {max} · 最大長超過: {over}",
        "sum_left_out": "問題のある行は除外されます。使うにはファイルを修正してください。",
        "err_file": "ファイル", "err_line": "行", "err_field": "項目", "err_problem": "問題", "err_fix": "対処",
        "adv_goal": "目的をひとことで（任意）",
        "adv_goal_hint": "例: 侍の口調で答えさせたい / 自社製品の事実を覚えさせたい",
        "adv_open": "おすすめの列を ④ 比較 で開く", "adv_title": "アドバイザー: 形式か事実か？",
        "adv_confidence": "確信度 {share}",
        "verdict_fine-tune": "**ファインチューニング向き。** 回答に、モデルが学べる共通の形式があります。",
        "verdict_rag": "**検索拡張（RAG）の方がうまくいきます。** 回答が事実を運んでいます。ファインチューニングで"
                       "モデルの知識はほとんど変わりません。事実を文書にして検索させましょう。",
        "verdict_prompt": "**システムプロンプトの方がうまくいきます。** ルールや事実をプロンプトに書きましょう。",
        "verdict_few-shot": "**Few-shot 例の方がうまくいきます。** プロンプトにいくつか例を示しましょう。",
        "chart_loss": "損失", "chart_train_loss": "学習損失", "chart_eval_loss": "評価損失",
        "chart_lr": "学習率", "chart_step": "最適化ステップ", "chart_loss_axis": "損失（交差エントロピー, nats/トークン）",
        "chart_waiting": "最初のステップを待っています…", "chart_tokens": "1 サンプルのトークン数",
        "chart_tokens_axis": "1 サンプルのトークン数（チャットテンプレート適用後）", "chart_samples": "サンプル数",
        "chart_max_length": "最大長 {n}",
        "prog_step": "ステップ {step}/{total}", "prog_eta": "残り {minutes} 分", "prog_speed": "{speed} トークン/秒",
        "prog_peak": "ピーク {gb} GB",
        "dev_cpu": "CPU のみ: {threads} スレッド, RAM {gb} GB, bf16 {bf16}", "dev_gpu": "{name} × {count}（各 {gb} GB）",
        "yes": "対応", "no": "非対応", "fit_yes": "収まります: 約 {need} GB 必要 / {where} {have} GB",
        "fit_no": "収まりません: 約 {need} GB 必要 / {where} {have} GB",
        "fit_gc": "勾配チェックポイントで収まります: 約 {need} GB / {have} GB", "where_gpu": "GPU メモリ",
        "where_ram": "RAM",
        "choice_model": "モデル", "choice_data": "データ", "choice_run": "実行",
        "card_source": "入手元", "card_size": "規模", "card_size_text": "{p} M パラメータ · {l} 層 · 隠れ次元 {h}",
        "card_type": "種類", "card_instruct": "instruct（チャット調整済み）", "card_base": "base（チャット未調整）",
        "card_languages": "言語", "card_context": "文脈長", "card_tokens": "トークン", "card_unknown": "不明",
        "card_note": "メモ", "card_machine": "このマシン", "card_fit": "{method}（バッチ 8 × 512）",
        "card_template": "チャットテンプレート", "card_template_later": "初回使用時に読み込み",
        "plan_rows": "**{rows} 行 · {steps} ステップ · {epochs} エポック**（{device}）",
        "plan_time": "目安時間: 約 {minutes} 分（約 {speed} トークン/秒）", "plan_memory": "メモリ",
        "plan_advisor_ok": "アドバイザー: このデータにはファインチューニングが向いています（{confidence}）。",
        "plan_advisor_other": "アドバイザー: {verdict} — ステップ②を参照。",
        "model_card": "モデル情報", "try_it": "#### 試してみる", "try_prompt": "ベースモデルに質問する",
        "try_send": "質問", "try_answer": "回答（ストリーミング）",
        "data_intro": "**ステップ2 — 学習データを選ぶ。** プリセット・アップロード・自動生成から選び、"
                      "エラー・プレビュー・トークン長を確認して **③ 学習** へ。",
        "data_source": "データの入手元", "src_preset": "プリセット", "src_upload": "アップロード",
        "src_generate": "生成",
        "preset": "プリセット", "upload": "学習ファイル (.jsonl .json .csv .tsv .parquet)",
        "mapping": "CSV/TSV の列の対応 (prompt=列名,response=列名)",
        "gen_kind": "生成器", "gen_n": "行数", "gen_seed": "シード", "gen_go": "生成する",
        "validate": "データを検査", "data_summary": "概要", "data_errors": "見つかった問題",
        "data_preview": "プレビュー（先頭の行）", "data_hist": "トークン長", "data_mask": "学習されるトークン",
        "data_mask_info": "色付きのトークンが学習対象（アシスタントの発話のみ）、残りは文脈です。",
        "train_intro": "**ステップ3 — 学習。** 初期値はモデルとデータの大きさから決まり、そのままで動きます。"
                       "損失が下がるのを見届けたら **④ 比較** へ。",
        "epochs": "エポック数", "lr": "学習率", "lora_r": "LoRA ランク", "batch": "バッチサイズ",
        "max_len": "最大長（トークン）", "max_steps": "最大ステップ数（-1 = エポックで決定）",
        "advanced": "詳細設定", "lora_alpha": "LoRA alpha", "lora_dropout": "LoRA ドロップアウト",
        "grad_accum": "勾配累積", "quant": "量子化（nf4 = QLoRA）",
        "dtype": "計算精度", "seed": "シード", "warmup": "ウォームアップ比率",
        "start": "学習を開始", "stop": "停止", "resume": "再開",
        "estimate": "見積もり", "progress": "進捗", "loss_chart": "損失", "log": "ログ（末尾）",
        "compare_intro": "**ステップ4 — 比較。** 同じプロンプトをベースモデルと学習済みアダプタに同じ設定で送り、"
                         "並べてストリーミング表示します。",
        "compare_run": "学習済みの実行", "compare_prompt": "プロンプト", "compare_send": "全ての列に送信",
        "compare_clear": "クリア", "compare_columns": "列", "compare_tokens": "最大生成トークン数",
        "col_base": "ベースモデル", "col_tuned": "学習後 (LoRA)", "col_prompt": "ベース + システムプロンプト",
        "col_fewshot": "ベース + Few-shot", "col_rag": "ベース + 検索 (RAG)",
        # -- Compare modes: adapter pick, regenerate, batch table, blind test (issue 6) --
        "cmp_adapter": "学習済みアダプタ", "cmp_adapter_info": "実行の最終アダプタ、またはチェックポイントのどれか",
        "cmp_adapter_final": "最終アダプタ",
        "cmp_context": "システムプロンプトとメモ（プロンプト列・RAG 列用）",
        "cmp_system": "システムプロンプト", "cmp_notes": "検索用のメモ・文書（段落ごと）",
        "cmp_mode_chat": "並べて比較", "cmp_mode_batch": "一括", "cmp_mode_blind": "ブラインドテスト",
        "cmp_regen": "↻ 再生成",
        "cmp_need_run": "先に学習済みの実行を選んでください（ステップ③で学習できます）。",
        "cmp_run_gone": "実行 {run} が見つかりません（削除済み？）。別の実行を選んでください。",
        "cmp_need_columns": "列を1つ以上選んでください。",
        "cmp_nothing_to_redo": "この列にはまだ再生成するものがありません。先にプロンプトを送信してください。",
        "batch_intro": "多数のプロンプトを、選んだ全ての列に一度に送ります。回答が届くたびに表が埋まり、"
                       "最後に実行のタスク指標で各列を採点します。",
        "batch_source": "プロンプト", "batch_src_probes": "実行のプローブプロンプト",
        "batch_src_paste": "自分のリスト", "batch_prompts": "プロンプト（1行に1つ、最大50）",
        "batch_go": "一括実行", "batch_table": "回答（プロンプト × 列）", "batch_col_prompt": "プロンプト",
        "batch_empty": "プロンプトのリストが空です。1行に1つずつ貼り付けてください。",
        "batch_too_many": "プロンプトが{n}件あります。上限は{limit}件です。減らしてからもう一度実行してください。",
        "batch_probes_cut": "この実行のプローブは{n}件あります。先頭の{limit}件を実行します。",
        "batch_no_probes": "実行 {run} にはプローブプロンプトがありません。「自分のリスト」を選んで貼り付けてください。",
        "batch_progress": "{total}件中{done}件の回答…", "batch_done": "{total}件の回答（{secs}秒）。",
        "batch_meter_line": "**{label}**（{total}件中{n}件のプロンプト）: {cols}",
        "batch_meter_none": "指標「{label}」には正解が必要ですが、これらのプロンプトには実行のデータ内に正解がありません。",
        "meter_gozaru": "ござる口調率", "meter_shakespeare": "初期近代英語率",
        "meter_nonempty": "簡潔な回答率", "meter_fact_recall": "新しい事実を答えた率",
        "meter_json_mr": "スキーマに合う JSON の率", "meter_sql": "SQL 実行結果の一致率",
        "meter_classify": "ラベル正解率", "meter_regex": "正規表現の一致率",
        "meter_json_form": "スキーマに合う JSON の率（形式のみ）",
        "meter_sql_form": "SQL として読める率（形式のみ）", "meter_label_form": "有効なラベルの率（形式のみ）",
        "blind_intro": "ブラインドテスト: 選んだ列の回答を、順番を混ぜて名前を伏せて表示します。"
                       "良い方に投票すると名前が明かされます。投票は実行ごとに保存され、DPO の選好ペアとして書き出せます。",
        "blind_go": "ブラインドで質問", "blind_which": "どちらの回答が良いですか？下で投票してください。",
        "blind_tie": "引き分け", "blind_need_two": "ブラインドテストには2つ以上の列が必要です。2つ以上選んでください。",
        "blind_need_answers": "先にプロンプトを送信してから投票してください。",
        "blind_voted": "このプロンプトには投票済みです。別のプロンプトを送信してください。",
        "blind_reveal_line": "{x} は **{name}**", "blind_your_pick": "あなたの選択", "blind_tie_done": "引き分け",
        "blind_rates": "勝率（この実行の投票）", "blind_export": "投票を DPO ペアとして書き出す (JSONL)",
        "blind_export_file": "DPO 選好ペア",
        "blind_no_pairs": "選好ペアがまだありません。どちらかに投票してください（引き分けからは学べません）。",
        "blind_exported": "選好ペアを{n}件書き出しました。",
        "rate_column": "列", "rate_votes": "投票数", "rate_wins": "勝ち", "rate_ties": "引き分け",
        "rate_rate": "勝率",
        # -- end of Compare modes --
        "runs_intro": "全ての実行と状態・損失。実行はディスクに保存され、再起動後も残ります。",
        "runs_refresh": "更新", "runs_open": "比較で開く", "runs_delete": "実行を削除",
        "runs_confirm": "はい、削除します", "runs_pick": "実行",
        "runs_col_run": "実行", "runs_col_state": "状態", "runs_col_model": "モデル", "runs_col_data": "データ",
        "runs_col_step": "ステップ", "runs_col_loss": "学習損失", "runs_col_eval_loss": "評価損失",
        "runs_loss": "選んだ実行の損失",
        "export_intro": "**学習したモデルを持ち出す。** アダプタのダウンロード、マージ済みモデルの保存、Hub への公開、"
                        "他所で学習したアダプタの取り込み（ここで比較できます）。",
        "export_zip_title": "#### アダプタ (.zip)\n標準の PEFT ファイル（`adapter_config.json`・"
                            "`adapter_model.safetensors`）、トークナイザ、損失グラフ付きのモデルカード。",
        "export_zip_go": "アダプタの zip を作る", "export_zip_file": "アダプタ zip（クリックでダウンロード）",
        "export_merged_title": "#### マージ済みモデル\nLoRA をベースの全精度コピーに統合します（4bit 重みには統合しません）。"
                               "トークナイザ・チャットテンプレート・カード付きの通常の Hugging Face フォルダで、"
                               "peft なしで読み込めます。",
        "export_dtype": "重み", "export_dtype_info": "auto = 対応していれば bf16、そうでなければ fp32",
        "export_merged_go": "マージ済みモデルを保存",
        "export_push_title": "#### Hub へ公開\nトークンはスタジオを起動した環境の `HF_TOKEN` から読みます（この画面では"
                             "入力しません）。新しいリポジトリは指定しない限り非公開です。",
        "export_repo": "リポジトリ ID (owner/name)", "export_push_what": "公開するもの",
        "export_public": "新しいリポジトリを公開にする", "export_push_go": "公開する",
        "export_import_title": "#### 他所で作ったアダプタを取り込む\nPEFT の LoRA アダプタ：その .zip か、フォルダ内の"
                               "全ファイル。ステップ①で選んだベースモデルと照合し、別のベース用なら拒否します。",
        "export_import_file": "アダプタの .zip、またはフォルダ内のファイル",
        "export_hub_offline": "⚠️ この環境では Hub がオフラインです（`HF_HUB_OFFLINE=1`）。ファイルに書き出して"
                              "別の場所から公開してください。",
        "export_hub_no_token": "⚠️ スタジオの環境に `{env}` がありません。設定してスタジオを再起動すると公開できます。",
        "export_hub_token": "✅ `{env}` にトークンが設定されています（表示はしません）。",
        "export_card": "モデルカード（zip とマージ済みフォルダに README.md として入るもの）",
        "need_model": "先にステップ①でモデルを選んでください。", "need_data": "先にステップ②でデータを選んでください。",
        "need_run": "先にステップ③で学習するか、実行履歴から選んでください。",
        # --- Evaluate tab
        "tab_eval": "⑤ 評価",
        "eval_intro": "**学習で何が変わったかを測る。** 学習に使っていない評価行で、タスク指標（文体率・JSON の妥当性・"
                      "SQL の実行一致・正解率）をベース → 学習後と他の列について、評価損失・パープレキシティと共に表示します。",
        "eval_limit": "評価行数", "eval_go": "測定", "eval_samples": "回答を並べて見る",
        "eval_timeline": "チェックポイントの推移", "eval_timeline_go": "全チェックポイントを測定",
        "eval_timeline_info": "保存された各チェックポイントの指標。損失だけでなく、目的の指標で最良のものを選べます。",
        "eval_facts": "事実ラボ — 学習で事実を教えられるか？",
        "eval_facts_info": "`facts` プリセット（ジュリエットの恋人が **Bob** の物語）で学習し、ベース・学習後・"
                           "ベース + プロンプト・ベース + ノート（RAG）に質問します。CPU で数分。",
        "eval_facts_steps": "ステップ数（0 = プリセットの値）", "eval_facts_go": "事実ラボを実行",
    },
}


# The advisor's reasons in other languages (English: studio.evaluate.advisor.REASONS, same keys and fields).
REASONS: dict[str, dict[str, str]] = {
    "ja": {
        "no_answers": "回答のある行がありません。タスクをシステムプロンプトで説明してください",
        "scores": "形式スコア {form} 対 事実スコア {facts}",
        "structured": "回答の {share} が構造化データ（{kind}）です",
        "style": "回答の {share} がはっきりした文体です",
        "template": "回答の 3 語連鎖の {share} が多くの回答に繰り返し現れます（定型）",
        "regular": "回答の {share} が似た長さです（一定の語り口）",
        "names": "回答の {share} が、プロンプトにない固有名を繰り返し使っています（{names}）",
        "overlap": "回答の語の {share} がプロンプトから来ています（想起ではなく変換）",
        "goal": "目的の文は形式に {form} 回、事実に {facts} 回触れています",
        "no_signal": "共通の形式も事実も目立ちません。学習の前にプロンプトで例を示し（Few-shot）、目的に何を変えたいかを"
                     "書いてください",
        "few_rows": "例が {n} 件だけです。プロンプトに数例を示す（Few-shot）だけでも形式は伝わります。数百件集まったら"
                    "ファインチューニングしましょう",
        "form": "回答は固有の事実より共通の形式（口調・書式・構造）を持っています。これはファインチューニングが得意なことです",
        "facts": "回答はプロンプトにない事実に頼っています。ファインチューニングでモデルの信じることはほとんど変わりません"
                 "（記事のロミオ → ボブのテスト）",
        "few_names": "繰り返し現れる名前は {n} 個です。システムプロンプトの一文で伝えられます",
        "many_names": "繰り返し現れる名前が {n} 個あり、関係もあります。メモに残し、質問ごとに関係する部分を検索して"
                      "渡しましょう（RAG）",
    },
}


def reason_text(key: str, fields: dict[str, str], english: str, lang: str) -> str:
    """One advisor reason in lang (its English text where the language has none)."""
    template = REASONS.get(lang or "en", {}).get(key)
    return template.format(**fields) if template else english


def t(key: str, lang: str = "en") -> str:
    return TEXT.get(lang, TEXT["en"]).get(key) or TEXT["en"].get(key, key)


def tf(lang: str, key: str, **fields: object) -> str:
    """t() with its {fields} filled in; lang first, so functools.partial(tf, lang) is a one-language t."""
    return t(key, lang or "en").format(**fields)


def chart_words(lang: str) -> dict[str, str]:
    """The words of studio.charts in one language (the chart_* keys without their prefix)."""
    return {k.removeprefix("chart_"): t(k, lang or "en") for k in TEXT["en"] if k.startswith("chart_")}


def device_text(device, lang: str) -> str:
    """studio.models.device.DeviceInfo in words (its describe() is the English)."""
    gb = f"{device.memory_mb / 1024:.0f}"
    if device.kind == "cuda":
        return tf(lang, "dev_gpu", count=device.count, name=device.name, gb=gb)
    return tf(lang, "dev_cpu", threads=device.cpu_threads, gb=gb, bf16=t("yes" if device.bf16 else "no", lang))


def fit_text(verdict, device_kind: str, lang: str) -> str:
    """studio.models.fit.Verdict in words (its .text is the English)."""
    need, have = f"{verdict.estimate.total_mb / 1024:.1f}", f"{verdict.available_mb / 1024:.0f}"
    if verdict.checkpointing:
        return tf(lang, "fit_gc", need=need, have=have)
    where = t("where_gpu" if device_kind == "cuda" else "where_ram", lang)
    return tf(lang, "fit_yes" if verdict.fits else "fit_no", need=need, have=have, where=where)
