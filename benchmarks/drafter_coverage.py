"""Coverage of the RuleDrafter on real notices it was not written for: the shared Xiong'an call notices.

Parse-only (no embedding): every notice file is read with ``parse_notice_file``; notices that invite
applications (``call``) are picked by their title (申报/认定/征集/遴选/推荐/申请/入库/评选 … and not a policy
措施/细则/办法, a list 名单/公示/公布 or an event 培训/活动/会议). Each document of such a file is drafted as one
programme, with the notice's region guessed from its text through the gazetteer. Reported: condition
clauses found, share turned into rules vs left as reminders, rules by condition, rules marked uncertain, and
the verbatim-quote rate.

Run: ``PYTHONPATH=. python benchmarks/drafter_coverage.py [corpus_dir]`` → prints a summary and writes
``benchmarks/results/drafter_coverage.{json,md}``.
"""

from __future__ import annotations

import json
import re
import sys
from collections import Counter
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "benchmarks" / "results"
DEFAULT_CORPUS = ROOT.parent / "shared" / "corpus-xiongan"

CALL_WORDS = re.compile(r"申报|认定|征集|遴选|推荐|申请|入库|评选|评定|报名|组织开展|备案")
NOT_CALL = re.compile(r"措施|细则|办法|名单|公示|公布|培训|活动|会议|研修|解读|印发《|延期|结果|出库")


def is_call(title: str) -> bool:
    """Does a notice title invite applications (rather than publish a policy, a list or an event)?"""
    return bool(CALL_WORDS.search(title)) and not NOT_CALL.search(title)


def notice_region(texts: list[str]) -> str | None:
    """The area a notice addresses (the drafting registry's guess)."""
    from assistant.drafting.registry import guess_notice_region

    return guess_notice_region(texts)


def run(corpus: Path = DEFAULT_CORPUS) -> dict[str, Any]:
    """Draft every document of every call notice in ``corpus`` and count what became rules."""
    from assistant.drafting import DraftValidator, ProgrammeRef, RuleDrafter
    from assistant.ingest import NoticeCatalogue, parse_notice_file

    catalogue = NoticeCatalogue.load(ROOT / "corpus" / "notices.yaml")
    drafter = RuleDrafter()
    rows: list[dict[str, Any]] = []
    by_condition: Counter[str] = Counter()
    totals = Counter[str]()
    for path in sorted(corpus.glob("*.md")):
        docs, chunks = parse_notice_file(path, catalogue)
        if not docs or not is_call(docs[0].title):
            continue
        region = notice_region([c.text for c in chunks[:40]])
        row = Counter[str]()
        for doc in docs:
            doc_chunks = [c for c in chunks if c.doc_id == doc.doc_id]
            if not doc_chunks:
                continue
            year = doc.metadata.get("year")
            ref = ProgrammeRef(doc.doc_id, doc.title, doc.doc_id, region=region, year=int(year) if year else None)
            result = drafter.run(doc_chunks, ref)
            report = DraftValidator(doc_chunks).run(result.to_rule_file(path.name, doc.title))
            kept = report.rule_file["programmes"][0]["criteria"]
            row["clauses"] += len(result.clauses)
            row["mapped"] += result.mapped
            row["reminders"] += result.reminders
            row["rules"] += sum(1 for c in kept if c["kind"] != "reminder")
            row["uncertain"] += sum(1 for c in kept if c["kind"] != "reminder" and not c.get("certain", True))
            row["quotes"] += len(result.criteria)
            row["verbatim"] += sum(DraftValidator(doc_chunks).quote_ok(c["reference"]["quote"])
                                   for c in result.criteria)
            row["dropped"] += len(report.dropped)
            by_condition.update(str(c["condition"]) for c in kept if c["kind"] != "reminder")
        totals.update(row)
        rows.append({"file": path.name, "region": region, **row})
    clauses = totals["clauses"]
    return {
        "corpus": str(corpus), "call_notices": len(rows), "notices_with_conditions": sum(1 for r in rows if r["clauses"]),
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
        f"{res['call_notices']} call notices (by title), {res['notices_with_conditions']} with condition "
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
    res = run(corpus)
    md = to_markdown(res)
    print(md.split("## Per notice")[0])
    RESULTS.mkdir(parents=True, exist_ok=True)
    (RESULTS / "drafter_coverage.json").write_text(json.dumps(res, ensure_ascii=False, indent=2) + "\n",
                                                   encoding="utf-8")
    (RESULTS / "drafter_coverage.md").write_text(md, encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
