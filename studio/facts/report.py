"""The lab's numbers and what they say: per column and probe kind the share of answers naming the new fact and
the old one (95% intervals), the article's examples table, what tuning cost on general knowledge, and a
verdict written from those numbers (never pre-written: each line is chosen by a comparison of intervals).
A verdict line is {"key", "fields"} so the CLI says it in English and the UI in its language."""
from __future__ import annotations

from collections.abc import Sequence

from studio.evaluate.style import names_in
from studio.facts import general
from studio.facts.lab import LabRun, fact_prompt
from studio.facts.probes import FACT_KINDS, KINDS
from studio.facts.stats import Share, clustered_share
from studio.text import t

FACT = "fact"
"""The pooled kind: every probe that asks for the fact in words no variant trained on (FACT_KINDS)."""
GAP = 0.2
"""How much better the trained questions must be answered than the fact in new words to say so."""


def summarise(lab: LabRun) -> dict:
    """The lab's whole result as JSON-able data (what `studio facts-lab --json` prints)."""
    a, prep = lab.answers, lab.prep
    table = shares(a.columns, a.probes, a.samples)
    collateral = general.collateral(a.general, general.load_questions())
    result = {
        "model": lab.spec.model, "corpus": prep.corpus_name, "folder": str(prep.folder),
        "swaps": [{"old": c.swap.old, "new": c.swap.new, "replaced": c.replaced, "forms": c.forms,
                   "left": len(c.leftovers), "leftovers": [vars(x) for x in c.leftovers[:20]]}
                  for c in prep.swapped.counts],
        "settings": {"samples": lab.spec.k, "temperature": lab.spec.temperature, "max_steps": lab.spec.max_steps,
                     "seed": lab.spec.seed, "fact_prompt": fact_prompt(prep.swaps)},
        "variants": [vars(v) for v in lab.variants], "columns": a.columns,
        "kinds": [k for k in (*KINDS, FACT) if any(r["kind"] == k for r in table)],
        "table": table, "examples": examples(a.columns, a.probes, a.samples),
        "collateral": collateral, "seconds": lab.seconds,
    }
    result["verdict"] = verdict(result)
    return result


def shares(columns: Sequence[dict], probes: Sequence[dict], samples: dict[str, list[list[str]]]) -> list[dict]:
    """One row per column and kind (and the pooled "fact" kind): the new and the old name's shares."""
    rows = []
    for col in columns:
        by_kind: dict[str, list[int]] = {}
        for i, probe in enumerate(probes):
            kind = probe["meta"]["kind"]
            by_kind.setdefault(kind, []).append(i)
            if kind in FACT_KINDS:
                by_kind.setdefault(FACT, []).append(i)
        for kind in [k for k in (*KINDS, FACT) if k in by_kind]:
            rows.append({"column": col["key"], "kind": kind,
                         **_pair(by_kind[kind], probes, samples[col["key"]])})
    return rows


def _pair(indices: list[int], probes: Sequence[dict], answers: list[list[str]]) -> dict:
    new = [[names_in(x, probes[i]["meta"]["answer"]) for x in answers[i]] for i in indices]
    old = [[names_in(x, probes[i]["meta"]["wrong"]) for x in answers[i]] for i in indices
           if probes[i]["meta"].get("wrong")]
    return {"new": clustered_share(new).to_dict(), "old": clustered_share(old).to_dict() if old else None}


def examples(columns: Sequence[dict], probes: Sequence[dict], samples: dict[str, list[list[str]]]) -> list[dict]:
    """The article's table: each probe, then each column's sampled answers."""
    return [{"probe": p["messages"][0]["content"], "kind": p["meta"]["kind"],
             "answers": {c["key"]: samples[c["key"]][i] for c in columns}} for i, p in enumerate(probes)]


def cell(result: dict, column: str, kind: str, which: str = "new") -> Share | None:
    row = next((r for r in result["table"] if r["column"] == column and r["kind"] == kind), None)
    return Share(**row[which]) if row and row[which] else None


# ---- the verdict -----------------------------------------------------------------------------------------

def verdict(result: dict) -> list[dict]:
    """Lines chosen by the numbers: which column moved the fact and by how much (intervals compared with the
    base's), whether the old name survived, trained questions versus the fact, and the cost."""
    kind = FACT if any(r["kind"] == FACT for r in result["table"]) else result["kinds"][0]
    base = cell(result, "base", kind)
    lines = []
    for col in result["columns"][1:]:
        lines.append(_moved(col["key"], cell(result, col["key"], kind), base, kind))
    for v in result["variants"]:
        lines += _old_name(result, v["name"]) + _trained_only(result, v["name"]) + _cost(result, v["name"])
    best = max(result["columns"], key=lambda c: cell(result, c["key"], kind).share)
    lines.insert(0, {"key": "facts_v_best", "fields": {"column": best["key"], "kind": kind,
                                                       **_pct(cell(result, best["key"], kind))}})
    return lines


