"""English: the endpoints' words, a bigger model behind an OpenAI-compatible API as teacher, column and judge
(the Model step's panel, the teacher, the judge; merged into en.TEXT)."""

ENDPOINTS: dict[str, str] = {
    "ep_title": "Endpoints: a bigger model as teacher, column and judge",
    "ep_intro": "An **endpoint** is any OpenAI-compatible API: Ollama (`http://127.0.0.1:11434/v1`), llama.cpp's "
                "server, vLLM, a hosted API, or `studio serve` itself. Name it once, and the Data step's teacher, "
                "a Compare column and the blind test's judge can use it. Its key is read from the environment "
                "variable you name: it is never saved, sent anywhere else or shown.",
    "ep_saved": "Saved endpoints", "ep_col_current": "in use", "ep_col_name": "Name", "ep_col_model": "Model",
    "ep_col_url": "URL", "ep_col_key": "Key", "ep_col_timeout": "Timeout",
    "ep_key_none": "no key", "ep_key_set": "{env} set", "ep_key_missing": "{env} NOT SET",
    "ep_pick": "Endpoint", "ep_test": "Test (1 token)", "ep_use": "Use for column, teacher and judge",
    "ep_remove": "Remove", "ep_name": "Name", "ep_url": "Base URL", "ep_model": "Model (as the endpoint names it)",
    "ep_key_env": "Key variable",
    "ep_key_env_info": "The name of the environment variable holding the key (e.g. OPENAI_API_KEY), not the key. "
                       "Empty for a local server.",
    "ep_timeout": "Timeout (s)", "ep_save": "Save endpoint",
    "ep_saved_note": "Saved **{name}**; it is the endpoint in use now. Test it with one token.",
    "ep_tested": "**{name}** answered in {secs} s ({model}).",
    "ep_used": "Compare's endpoint column, the teacher and the judge now use **{name}**.",
    "ep_removed": "Removed {name}.", "ep_need_pick": "Pick an endpoint first.",
    "tch_title": "Teacher: a bigger model writes the rows",
    "tch_intro": "A saved endpoint (step ①, Endpoints) writes new rows in the generator's form, or rewrites the "
                 "generator's plain answers in its style. Every row still passes the generator's own check; the "
                 "rest are counted as rejects, by reason.",
    "tch_endpoint": "Teacher endpoint", "tch_n": "Rows to keep", "tch_mode": "The teacher",
    "tch_mode_write": "writes new rows", "tch_mode_restyle": "restyles the plain answers (gozaru, shakespeare)",
    "tch_instruction": "Instruction (what the rows are about; empty: the preset's goal)",
    "tch_go": "Generate with the teacher",
    "tch_result": "**Teacher** ({endpoint}): kept {kept} of {attempts} attempts; rejects: {rejects}.",
    "tch_rejects_none": "none",
    "tch_stopped": "The endpoint stopped answering after {kept} kept rows (they are kept): {why}",
    "tch_need_endpoint": "Pick a teacher endpoint (save one in step ①, Endpoints).",
    "tch_no_restyle": "The {kind} generator has no plain answers to restyle: let the teacher write new rows.",
    "tch_reason_parse": "not a Q:/A: pair", "tch_reason_dup": "near-duplicate", "tch_reason_empty": "empty answer",
    "tch_reason_check": "failed the check ({why})",
    "jdg_title": "Judge: an endpoint votes on the same pairs",
    "jdg_intro": "The endpoint in use votes on the pairs you voted on (your pick against each other answer, A and "
                 "B as you saw them, then swapped: a vote counts only when both orders pick the same answer, else "
                 "it is a tie, unsure). Before you trust it, its votes are compared with yours: the share agreeing "
                 "and Cohen's κ (agreement beyond chance), with 95% intervals, from 20 decided votes. Once you "
                 "accept it, Batch can measure with it and its votes can become DPO pairs.",
    "jdg_none": "No endpoint is saved: add one in step ① (Endpoints).",
    "jdg_endpoint": "Judge: **{name}** ({model})",
    "jdg_prompt": "Judge prompt (the request and the two answers go where it says prompt, a and b in braces)",
    "jdg_go": "Ask the judge on my votes", "jdg_accept": "Accept this judge for this run",
    "jdg_export": "The judge's votes as DPO pairs", "jdg_file": "DPO pairs (JSONL)",
    "jdg_report": "**Judge** {name} ({model}) on {n} of your {pairs} decided pairs: agrees on {agree}, **{share}** "
                  "[{share_lo}–{share_hi}]; Cohen's κ **{kappa}** [{kappa_lo}, {kappa_hi}] (95% bootstrap "
                  "intervals).",
    "jdg_more": "**Judge** {name} ({model}) has decided {n} of your {pairs} pairs: its agreement is reported from "
                "{need}, so {more} more. Vote in the blind test, then ask again.",
    "jdg_kappa_undefined": "Cohen's κ is undefined here: one of you picked the same letter every time, so chance "
                           "alone explains the agreement.",
    "jdg_unclear": "{n} answer(s) were neither A nor B: counted, never guessed (a plainer prompt may help).",
    "jdg_inconsistent": "{n} pair(s) got opposite picks when A and B were swapped: counted as tie/unsure, not as "
                        "votes (the judge followed the position, not the answer).",
    "jdg_failed": "{n} pair(s) got no answer this time (asked again next time): {why}",
    "jdg_accepted": "Judge accepted for run {run}: Batch measures with it, and its votes can become DPO pairs.",
    "jdg_accepted_now": "Accepted for this run: **{name}** ({model}), κ {kappa} on {n} votes.",
    "jdg_train": "Train DPO on the judge's votes",
    "jdg_dpo_started": "Started {run}: DPO on {n} pairs from the judge's votes, continuing this run's adapter.",
    "run_title_judge": "{data} · DPO on the judge's {n} votes",
    "jdg_exported": "{n} DPO pairs from the judge's votes ({path}, also in the datasets folder).",
    "jdg_meter_line": "**Judge meter** ({name}): preferred over {reference}: {cols}",
    "jdg_meter_col": "{col} {share} of {n}", "jdg_meter_same": "{n} pair(s) of identical answers were not asked.",
    "batch_judge": "Judge meter (a judge you accepted in the blind test)",
    "batch_unanswered": "{col}: {n} of {total} prompts unanswered; its meter counts the {answered} it answered.",
    "measure_unanswered": "unanswered (endpoint)",
    "blind_vote_F": "Vote F", "blind_vote_G": "Vote G",
}
