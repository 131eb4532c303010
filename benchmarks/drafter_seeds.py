"""How many hand-written hard criteria of the seed notices the RuleDrafter reproduces from the text alone.

For every seed programme (the reviewed rules in ``assistant/eligibility/rules/``), the drafter reads the
programme's notice (parsed from ``corpus/`` with ``parse_notice_file``) and drafts rules; a hard criterion
is reproduced when a drafted rule has the same condition and the same params (lists compared as sets).
Also: every drafted rule's quote must be verbatim in its notice (after the validator).

Run: ``PYTHONPATH=. python benchmarks/drafter_seeds.py`` → prints a table and writes
``benchmarks/results/drafter_seeds.{json,md}``.
"""

from __future__ import annotations

import json
import sys
from collections import defaultdict
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "benchmarks" / "results"


def _norm(value: Any) -> Any:
    if isinstance(value, list):
        return sorted((_norm(v) for v in value), key=lambda v: json.dumps(v, ensure_ascii=False, sort_keys=True))
    if isinstance(value, dict):
        return {k: _norm(v) for k, v in sorted(value.items())}
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value


def signature(condition: str | None, params: dict[str, Any]) -> str:
    """Condition + normalised params, for comparing a drafted rule with a hand-written one."""
    return f"{condition}:{json.dumps(_norm(params), ensure_ascii=False, sort_keys=True)}"


def run(corpus: Path = ROOT / "corpus") -> dict[str, Any]:
    """Draft every seed programme and compare with its hand-written hard criteria."""
    from assistant.catalogue.registry import NoticeRegistry, parse_and_catalogue
    from assistant.drafting import DraftValidator, RuleDrafter
    from assistant.drafting.registry import catalogue_programmes
    from assistant.eligibility.rules import RULES_DIR, load_rules
    from assistant.ingest import NoticeCatalogue

    book = load_rules(RULES_DIR)
    catalogue = NoticeCatalogue.load(corpus / "notices.yaml")
    by_file: dict[str, list[Any]] = defaultdict(list)
    for prog in book.programmes.values():
        by_file[prog.file].append(prog)
    drafter = RuleDrafter()
    rows: list[dict[str, Any]] = []
    quotes = verbatim = 0
    for file, progs in by_file.items():
        # the programmes as the catalogue gives them at run time (seed ids from the override file)
        _, chunks, records = parse_and_catalogue(corpus / file, catalogue)
        notices = {n.notice_id: n for n in catalogue_programmes(NoticeRegistry(records), chunks,
                                                                kinds=("call", "policy", "other", "list"))}
        by_notice: dict[str, list[Any]] = defaultdict(list)
        for p in progs:
            by_notice[p.notice_id].append(p)
        for notice_id, nprogs in by_notice.items():
            notice = notices[notice_id]
            doc_chunks = list(notice.chunks)
            known = {r.id: r for r in notice.programmes}
            refs = [known[p.id] for p in nprogs]
            validator = DraftValidator(doc_chunks)
            for prog, ref in zip(nprogs, refs, strict=True):
                result = drafter.run(doc_chunks, ref, notice.programmes)
                rule_file = result.to_rule_file(file, prog.notice)
                report = validator.run(rule_file)
                drafted = report.rule_file["programmes"][0]["criteria"]
                quotes += len(result.criteria)
                verbatim += sum(validator.quote_ok(c["reference"]["quote"]) for c in result.criteria)
                got = {signature(c.get("condition"), c.get("params") or {}) for c in drafted}
                hard = [c for c in prog.criteria if c.kind == "hard"]
                hits = [c.id for c in hard if signature(c.condition, c.params) in got]
                rows.append({
                    "programme": prog.id, "hard": len(hard), "reproduced": len(hits),
                    "missed": [c.id for c in hard if c.id not in hits],
                    "drafted_rules": sum(1 for c in drafted if c["kind"] != "reminder"),
                    "reminders": sum(1 for c in drafted if c["kind"] == "reminder"),
                    "dropped": len(report.dropped),
                })
    total_hard = sum(r["hard"] for r in rows)
    total_hit = sum(r["reproduced"] for r in rows)
    return {"programmes": rows, "hard_total": total_hard, "reproduced_total": total_hit,
            "reproduction_rate": round(total_hit / total_hard, 4) if total_hard else 0.0,
            "quotes": quotes, "quotes_verbatim": verbatim,
            "quote_verbatim_rate": round(verbatim / quotes, 4) if quotes else 1.0}


def to_markdown(res: dict[str, Any]) -> str:
    """The result as a Markdown table."""
    lines = ["# Drafter on the seed notices: hand-written hard criteria reproduced", "",
             f"Overall: **{res['reproduced_total']}/{res['hard_total']} = {res['reproduction_rate']:.0%}** "
             f"(same condition and params). Quotes verbatim: {res['quotes_verbatim']}/{res['quotes']} "
             f"= {res['quote_verbatim_rate']:.0%}.", "",
             "| programme | hard | reproduced | share | drafted rules | reminders | missed |",
             "|---|---:|---:|---:|---:|---:|---|"]
    for r in res["programmes"]:
        share = r["reproduced"] / r["hard"] if r["hard"] else 1.0
        lines.append(f"| {r['programme']} | {r['hard']} | {r['reproduced']} | {share:.0%} | "
                     f"{r['drafted_rules']} | {r['reminders']} | {', '.join(r['missed'])} |")
    return "\n".join(lines) + "\n"


def main() -> int:
    """Run, print and write the results."""
    res = run()
    md = to_markdown(res)
    print(md)
    RESULTS.mkdir(parents=True, exist_ok=True)
    (RESULTS / "drafter_seeds.json").write_text(json.dumps(res, ensure_ascii=False, indent=2) + "\n",
                                                encoding="utf-8")
    (RESULTS / "drafter_seeds.md").write_text(md, encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
