"""shenbao's match beside the public peer's report, on the same company record and the shared Xiong'an notices.

The peer (Jarvanen/policy_application, files copied unchanged into ``../shared/peer/``) matched the company
record ``company_xiongan_huaqing.txt`` against 152 Xiong'an notices with a code prefilter and an LLM, in four
tiers: 推荐申报 / 可进一步核实 / 暂不符合 / 不适用. shenbao's match (``MatchService``, deterministic rules) is
put in the same tiers per notice (file): the best verdict over the notice's programmes — eligible → 推荐申报,
needs_info or unchecked → 可进一步核实, ineligible (every programme) → 暂不符合; a notice that is neither a call
nor a policy (a list, an event, a consultation) → 不适用.

For every disagreement the notice's own text decides, mechanically, and the quote is shown:

- shenbao rules a notice out: its failing clause (verbatim in the notice file) and the record line that
  contradicts it → the text supports shenbao;
- the peer rules a notice out because the record does not show something (“企业信息未显示：…”, “未提供”,
  “极大概率不满足” …): the clause requiring it is quoted; the record is silent on it, so the text supports
  “needs information” — shenbao's reading — not “does not qualify”;
- the peer rules out on the founding date (“成立…年限不足”, “注册不满N年”): if the notice text holds a
  “注册/成立满N年 / N年以上” clause that the record's 成立日期 contradicts, the text supports the peer (quoted);
- the peer calls a notice 不适用 because its latest date has passed: if the notice text states that date as
  a deadline or a validity end (有效期至 / 截止 / 执行至 …) before the day compared, the text supports the peer;
- anything else (an industry-direction judgement, a free-text argument) is left ``undecided`` for a person,
  with the notice's condition clauses quoted where shenbao read any.

The match is run on the day the peer's report was made (read from its reasons, “当前日期为…”), so both sides
see the same calls open; a call closed that day is 不适用 on both sides (shenbao lists it apart as 往期).

Run: ``PYTHONPATH=. python benchmarks/peer_compare.py [--date YYYY-MM-DD]`` → writes
``benchmarks/results/peer_compare.{json,md}``.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import re
import sys
import tempfile
from collections import Counter
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _common import RESULTS
from _match_world import ROOT, XIONGAN, build

PEER = ROOT.parent / "shared" / "peer"
RECORD = XIONGAN / "company_xiongan_huaqing.txt"
TIERS = ("推荐申报", "可进一步核实", "暂不符合", "不适用")
TIER_OF = {"eligible": "推荐申报", "needs_info": "可进一步核实", "unchecked": "可进一步核实", "ineligible": "暂不符合"}
BEST = ("eligible", "needs_info", "unchecked", "ineligible")
# the peer's reasons that rest on what the record does not say (unknown read as false, or guessed)
MISSING_AS_FALSE = re.compile(r"未显示|未提供|无法提供|未获得|极大概率|极不可能|大概率|缺乏|未识别|未在输入中")
DURATION_CLAIM = re.compile(r"(成立|注册)[^。；]{0,20}(不满|不足|年限不足|过短)|年限不足|注册不满")
DURATION_CLAUSE = re.compile(
    r"(注册|成立|经营)[^。；，]{0,12}?(?<!不)(满|超过)?\s*([一二两三四五六七八九十\d]+)\s*(个)?(年|周年)(以上|及以上)?")
PEER_LATEST = re.compile(r"最晚日期为(\d{4})-(\d{2})-(\d{2})")
VALIDITY_CUE = re.compile(r"有效期|截止|截至|执行至|实施至|执行期|期限|前|至")
PEER_DAY = re.compile(r"当前日期为(\d{4}-\d{2}-\d{2})")
_CN = {"一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9, "十": 10}
_MD = re.compile(r"[*_`#>|\s]")


def _squash(text: str) -> str:
    return _MD.sub("", text)


def _sentences(text: str) -> list[str]:
    return [s.strip() for s in re.split(r"(?<=[。；;！？\n])", text) if s.strip()]


def _verbatim(quote: str, text: str) -> bool:
    return bool(quote) and _squash(quote) in _squash(text)


def _peer_rows() -> dict[str, dict[str, Any]]:
    rows = {}
    with (PEER / "company_xiongan_huaqing_match_results.jsonl").open(encoding="utf-8") as fh:
        for line in fh:
            if line.strip():
                r = json.loads(line)
                rows[str(r["policy_id"])] = r
    return rows


def _peer_reason(p: dict[str, Any]) -> str:
    return "；".join([*(p.get("failed_conditions") or []), p.get("reason") or ""])


def _missing_terms(reason: str) -> list[str]:
    """The things the peer says the record does not show (“企业信息未显示：专精特新、小巨人”)."""
    m = re.search(r"未显示[：:]([^。；]+)", reason)
    return [t.strip() for t in re.split(r"[、，,]", m.group(1)) if t.strip()] if m else []


def _clause_for(terms: list[str], text: str, title: str) -> str | None:
    """The first body sentence of the notice naming one of the terms (the clause requiring it)."""
    from assistant.drafting.clauses import load_lexicon

    cue = re.compile(load_lexicon()["condition_cue"])
    found = [s for s in _sentences(text) if not s.startswith("#") and _squash(title) not in _squash(s)
             and len(s) <= 300 and any(t in s for t in terms)]  # a heading or the title line is not a clause
    return next((s for s in found if cue.search(s)), found[0] if found else None)


def peer_day(rows: dict[str, dict[str, Any]]) -> str | None:
    """The day the peer's report was made (its reasons say “当前日期为…”)."""
    days = Counter(m.group(1) for r in rows.values() for m in PEER_DAY.finditer(_peer_reason(r)))
    return days.most_common(1)[0][0] if days else None