def _pct(share: Share, prefix: str = "") -> dict:
    return {f"{prefix}share": f"{100 * share.share:.0f}", f"{prefix}lo": f"{100 * share.lo:.0f}",
            f"{prefix}hi": f"{100 * share.hi:.0f}"}


def _moved(column: str, share: Share, base: Share, kind: str) -> dict:
    fields = {"column": column, "kind": kind, **_pct(share), **_pct(base, "base_"),
              "points": f"{100 * (share.share - base.share):+.0f}"}
    if share.lo > base.hi:
        return {"key": "facts_v_moved", "fields": fields}
    if share.hi < base.lo:
        return {"key": "facts_v_fell", "fields": fields}
    return {"key": "facts_v_same", "fields": fields}


def _old_name(result: dict, variant: str) -> list[dict]:
    """The article's R question: does the tuned model still name the old character?"""
    share = cell(result, variant, "initial_old", "old")
    if share is None or share.share == 0:
        return []
    old = result["swaps"][0]["old"]
    return [{"key": "facts_v_old", "fields": {"column": variant, "old": old, **_pct(share)}}]


def _trained_only(result: dict, variant: str) -> list[dict]:
    direct, fact = cell(result, variant, "direct"), cell(result, variant, FACT)
    if direct is None or fact is None or direct.share - fact.share < GAP:
        return []
    return [{"key": "facts_v_trained_only", "fields": {"column": variant, **_pct(direct, "direct_"),
                                                       **_pct(fact, "fact_")}}]


def _cost(result: dict, variant: str) -> list[dict]:
    col = result["collateral"]["columns"].get(variant)
    base = result["collateral"]["columns"].get("base")
    if not col or not base or not col["n"]:
        return []
    kept, wrong = _share(col["still_right"]), _share(col["confident_wrong"])
    base_wrong = _share(base["confident_wrong"])
    key = "facts_v_cost" if kept.hi < 1.0 and kept.share < 0.95 else "facts_v_no_cost"
    return [{"key": key, "fields": {"column": variant, "n": col["n"], **_pct(kept), **_pct(wrong, "wrong_"),
                                    "base_wrong": f"{100 * base_wrong.share:.0f}"}}]


def column_name(key: str, lang: str = "en") -> str:
    """A column's name in lang: base, the prompt and retrieval columns, or a tuned variant by its name."""
    if key in ("base", "prompt", "rag"):
        return t(lang, f"facts_col_{key}")
    return t(lang, "facts_col_tuned", name=key)


def _share(d: dict) -> Share:
    """general.collateral's share ({k, n, share, lo, hi}) as a Share."""
    return Share(d["share"] or 0.0, d["lo"], d["hi"], d["n"], d["n"])


def say(lines: Sequence[dict], lang: str = "en") -> list[str]:
    """The verdict in lang: the column and probe kind named in that language too."""
    out = []
    for line in lines:
        fields = dict(line["fields"])
        if "column" in fields:
            fields["column"] = column_name(fields["column"], lang)
        if "kind" in fields:
            fields["kind"] = t(lang, f"facts_kind_{fields['kind']}")
        out.append(t(lang, line["key"], **fields))
    return out


# ---- the chart -------------------------------------------------------------------------------------------

def figure(result: dict, lang: str = "en"):
    """Per probe kind, a bar per column: the share of answers naming the new fact, with its 95% interval."""
    import plotly.graph_objects as go

    kinds = result["kinds"]
    fig = go.Figure()
    for col in result["columns"]:
        cells = [cell(result, col["key"], k) for k in kinds]
        fig.add_bar(name=column_name(col["key"], lang), x=[t(lang, f"facts_kind_{k}") for k in kinds],
                    y=[100 * c.share for c in cells],
                    error_y={"type": "data", "symmetric": False, "array": [100 * (c.hi - c.share) for c in cells],
                             "arrayminus": [100 * (c.share - c.lo) for c in cells]})
    swap = result["swaps"][0]
    fig.update_layout(barmode="group", template="plotly_white", height=380,
                      title={"text": t(lang, "facts_chart_title", new=swap["new"], old=swap["old"],
                                       model=result["model"], k=result["settings"]["samples"]),
                             "x": 0.01, "font": {"size": 14}},
                      yaxis={"title": t(lang, "facts_chart_y"), "range": [0, 105]},
                      legend={"orientation": "h", "y": -0.25}, margin={"l": 50, "r": 20, "t": 40, "b": 40})
    return fig
