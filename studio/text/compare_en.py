"""English: Compare's modes, its adapter pick, regenerate, the batch table and the blind test (merged into
en.TEXT)."""

COMPARE: dict[str, str] = {
    "cmp_adapter": "Tuned adapter",
    "cmp_adapter_info": "The run's final adapter or one of its checkpoints",
    "cmp_endpoint": "Endpoint column", "cmp_endpoint_info": "The saved endpoint that answers it (save one in step ①)",
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
    "blind_which_n": "Which of the {n} answers is best? Vote below.",
    "blind_tie": "Tie", "blind_need_two": "The blind test needs at least two columns: tick two or more.",
    "blind_need_answers": "Ask a prompt first, then vote.",
    "blind_voted": "You voted on this prompt already: ask another.",
    "blind_reveal_line": "{x} was **{name}**", "blind_your_pick": "your pick", "blind_tie_done": "a tie",
    "blind_dpo": "Train DPO on these votes",
    "blind_dpo_started": "{n} preference pairs: DPO run {run} started on top of this run; it is now the "
                         "current run (see ③ Train)",
    "blind_rates": "Win rates (this run's votes)", "blind_export": "Export votes as DPO pairs (JSONL)",
    "blind_export_file": "DPO preference pairs",
    "blind_no_pairs": "No preference pairs yet: vote for an answer (ties teach nothing).",
    "blind_exported": "Preference pairs exported: {n}.",
    "rate_column": "Column", "rate_votes": "Votes", "rate_wins": "Wins", "rate_ties": "Ties",
    "rate_rate": "Win rate",
}
