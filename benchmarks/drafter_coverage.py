"""Coverage of the RuleDrafter on real notices it was not written for: the shared Xiong'an call notices.

Parse-only (no embedding): every notice file is read and catalogued once (``parse_and_catalogue``); the
notices that invite applications are the catalogue's ``kind: call`` records, and their programmes are the
catalogue's (ids ``<notice_id>-pN``, conditions under the record's ``conditions_heading``), drafted with
their attachments' clauses and the catalogue's region and year — exactly what ``CatalogueDraftRunner``
drafts at run time. Reported: condition
clauses found, share turned into rules vs left as reminders, rules by condition, rules marked uncertain, and
the verbatim-quote rate.

Run: ``PYTHONPATH=. python benchmarks/drafter_coverage.py [corpus_dir]`` → prints a summary and writes
``benchmarks/results/drafter_coverage.{json,md}``.
"""

from __future__ import annotations

import json
import sys
from collections import Counter
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "benchmarks" / "results"
DEFAULT_CORPUS = ROOT.parent / "shared" / "corpus-xiongan"

def parse_corpus(corpus: Path) -> tuple[Any, list[Any]]:
    """Every notice file of ``corpus`` read once: the catalogue (``NoticeRegistry``) and all clauses."""
    from assistant.catalogue.registry import NoticeRegistry, parse_and_catalogue
    from assistant.ingest import NoticeCatalogue

    overrides = NoticeCatalogue.load(ROOT / "corpus" / "notices.yaml")
    records: list[Any] = []
    chunks: list[Any] = []
    for path in sorted(corpus.glob("*.md")):
        _, file_chunks, recs = parse_and_catalogue(path, overrides)
        records.extend(recs)
        chunks.extend(file_chunks)
    return NoticeRegistry(records), chunks


def run(corpus: Path = DEFAULT_CORPUS, parsed: tuple[Any, list[Any]] | None = None,
        kinds: tuple[str, ...] = ("call",)) -> dict[str, Any]:
    """Draft every catalogue programme of the ``call`` notices of ``corpus``; count what became rules."""
    from assistant.drafting import DraftValidator, RuleDrafter
    from assistant.drafting.registry import catalogue_programmes

    registry, chunks = parsed or parse_corpus(corpus)
    drafter = RuleDrafter()
    rows: list[dict[str, Any]] = []
    by_condition: Counter[str] = Counter()
    totals = Counter[str]()
    for notice in catalogue_programmes(registry, chunks, kinds=kinds):
        row = Counter[str]()
        validator = DraftValidator(notice.chunks)
        for ref in notice.programmes:
            result = drafter.run(notice.chunks, ref, notice.programmes)
            report = validator.run(result.to_rule_file(notice.file, notice.title))
            kept = report.rule_file["programmes"][0]["criteria"]
            row["clauses"] += len(result.clauses)
            row["mapped"] += result.mapped
            row["reminders"] += result.reminders
            row["rules"] += sum(1 for c in kept if c["kind"] != "reminder")
            row["uncertain"] += sum(1 for c in kept if c["kind"] != "reminder" and not c.get("certain", True))
            row["quotes"] += len(result.criteria)
            row["verbatim"] += sum(validator.quote_ok(c["reference"]["quote"]) for c in result.criteria)
            row["dropped"] += len(report.dropped)
            by_condition.update(str(c["condition"]) for c in kept if c["kind"] != "reminder")
        totals.update(row)
        rows.append({"file": notice.file, "notice_id": notice.notice_id, "programmes": len(notice.programmes),
                     "region": notice.programmes[0].region if notice.programmes else None, **row})
    clauses = totals["clauses"]
    return {
        "corpus": str(corpus), "kinds": list(kinds), "call_notices": len(rows),
        "notices_with_conditions": sum(1 for r in rows if r["clauses"]),
        "programmes": sum(r["programmes"] for r in rows),
        "condition_clauses": clauses, "mapped_clauses": totals["mapped"], "reminder_clauses": totals["reminders"],
        "mapped_share": round(totals["mapped"] / clauses, 4) if clauses else 0.0,
        "rules": totals["rules"], "uncertain_rules": totals["uncertain"], "dropped_rules": totals["dropped"],
        "quote_verbatim_rate": round(totals["verbatim"] / totals["quotes"], 4) if totals["quotes"] else 1.0,
        "rules_by_condition": dict(by_condition.most_common()), "notices": rows,
    }


def to_markdown(res: dict[str, Any]) -> str:
    """The result as Markdown."""
    lines = [
        "# Drafter coverage on the shared Xiong'an call notices", "",
        f"{res['call_notices']} call notices (catalogue kind), {res['programmes']} programmes, {res['notices_with_conditions']} with condition "
        f"clauses. Condition clauses: {res['condition_clauses']}; turned into rules: {res['mapped_clauses']} "
        f"(**{res['mapped_share']:.0%}**), left as reminders (需自行确认): {res['reminder_clauses']}.", "",
        f"Rules kept after validation: {res['rules']} ({res['uncertain_rules']} marked uncertain — never "
        f"ineligible), dropped by the validator: {res['dropped_rules']}; quotes verbatim: "
        f"{res['quote_verbatim_rate']:.0%}.", "",
        "## Rules by condition", "", "| condition | rules |", "|---|---:|",
        *[f"| {k} | {v} |" for k, v in res["rules_by_condition"].items()], "",
        "## Per notice", "", "| notice | region | clauses | → rules | reminders | rules | uncertain |",
        "|---|---|---:|---:|---:|---:|---:|",
    ]
    for r in res["notices"]:
        lines.append(f"| {r['file'][:60]} | {r['region'] or '—'} | {r.get('clauses', 0)} | {r.get('mapped', 0)} | "
                     f"{r.get('reminders', 0)} | {r.get('rules', 0)} | {r.get('uncertain', 0)} |")
    return "\n".join(lines) + "\n"


def main(argv: list[str]) -> int:
    """Run, print the summary and write the results."""
    corpus = Path(argv[1]) if len(argv) > 1 else DEFAULT_CORPUS
    parsed = parse_corpus(corpus)
    res = run(corpus, parsed)
    policy = run(corpus, parsed, kinds=("policy",))
    res["policy"] = {k: v for k, v in policy.items() if k != "notices"}
    md = to_markdown(res).replace("## Rules by condition", (
        f"Policies (catalogue kind `policy`, drafted too: each measure \"对…的，给予…\" a programme): "
        f"{policy['call_notices']} notices, {policy['programmes']} programmes, {policy['condition_clauses']} "
        f"condition clauses, {policy['mapped_share']:.0%} turned into rules, quotes verbatim "
        f"{policy['quote_verbatim_rate']:.0%}.\n\n## Rules by condition"), 1)
    print(md.split("## Per notice")[0])
    RESULTS.mkdir(parents=True, exist_ok=True)
    (RESULTS / "drafter_coverage.json").write_text(json.dumps(res, ensure_ascii=False, indent=2) + "\n",
                                                   encoding="utf-8")
    (RESULTS / "drafter_coverage.md").write_text(md, encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
