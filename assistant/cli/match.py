"""``shenbao match --profile FILE [--json] [--open-only] [--date D] [--markdown|--csv]``.

The applicant (a JSON file of facts, or a company record as business-registry pages print it) against every
programme of every call notice of the index: 符合 / 需补充信息 / 不符合 (with the clause) per programme, with
each notice's status on the day asked; closed calls and long-term policies listed apart.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any


def register(sub: Any) -> None:
    """Add the ``match`` subcommand."""
    p = sub.add_parser("match", help="按申请人信息匹配全部申报项目（能申报哪些项目）",
                       description="用规则逐个判定申请人能否申报公告目录中的每个项目；企业信息可为 JSON 或工商信息文本。")
    p.add_argument("--profile", required=True, metavar="FILE",
                   help="申请人信息文件：JSON 对象（字段见 `shenbao check --help`），或粘贴的企业工商信息文本")
    p.add_argument("--json", action="store_true", help="输出 JSON")
    p.add_argument("--open-only", action="store_true", help="只列出当天仍在申报期内的通知")
    p.add_argument("--date", metavar="YYYY-MM-DD", help="按哪一天判断申报状态（默认今天）")
    fmt = p.add_mutually_exclusive_group()
    fmt.add_argument("--markdown", action="store_true", help="输出 Markdown 报告（供热线人员使用）")
    fmt.add_argument("--csv", action="store_true", help="输出 CSV 表格")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    """Match and print; exit 0 whatever the verdicts (errors exit 2 at the CLI edge)."""
    from assistant.errors import IndexMissingError
    from assistant.matching import MatchService, read_profile_file

    profile = read_profile_file(Path(args.profile))
    service = MatchService()
    if not service.registry.records:
        raise IndexMissingError("还没有公告目录：请先运行 `shenbao ingest` 导入公告，再运行 `shenbao rules draft` 起草规则。")
    report = service.run(profile, today=args.date, open_only=args.open_only)
    if args.json:
        json.dump(report.to_json(), sys.stdout, ensure_ascii=False, indent=2)
        print()
    elif args.markdown:
        sys.stdout.write(report.to_markdown())
    elif args.csv:
        sys.stdout.write(report.to_csv())
    else:
        _print_text(report)
    return 0


def _print_text(report: Any) -> None:
    from assistant.matching.report import GROUP_ORDER, GROUP_TITLES

    print(f"申请人信息（{report.date}）：")
    for f in report.facts:
        print(f"  {f['label']}：{f['value']}    ← {f['source']}")
    for text in report.unused:
        print(f"  （未使用）{text['text'][:40]}：{text['reason']}")
    for g in GROUP_ORDER:
        rows = report.group(g)
        if not rows:
            continue
        print(f"\n== {GROUP_TITLES[g]}（{len(rows)}） ==")
        for r in rows:
            name = r.notice_title if r.programme_name == r.notice_title else f"{r.notice_title} · {r.programme_name}"
            print(f"[{r.verdict_label}] {name}（{r.status_label}；{r.rules_label}）")
            for c in r.failing:
                facts = "、".join(f"{f['label']}={f['value']}" for f in c.facts)
                print(f"    ✗ 《{c.notice}》{c.section}：“{' '.join(c.quote.split())}”（{facts}）")
            for m in r.missing:
                print(f"    ？ {m.question}")
            if r.note and r.verdict != "needs_info":
                print(f"    {r.note}")
    counts = report.counts()
    print("\n合计：" + "；".join(
        f"{GROUP_TITLES[g].split('（')[0]} " + "、".join(f"{k} {v}" for k, v in counts[g].items())
        for g in GROUP_ORDER if g in counts))
