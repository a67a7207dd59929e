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
        "runs_intro": "Every run, its state and its loss. Runs live on disk and survive restarts.",
        "runs_refresh": "Refresh", "runs_open": "Open in Compare", "runs_delete": "Delete run",
        "runs_confirm": "Yes, delete it", "runs_pick": "Run",
        "export_intro": "Download the adapter, save a merged model, or push to the hub.",
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
        "runs_intro": "全ての実行と状態・損失。実行はディスクに保存され、再起動後も残ります。",
        "runs_refresh": "更新", "runs_open": "比較で開く", "runs_delete": "実行を削除",
        "runs_confirm": "はい、削除します", "runs_pick": "実行",
        "export_intro": "アダプタのダウンロード、マージ済みモデルの保存、Hub への公開。",
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


def t(key: str, lang: str = "en") -> str:
    return TEXT.get(lang, TEXT["en"]).get(key) or TEXT["en"].get(key, key)
