"""Our metrics, defined as in shared/eval/README.md (evidence@k, fact recall, verdict, refusal, citations)."""

from __future__ import annotations

import re
import statistics
from collections.abc import Sequence
from typing import Any

from assistant.evaluation.dataset import GoldItem


def norm(s: str | None) -> str:
    """Whitespace removed: how quotes and answers are compared."""
    return re.sub(r"\s+", "", s or "")


def score(items: Sequence[GoldItem], records: Sequence[dict[str, Any]], corpus_text: str,
          k: int = 5) -> dict[str, Any]:
    """Aggregate metrics plus per-item detail (``items``) and misses."""
    by_id = {r["id"]: r for r in records}
    corpus = norm(corpus_text)
    ev_hit = ev_n = fact_hit = fact_n = ver_ok = ver_n = ref_ok = cites = cites_ok = 0
    lat: list[float] = []
    detail = []
    for g in items:
        r = by_id.get(g.id, {})
        ctxs = [norm(c) for c in (r.get("contexts") or [])[:k]]
        d: dict[str, Any] = {"id": g.id, "kind": g.kind, "misses": []}
        if g.reference_contexts:
            ev_n += 1
            ok = all(any(norm(q) in c for c in ctxs) for q in g.reference_contexts)
            ev_hit += ok
            d["evidence"] = ok
            if not ok:
                d["misses"].append("evidence")
        ans = norm(r.get("answer"))
        found = [m for m in g.must_include if norm(m) in ans]
        fact_n += len(g.must_include)
        fact_hit += len(found)
        d["facts"] = len(found) / len(g.must_include) if g.must_include else None
        d["misses"] += [f"fact:{m}" for m in g.must_include if m not in found]
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
            valid = bool(norm(c.get("quote"))) and norm(c.get("quote")) in corpus
            cites_ok += valid
            if not valid:
                d["misses"].append("citation")
        if isinstance(r.get("latency_ms"), int | float):
            lat.append(float(r["latency_ms"]))
        d["latency_ms"] = r.get("latency_ms")
        detail.append(d)
    n = len(items)
    lat_sorted = sorted(lat)
    return {
        "items": n,
        "evidence_at_k": ev_hit / ev_n if ev_n else 0.0,
        "fact_recall": fact_hit / fact_n if fact_n else 0.0,
        "verdict_accuracy": ver_ok / ver_n if ver_n else 1.0,
        "refusal_accuracy": ref_ok / n if n else 0.0,
        "citation_validity": cites_ok / cites if cites else 0.0,
        "citations": cites,
        "latency_p50_ms": statistics.median(lat) if lat else None,
        "latency_p95_ms": lat_sorted[int(0.95 * (len(lat_sorted) - 1))] if lat else None,
        "detail": detail,
    }