def _years(word: str) -> int | None:
    return int(word) if word.isdigit() else _CN.get(word)


def _duration_clause(text: str, founded: dt.date, as_of: dt.date) -> tuple[str, bool] | None:
    """A “注册/成立满N年 / N年以上” sentence, and whether the founding date contradicts it on ``as_of``."""
    met: str | None = None
    for s in _sentences(text):
        for m in DURATION_CLAUSE.finditer(s):
            n = _years(m.group(3))
            if not n or not (m.group(2) or m.group(6)):
                continue
            try:
                due = founded.replace(year=founded.year + n)
            except ValueError:
                due = founded.replace(year=founded.year + n, day=28)
            if len(s) > 300:
                continue
            if due > as_of:
                return s, True
            met = met or s
    return (met, False) if met else None


def _shenbao_tier(rows: list[Any]) -> tuple[str, str]:
    """The notice's tier in the peer's words, and shenbao's verdict (``往期:`` for calls closed that day)."""
    if not rows:
        return "不适用", ""
    best = min(rows, key=lambda r: BEST.index(r.verdict))
    if all(r.group == "closed" for r in rows):  # listed apart: 往期，可关注下一批
        return "不适用", f"往期:{best.verdict}"
    return TIER_OF[best.verdict], best.verdict


def _judge(peer_tier: str, peer: dict[str, Any], rows: list[Any], kind: str, text: str, founded: dt.date,
           as_of: dt.date, title: str) -> dict[str, Any]:
    """Which side the notice's text supports, with the quote."""
    reason = _peer_reason(peer)
    duration_met = ""
    latest = PEER_LATEST.search(reason)
    if peer_tier == "不适用" and latest:
        y, m, d = (int(x) for x in latest.groups())
        when = f"{y}年{m}月{d}日"
        said = next((x for x in _sentences(text) if when in x.replace(" ", "") and VALIDITY_CUE.search(x)
                     and len(x) <= 300), None)
        if said and dt.date(y, m, d) < as_of:
            return {"supports": "peer", "quote": said, "section": "", "verbatim": True,
                    "why": f"通知载明的期限 {when} 在 {as_of} 前已过（shenbao 的公告目录没有把它读作申报期限或有效期）"}
    failing = [(r, c) for r in rows if r.verdict == "ineligible" for c in r.failing]
    if failing and all(r.verdict == "ineligible" for r in rows):
        _, c = failing[0]
        facts = "；".join(f"{f['label']}={f['value']}（{f['source']}）" for f in c.facts)
        return {"supports": "shenbao", "quote": c.quote, "section": c.section, "verbatim": _verbatim(c.quote, text),
                "why": f"记录所载事实与该条款矛盾：{facts}"}
    if peer_tier == "暂不符合" and DURATION_CLAIM.search(reason):
        found = _duration_clause(text, founded, as_of)
        if found and found[1]:
            return {"supports": "peer", "quote": found[0], "section": "", "verbatim": True,
                    "why": f"成立日期 {founded} 到 {as_of} 不满该条款要求的年限（shenbao 未读出该条规则）"}
        if found:
            duration_met = f"；该条年限要求到 {as_of} 已满足：“{found[0]}”"
    if peer_tier in ("暂不符合", "不适用") and MISSING_AS_FALSE.search(reason):
        unknown = [c for r in rows if r.verdict == "needs_info" for c in r.conditions
                   if c.status == "unknown" and c.kind == "hard"]
        terms = _missing_terms(reason)
        quote = _clause_for(terms, text, title) if terms else None
        section = ""
        if quote is None and unknown:
            quote, section = unknown[0].quote, unknown[0].section
        if quote:
            return {"supports": "shenbao", "quote": quote, "section": section, "verbatim": _verbatim(quote, text),
                    "why": "条款要求的事实企业记录未载明：应为“需补充信息”，不能当作不符合"
                           + (f"（同行：{'、'.join(terms)} 未显示）" if terms else "") + duration_met}
    if peer_tier == "推荐申报" and rows:
        unknown = [c for r in rows for c in r.conditions if c.status == "unknown" and c.kind == "hard"]
        if unknown:
            c = unknown[0]
            return {"supports": "shenbao", "quote": c.quote, "section": c.section, "verbatim": _verbatim(c.quote, text),
                    "why": "条款要求的事实企业记录未载明，尚不能判定为符合"}
    conditions = [c for r in rows for c in r.conditions if c.kind == "hard"]
    c0 = conditions[0] if conditions else None
    return {"supports": "undecided", "quote": c0.quote if c0 else "", "section": c0.section if c0 else "",
            "verbatim": _verbatim(c0.quote, text) if c0 else False,
            "why": f"同行理由（{reason[:80]}）不是记录与条款的直接矛盾，也不是缺失信息；需人工判断"
                   + (f"；shenbao 分类为 {kind}" if not rows else "") + duration_met}


