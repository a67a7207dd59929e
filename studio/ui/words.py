"""UI text built from numbers and codes in the chosen language: chart words, the advisor's reasons,
this machine and its memory fit. The English of each lives beside its numbers (studio.charts,
studio.evaluate.advisor, studio.models); tests check the UI's English equals it."""
from __future__ import annotations

from studio.evaluate.meters import meter_key, primary_label
from studio.models.device import DeviceInfo
from studio.models.fit import Verdict
from studio.ui.text import TEXT, t, tf

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


def meter_label(meter_id: str, lang: str) -> str:
    """The headline measure's name in lang: ui/text.py's meter_* (as Compare's batch meter says it), else
    the English of studio.evaluate.meters."""
    key = f"meter_{meter_key(meter_id)}"
    return t(key, lang or "en") if key in TEXT["en"] else primary_label(meter_id)


def reason_text(key: str, fields: dict[str, str], english: str, lang: str) -> str:
    """One advisor reason in lang (its English text where the language has none)."""
    template = REASONS.get(lang or "en", {}).get(key)
    return template.format(**fields) if template else english


def chart_words(lang: str) -> dict[str, str]:
    """The words of studio.charts in one language (the chart_* keys without their prefix)."""
    return {k.removeprefix("chart_"): t(k, lang or "en") for k in TEXT["en"] if k.startswith("chart_")}


def device_text(device: DeviceInfo, lang: str) -> str:
    """studio.models.device.DeviceInfo in words (its describe() is the English)."""
    gb = f"{device.memory_mb / 1024:.0f}"
    if device.kind == "cuda":
        return tf(lang, "dev_gpu", count=device.count, name=device.name, gb=gb)
    return tf(lang, "dev_cpu", threads=device.cpu_threads, gb=gb, bf16=t("yes" if device.bf16 else "no", lang))


def fit_text(verdict: Verdict, device_kind: str, lang: str) -> str:
    """studio.models.fit.Verdict in words (its .text is the English)."""
    need, have = f"{verdict.estimate.total_mb / 1024:.1f}", f"{verdict.available_mb / 1024:.0f}"
    if verdict.checkpointing:
        return tf(lang, "fit_gc", need=need, have=have)
    where = t("where_gpu" if device_kind == "cuda" else "where_ram", lang)
    return tf(lang, "fit_yes" if verdict.fits else "fit_no", need=need, have=have, where=where)
