"""Our metrics, defined exactly as the official scorer (shared/eval/score.py) computes them.

evidence@k, fact (``must_include``) recall, verdict accuracy, refusal accuracy, citation validity and
latency percentiles. Items without a result record are skipped by every metric except refusal accuracy,
whose denominator is the whole gold set — as in the official scorer, so both always agree.
"""

from __future__ import annotations

import re
import statistics
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from assistant.evaluation.dataset import GoldItem

#: The metric keys a threshold file may name (plus ``latency_p95_ms`` as an upper bound).
METRIC_KEYS = ("evidence_at_k", "fact_recall", "verdict_accuracy", "refusal_accuracy", "citation_validity")


def norm(s: str | None) -> str:
    """Whitespace removed: how quotes and answers are compared."""
    return re.sub(r"\s+", "", s or "")


def corpus_text(corpus_dir: Path) -> str:
    """The text citations are checked against: every .txt/.md file under the corpus dir, whitespace removed.

    Walks the directory in the same (unsorted ``rglob``) order as the official scorer.
    """
    return "".join(norm(p.read_text(encoding="utf-8", errors="replace"))
                   for p in corpus_dir.rglob("*") if p.is_file() and p.suffix in {".txt", ".md"})


def evidence_hit(quotes: Sequence[str], contexts: Sequence[str], k: int = 5) -> bool:
    """Whether every quote is covered (whitespace-insensitive substring) by one of the first ``k``
    contexts."""
    ctxs = [norm(c) for c in contexts[:k]]
    return all(any(norm(q) in c for c in ctxs) for q in quotes)


def percentile_95(values: Sequence[float]) -> float | None:
    """The p95 as the official scorer takes it (nearest lower rank, no interpolation)."""
    return sorted(values)[int(0.95 * (len(values) - 1))] if values else None


def score(items: Sequence[GoldItem], records: Sequence[dict[str, Any]], corpus: str,
          k: int = 5) -> dict[str, Any]:
    """Aggregate metrics plus per-item detail.

    Args:
        items: the gold set.
        records: result records (``id`` plus the ``shenbao ask --json`` fields).
        corpus: the corpus text (see :func:`corpus_text`); whitespace is ignored.
        k: contexts considered for evidence@k.

    Returns:
        ``items``, ``answered``, the metric keys of :data:`METRIC_KEYS`, ``citations``, latency
        percentiles and ``detail`` (one dict per item: evidence hit, missing ``must_include``, verdict,
        refusal, invalid citations, ``misses``).
    """
    by_id = {r["id"]: r for r in records}
    corpus_n = norm(corpus)
    ev_hit = ev_n = fact_hit = fact_n = ver_ok = ver_n = ref_ok = cites = cites_ok = 0
    lat: list[float] = []
    detail: list[dict[str, Any]] = []
    for g in items:
        r = by_id.get(g.id)
        d: dict[str, Any] = {"id": g.id, "kind": g.kind, "misses": [], "evidence": None, "facts": None,
                             "missing_facts": [], "fact_n": 0, "verdict": None, "refusal": None,
                             "bad_citations": 0,
                             "latency_ms": None, "answered": r is not None}
        detail.append(d)
        if r is None:
            d["misses"].append("no-result")
            continue
        if g.reference_contexts:
            ev_n += 1
            ok = evidence_hit(g.reference_contexts, r.get("contexts") or [], k)
            ev_hit += ok
            d["evidence"] = ok
            if not ok:
                d["misses"].append("evidence")
        ans = norm(r.get("answer"))
        missing = [m for m in g.must_include if norm(m) not in ans]
        fact_n += len(g.must_include)
        fact_hit += len(g.must_include) - len(missing)
        d["facts"] = 1 - len(missing) / len(g.must_include) if g.must_include else None
        d["fact_n"] = len(g.must_include)
        d["missing_facts"] = missing
        d["misses"] += [f"fact:{m}" for m in missing]
        if g.expected_verdict:
            ver_n += 1
            ok = r.get("verdict") == g.expected_verdict
            ver_ok += ok
            d["verdict"] = ok
            if not ok:
                d["misses"].append(f"verdict:{r.get('verdict')}!={g.expected_verdict}")
        ok = bool(r.get("refused")) == (g.kind == "unanswerable")
        ref_ok += ok
        d["refusal"] = ok
        if not ok:
            d["misses"].append("refusal")
        for c in r.get("citations") or []:
            cites += 1
            quote = norm(c.get("quote"))
            if quote and quote in corpus_n:
                cites_ok += 1
            else:
                d["bad_citations"] += 1
                d["misses"].append("citation")
        if isinstance(r.get("latency_ms"), int | float):
            lat.append(r["latency_ms"])
            d["latency_ms"] = r["latency_ms"]
    n = len(items)
    return {
        "items": n,
        "answered": sum(1 for d in detail if d["answered"]),
        "evidence_at_k": ev_hit / ev_n if ev_n else 0.0,
        "fact_recall": fact_hit / fact_n if fact_n else 0.0,
        "verdict_accuracy": ver_ok / ver_n if ver_n else 1.0,
        "refusal_accuracy": ref_ok / n if n else 0.0,
        "citation_validity": cites_ok / cites if cites else 0.0,
        "citations": cites,
        "k": k,
        "latency_p50_ms": statistics.median(lat) if lat else None,
        "latency_p95_ms": percentile_95(lat),
        "detail": detail,
    }


def group_scores(items: Sequence[GoldItem], detail: Sequence[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    """Our metrics per item group: each ``kind``, plus ``multi-turn`` for items with ``turns``.

    Groups use the same definitions as :func:`score` (micro-averaged fact recall); a metric with no
    applicable item in a group is None.
    """
    turns = {g.id for g in items if g.turns}
    groups: dict[str, list[dict[str, Any]]] = {}
    for d in detail:
        groups.setdefault(d["kind"], []).append(d)
        if d["id"] in turns:
            groups.setdefault("multi-turn", []).append(d)
    out: dict[str, dict[str, Any]] = {}
    for name, ds in groups.items():
        ev = [d["evidence"] for d in ds if d["evidence"] is not None]
        ver = [d["verdict"] for d in ds if d["verdict"] is not None]
        ref = [d["refusal"] for d in ds if d["answered"]]
        fact_n = sum(d["fact_n"] for d in ds)
        fact_hit = fact_n - sum(len(d["missing_facts"]) for d in ds)
        out[name] = {
            "items": len(ds),
            "evidence_at_k": sum(ev) / len(ev) if ev else None,
            "fact_recall": fact_hit / fact_n if fact_n else None,
            "verdict_accuracy": sum(ver) / len(ver) if ver else None,
            "refusal_accuracy": sum(ref) / len(ref) if ref else None,
            "failures": sum(1 for d in ds if d["misses"]),
        }
    return out


def rank_all_covered(quotes: Sequence[str], results: Sequence[str], depth: int = 10) -> int | None:
    """1-based rank at which every quote is covered by some result so far (None if not within ``depth``)."""
    need = {norm(q) for q in quotes}
    seen: list[str] = []
    for i, r in enumerate(results[:depth], 1):
        seen.append(norm(r))
        if all(any(q in s for s in seen) for q in need):
            return i
    return None