def run(day: str | None) -> dict[str, Any]:
    """Match the record and line it up with the peer's tiers."""
    from assistant.eligibility import EligibilityChecker
    from assistant.eligibility.rules import RULES_DIR, load_rules
    from assistant.matching import MatchService, read_profile_file

    peers = _peer_rows()
    day = day or peer_day(peers)  # judge on the day the peer did: which calls were open then
    with tempfile.TemporaryDirectory() as tmp:
        world = build(Path(tmp), XIONGAN)
        service = MatchService(registry=world.registry,
                               checker=EligibilityChecker(load_rules(RULES_DIR, world.rules_dir)))
        profile = read_profile_file(RECORD)
        report = service.run(profile, today=day)
    founded = profile.profile.registered_date
    assert isinstance(founded, dt.date)
    by_file: dict[str, list[Any]] = {}
    for r in report.rows:
        by_file.setdefault(r.file, []).append(r)
    files = {p.name[:3]: p for p in XIONGAN.glob("*.md") if p.name[:3].isdigit()}
    kinds = {r.file: r.kind for r in world.registry.notices(False)}
    out: list[dict[str, Any]] = []
    as_of = dt.date.fromisoformat(report.date)
    for pid, peer in sorted(peers.items()):
        path = files.get(pid)
        if path is None:
            out.append({"policy_id": pid, "title": peer["title"], "peer": peer["match_level"], "shenbao": None,
                        "agree": None, "note": "不在共享语料中（同行 152 篇，共享 137 篇）"})
            continue
        rows = by_file.get(path.name, [])
        tier, verdict = _shenbao_tier(rows)
        entry: dict[str, Any] = {
            "policy_id": pid, "title": peer["title"], "file": path.name, "kind": kinds.get(path.name),
            "peer": peer["match_level"], "peer_reason": _peer_reason(peer)[:200], "shenbao": tier,
            "shenbao_verdict": verdict, "agree": tier == peer["match_level"],
            "programmes": [{"programme": r.programme_name, "verdict": r.verdict, "status": r.status_label,
                            "rules": r.rules, "missing": [m.label for m in r.missing]} for r in rows],
        }
        if not entry["agree"]:
            text = path.read_text(encoding="utf-8")
            entry["judgement"] = _judge(peer["match_level"], peer, rows, str(kinds.get(path.name)), text, founded,
                                        as_of, peer["title"])
        out.append(entry)
    compared = [e for e in out if e["agree"] is not None]
    disagreements = [e for e in compared if not e["agree"]]
    sides = Counter(e["judgement"]["supports"] for e in disagreements)
    return {
        "date": report.date, "record": RECORD.name, "peer_notices": len(out), "compared": len(compared),
        "agreements": sum(bool(e["agree"]) for e in compared), "disagreements": len(disagreements),
        "text_supports": {"shenbao": sides.get("shenbao", 0), "peer": sides.get("peer", 0),
                          "undecided": sides.get("undecided", 0)},
        "quotes_verbatim": sum(bool(e["judgement"].get("verbatim")) for e in disagreements
                               if e["judgement"]["quote"]),
        "quotes": sum(bool(e["judgement"]["quote"]) for e in disagreements),
        "tiers": {"peer": Counter(e["peer"] for e in compared), "shenbao": Counter(e["shenbao"] for e in compared)},
        "rows": out,
    }


