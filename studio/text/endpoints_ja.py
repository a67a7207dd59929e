"""Japanese: the endpoints' words, a bigger model behind an OpenAI-compatible API as teacher, column and judge
(the Model step's panel, the teacher, the judge; merged into ja.TEXT)."""

ENDPOINTS: dict[str, str] = {
    "ep_title": "エンドポイント: 大きなモデルを教師・列・審査役に",
    "ep_intro": "**エンドポイント**とは OpenAI 互換の API のことです: Ollama（`http://127.0.0.1:11434/v1`）、llama.cpp の"
                "サーバー、vLLM、ホスト型 API、または `studio serve` 自身。一度名前を付ければ、データの手順の教師、比較の列、"
                "ブラインドテストの審査役に使えます。キーは指定した環境変数から読み込み、保存も表示もせず、ほかへ送ることもありません。",
    "ep_saved": "保存したエンドポイント", "ep_col_current": "使用中", "ep_col_name": "名前", "ep_col_model": "モデル",
    "ep_col_url": "URL", "ep_col_key": "キー", "ep_col_timeout": "タイムアウト",
    "ep_key_none": "キーなし", "ep_key_set": "{env} 設定済み", "ep_key_missing": "{env} 未設定",
    "ep_pick": "エンドポイント", "ep_test": "テスト (1 トークン)", "ep_use": "列・教師・審査役に使う",
    "ep_remove": "削除", "ep_name": "名前", "ep_url": "ベース URL", "ep_model": "モデル (エンドポイントでの名前)",
    "ep_key_env": "キーの環境変数",
    "ep_key_env_info": "キーを保持する環境変数の名前（例: OPENAI_API_KEY）。キーそのものではありません。ローカルのサーバーなら空欄。",
    "ep_timeout": "タイムアウト (秒)", "ep_save": "エンドポイントを保存",
    "ep_saved_note": "**{name}** を保存し、使用中のエンドポイントにしました。1 トークンでテストしてください。",
    "ep_tested": "**{name}** が {secs} 秒で応答しました（{model}）。",
    "ep_used": "比較のエンドポイント列、教師、審査役は **{name}** を使います。",
    "ep_removed": "{name} を削除しました。", "ep_need_pick": "先にエンドポイントを選んでください。",
    "tch_title": "教師: 大きなモデルが行を書く",
    "tch_intro": "保存したエンドポイント（① の「エンドポイント」）が、ジェネレーターの形式で新しい行を書くか、ジェネレーターの"
                 "ふつうの回答をその口調に書き換えます。どの行もジェネレーター自身のチェックを通ったものだけを残し、残りは理由ごとに却下として数えます。",
    "tch_endpoint": "教師のエンドポイント", "tch_n": "残す行数", "tch_mode": "教師の仕事",
    "tch_mode_write": "新しい行を書く", "tch_mode_restyle": "ふつうの回答を書き換える (gozaru, shakespeare)",
    "tch_instruction": "指示（行の内容。空欄ならプリセットの目標）",
    "tch_go": "教師で生成",
    "tch_result": "**教師**（{endpoint}）: {attempts} 回の試行から {kept} 行を残しました。却下: {rejects}。",
    "tch_rejects_none": "なし",
    "tch_stopped": "エンドポイントは {kept} 行を残したあと応答しなくなりました（残した行は保持しています）: {why}",
    "tch_need_endpoint": "教師のエンドポイントを選んでください（① の「エンドポイント」で保存できます）。",
    "tch_no_restyle": "{kind} ジェネレーターには書き換えるふつうの回答がありません。教師に新しい行を書かせてください。",
    "tch_reason_parse": "Q:/A: の組ではない", "tch_reason_dup": "ほぼ重複", "tch_reason_empty": "空の回答",
    "tch_reason_check": "チェック不合格（{why}）",
    "jdg_title": "審査役: エンドポイントが同じペアに投票",
    "jdg_intro": "使用中のエンドポイントが、あなたが投票したペア（あなたの選んだ回答とほかの各回答、A と B は見たとおりの順と入れ替えた順の両方）に"
                 "投票します。両方の順で同じ回答を選んだときだけ票とし、違えば引き分け（不確か）とします。信頼する前に、その票をあなたの票と比べます: 一致した割合と Cohen の κ（偶然を超える一致）を、"
                 "95% 区間つきで、決着した 20 票から示します。採用すると、バッチでメーターとして使え、その票を DPO のペアにできます。",
    "jdg_none": "保存されたエンドポイントがありません。① の「エンドポイント」で追加してください。",
    "jdg_endpoint": "審査役: **{name}**（{model}）",
    "jdg_prompt": "審査用プロンプト（波かっこの prompt・a・b の位置に依頼文と 2 つの回答が入ります）",
    "jdg_go": "自分の投票で審査役に聞く", "jdg_accept": "この実行の審査役として採用",
    "jdg_export": "審査役の票を DPO ペアに", "jdg_file": "DPO ペア (JSONL)",
    "jdg_report": "**審査役** {name}（{model}）: 決着したあなたのペア {pairs} 件のうち {n} 件で、一致 {agree} 件、**{share}** "
                  "[{share_lo}–{share_hi}]。Cohen の κ **{kappa}** [{kappa_lo}, {kappa_hi}]（95% ブートストラップ区間）。",
    "jdg_more": "**審査役** {name}（{model}）が判定したのは、あなたのペア {pairs} 件のうち {n} 件です。一致度は {need} 件から示すので、"
                "あと {more} 件必要です。ブラインドテストで投票してから、もう一度聞いてください。",
    "jdg_kappa_undefined": "ここでは Cohen の κ は定義できません。どちらかが毎回同じ文字を選んだため、一致は偶然だけで説明できます。",
    "jdg_unclear": "{n} 件の答えは A でも B でもありませんでした。数えていますが、推測はしません（より素直なプロンプトが効くかもしれません）。",
    "jdg_inconsistent": "{n} 件のペアは A と B を入れ替えると逆を選びました。引き分け／不確かとして数え、票にはしません"
                        "（審査役は回答ではなく位置で選んでいます）。",
    "jdg_failed": "{n} 件のペアは今回答えが得られませんでした（次回もう一度聞きます）: {why}",
    "jdg_accepted": "実行 {run} の審査役として採用しました。バッチはこの審査役で測り、その票は DPO のペアにできます。",
    "jdg_accepted_now": "この実行で採用中: **{name}**（{model}）、{n} 票で κ {kappa}。",
    "jdg_train": "審査役の票で DPO を学習",
    "jdg_dpo_started": "{run} を開始しました: 審査役の票から作った {n} 件のペアで DPO、この実行のアダプタから続けます。",
    "run_title_judge": "{data} · 審査役の票 {n} 件で DPO",
    "jdg_exported": "審査役の票から DPO ペア {n} 件（{path}、データセットのフォルダにもあります）。",
    "jdg_meter_line": "**審査役メーター**（{name}）: {reference} より好まれた割合: {cols}",
    "jdg_meter_col": "{col} {n} 件中 {share}", "jdg_meter_same": "同じ回答どうしの {n} 件のペアは聞いていません。",
    "batch_judge": "審査役メーター（ブラインドテストで採用した審査役）",
    "batch_unanswered": "{col}: {total} 件中 {n} 件のプロンプトに応答がありません。メーターは応答した {answered} 件で数えます。",
    "measure_unanswered": "未応答 (エンドポイント)",
    "blind_vote_F": "F に投票", "blind_vote_G": "G に投票",
}
