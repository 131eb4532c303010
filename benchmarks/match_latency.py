"""Match latency and the company-record promises, over the 4 seeds + all 137 shared Xiong'an notices.

The notices are catalogued and their rules drafted as ingest + ``shenbao rules draft`` would (no embedding:
the match reads no vector; see ``_match_world.py``). Then the shared company record
(``../shared/corpus-xiongan/company_xiongan_huaqing.txt``) is read and matched: once cold (rules loaded and
the checker built inside the timing), then ``--runs`` times warm. Checked on the same run:

- every ``ineligible`` row cites a clause (verbatim quote, section) and at least one fact the record states,
  with the record line — 0 rulings from missing facts (``demoted`` counts any the service had to refuse);
- every ``needs_info`` row names its facts (each with a question).

Run: ``PYTHONPATH=. python benchmarks/match_latency.py [--runs 20] [--date 2026-04-30]`` → prints a summary
and writes ``benchmarks/results/match_latency.{json,md}``. Exit 1 when the 2 s budget or a promise fails.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _common import RESULTS, machine, pct
from _match_world import ROOT, XIONGAN, build

RECORD = XIONGAN / "company_xiongan_huaqing.txt"
BUDGET_MS = 2000.0


def promises(report: Any) -> dict[str, Any]:
    """The company-record checks: ineligible rows rest on stated facts, needs_info rows name their facts."""
    bad_ineligible, bad_needs = [], []
    for r in report.rows:
        if r.verdict == "ineligible":
            ok = bool(r.failing) and all(c.quote and c.section and c.facts and all(
                f["source"].startswith(("企业信息", "企业信息记录")) for f in c.facts) for c in r.failing)
            if not ok:
                bad_ineligible.append(r.programme_id)
        if r.verdict == "needs_info" and (not r.missing or not all(m.question and m.fact for m in r.missing)):
            bad_needs.append(r.programme_id)
    verdicts: dict[str, int] = {}
    for r in report.rows:
        verdicts[r.verdict] = verdicts.get(r.verdict, 0) + 1
    return {"rows": len(report.rows), "verdicts": verdicts, "demoted": report.demoted,
            "ineligible_without_stated_fact": bad_ineligible, "needs_info_without_facts": bad_needs}


def run(runs: int, day: str | None) -> dict[str, Any]:
    """Build the world, time the match cold and warm, check the promises."""
    from assistant.eligibility import EligibilityChecker
    from assistant.eligibility.rules import RULES_DIR, load_rules
    from assistant.matching import MatchService, read_profile_file

    with tempfile.TemporaryDirectory() as tmp:
        t0 = time.perf_counter()
        world = build(Path(tmp))
        setup_s = time.perf_counter() - t0
        profile = read_profile_file(RECORD)
        load_rules.cache_clear()
        t0 = time.perf_counter()
        service = MatchService(registry=world.registry,
                               checker=EligibilityChecker(load_rules(RULES_DIR, world.rules_dir)))
        report = service.run(profile, today=day)
        cold_ms = (time.perf_counter() - t0) * 1000
        warm: list[float] = []
        for _ in range(runs):
            t0 = time.perf_counter()
            report = service.run(read_profile_file(RECORD), today=day)
            warm.append((time.perf_counter() - t0) * 1000)
        calls = [r for r in world.registry.notices(False) if r.kind == "call"]
        return {
            "notices_files": len(world.files), "records": len(world.registry.records), "call_notices": len(calls),
            "programmes_ruled": len(report.rows), "rule_programmes": len(service.checker.rules.programmes),
            "setup_s": round(setup_s, 1), "cold_ms": round(cold_ms, 1),
            "warm_ms": {"runs": runs, "p50": round(pct(warm, 50) or 0, 1), "p95": round(pct(warm, 95) or 0, 1),
                        "max": round(max(warm), 1)},
            "date": report.date, "record": str(RECORD.relative_to(ROOT.parent)),
            "promises": promises(report), "counts": report.counts(),
        }


def run_index(data_dir: Path, runs: int, day: str | None) -> dict[str, Any]:
    """The production path on a real index (a copy of the shared one, rules drafted by ``shenbao rules draft``):
    the catalogue from the snapshot and the rules from its data dir, loaded cold, then warm matches."""
    import os

    from assistant.config import get_settings
    from assistant.matching import MatchService, read_profile_file

    os.environ["SHENBAO_DATA_DIR"] = str(data_dir)
    settings = get_settings()
    t0 = time.perf_counter()
    service = MatchService(settings=settings)
    report = service.run(read_profile_file(RECORD), today=day)
    cold_ms = (time.perf_counter() - t0) * 1000
    warm: list[float] = []
    for _ in range(runs):
        t0 = time.perf_counter()
        report = MatchService(settings=settings, checker=service.checker).run(read_profile_file(RECORD), today=day)
        warm.append((time.perf_counter() - t0) * 1000)
    return {"data_dir": str(data_dir), "records": len(service.registry.records),
            "rule_programmes": len(service.checker.rules.programmes), "programmes_ruled": len(report.rows),
            "cold_ms": round(cold_ms, 1),
            "warm_ms": {"runs": runs, "p50": round(pct(warm, 50) or 0, 1), "p95": round(pct(warm, 95) or 0, 1),
                        "max": round(max(warm), 1)},
            "promises": promises(report)}


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--runs", type=int, default=20)
    ap.add_argument("--date", default=None, help="the day asked (default today)")
    ap.add_argument("--data-dir", type=Path, default=None,
                    help="also measure on a real index (a copy of /work/cache/xa-data after `shenbao rules draft`)")
    args = ap.parse_args()
    result = run(args.runs, args.date)
    if args.data_dir:
        result["index"] = run_index(args.data_dir, args.runs, args.date)
    result["machine"] = machine()
    p = result["promises"]
    ok = (result["warm_ms"]["p95"] <= BUDGET_MS and p["demoted"] == 0 and not p["ineligible_without_stated_fact"]
          and not p["needs_info_without_facts"])
    if "index" in result:
        ip = result["index"]["promises"]
        ok = ok and result["index"]["warm_ms"]["p95"] <= BUDGET_MS and ip["demoted"] == 0 and not (
            ip["ineligible_without_stated_fact"] or ip["needs_info_without_facts"])
    result["pass"] = ok
    RESULTS.mkdir(parents=True, exist_ok=True)
    (RESULTS / "match_latency.json").write_text(json.dumps(result, ensure_ascii=False, indent=2) + "\n",
                                                encoding="utf-8")
    w = result["warm_ms"]
    md = [
        "# Match latency: one profile against the seeds + all shared Xiong'an notices", "",
        f"{result['notices_files']} notice files → {result['records']} catalogue records, {result['call_notices']} "
        f"call notices; {result['programmes_ruled']} programme rows ruled (calls and policies) with "
        f"{result['rule_programmes']} rule programmes (seed rules + drafted rules).", "",
        f"- warm match of the company record ({w['runs']} runs): **p50 {w['p50']} ms, p95 {w['p95']} ms**, max "
        f"{w['max']} ms (budget {BUDGET_MS:.0f} ms) — {'PASS' if ok else 'FAIL'}",
        f"- cold (rule files loaded, checker built, first match): {result['cold_ms']} ms",
        f"- setup outside the timing (catalogue + drafting from the files, cached parse): {result['setup_s']} s",
        "", f"## The company record ({result['record']}, day {result['date']})", "",
        f"- rows by verdict: {p['verdicts']}",
        f"- ineligible rows citing no stated fact: {len(p['ineligible_without_stated_fact'])}; rulings refused "
        f"because their rule read no known fact (demoted): {p['demoted']}",
        f"- needs_info rows naming no fact: {len(p['needs_info_without_facts'])}",
    ]
    if "index" in result:
        ix = result["index"]
        iw, ip = ix["warm_ms"], ix["promises"]
        md += ["", "## On the real index (production path: catalogue from the snapshot, rules from the data dir)", "",
               f"Index `{ix['data_dir']}` (a copy of the shared seeds + Xiong'an index, rules drafted by "
               f"`shenbao rules draft`): {ix['records']} records, {ix['rule_programmes']} rule programmes, "
               f"{ix['programmes_ruled']} rows ruled.", "",
               f"- warm ({iw['runs']} runs): **p50 {iw['p50']} ms, p95 {iw['p95']} ms**, max {iw['max']} ms",
               f"- cold (snapshot read for the catalogue, rule files loaded, first match): {ix['cold_ms']} ms — "
               "paid once per index version (the catalogue is cached by snapshot mtime)",
               f"- rows by verdict: {ip['verdicts']}; ineligible without a stated fact: "
               f"{len(ip['ineligible_without_stated_fact'])}; demoted: {ip['demoted']}; needs_info naming no fact: "
               f"{len(ip['needs_info_without_facts'])}"]
    md += [
        "", f"Machine: {result['machine']['cpu']}, {result['machine']['cores']} cores, load at start "
        f"{result['machine']['load_avg_at_start']}, {result['machine']['date']}.", "",
    ]
    (RESULTS / "match_latency.md").write_text("\n".join(md), encoding="utf-8")
    print(json.dumps({k: v for k, v in result.items() if k != "machine"}, ensure_ascii=False, indent=2))
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