def _md(result: dict[str, Any]) -> str:
    s = result["text_supports"]
    lines = [
        "# shenbao's match beside the peer's report (company_xiongan_huaqing)", "",
        f"Record `{result['record']}`, day {result['date']}. The peer's report covers {result['peer_notices']} "
        f"notices; {result['compared']} of them are in the shared corpus and compared here.", "",
        f"- **agreements: {result['agreements']}** of {result['compared']}",
        f"- disagreements: {result['disagreements']} — the notice's text supports **shenbao in {s['shenbao']}**, "
        f"the peer in {s['peer']}, undecided (needs a person) {s['undecided']}",
        f"- quotes given: {result['quotes']}, found verbatim in the notice file: {result['quotes_verbatim']}",
        f"- tiers, peer: {dict(result['tiers']['peer'])}; shenbao: {dict(result['tiers']['shenbao'])}", "",
        "Tiers: shenbao's best verdict over a notice's programmes — eligible → 推荐申报, needs_info/unchecked → "
        "可进一步核实, ineligible → 暂不符合; calls closed on the day (往期) and lists, events, consultations → 不适用. How a disagreement is "
        "decided: see `benchmarks/peer_compare.py`.", "",
        "| ID | 通知 | 同行 | 申报助手 | 一致 | 原文支持 | 依据（原文） | 说明 |",
        "| --- | --- | --- | --- | --- | --- | --- | --- |",
    ]
    for e in result["rows"]:
        if e["agree"] is None:
            lines.append(f"| {e['policy_id']} | {_cell(e['title'])} | {e['peer']} | — | — | — | — | {e['note']} |")
            continue
        j = e.get("judgement") or {}
        side = {"shenbao": "申报助手", "peer": "同行", "undecided": "待人工"}.get(j.get("supports", ""), "")
        detail = e["shenbao"] + (f"（{e['shenbao_verdict']}）" if e["shenbao_verdict"] else f"（{e['kind']}）")
        quote = f"{j.get('section', '')}“{j.get('quote', '')}”" if j.get("quote") else ""
        lines.append(f"| {e['policy_id']} | {_cell(e['title'])} | {e['peer']} | {detail} | "
                     f"{'是' if e['agree'] else '否'} | {side} | {_cell(quote)} | {_cell(j.get('why', ''))} |")
    return "\n".join(lines) + "\n"


def _cell(text: Any) -> str:
    return " ".join(str(text).replace("|", "｜").split())[:300]


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--date", default=None, help="the day asked (default: the day of the peer's report)")
    args = ap.parse_args()
    result = run(args.date)
    RESULTS.mkdir(parents=True, exist_ok=True)
    (RESULTS / "peer_compare.json").write_text(json.dumps(result, ensure_ascii=False, indent=2) + "\n",
                                               encoding="utf-8")
    (RESULTS / "peer_compare.md").write_text(_md(result), encoding="utf-8")
    print(json.dumps({k: v for k, v in result.items() if k != "rows"}, ensure_ascii=False, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
