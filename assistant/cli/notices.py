"""``shenbao notices [PATH…] [--json] [--open] [--region R] [--kind K] [--date YYYY-MM-DD]``.

The catalogue of the index (or, with paths, of those files read without indexing them): each notice's
title, issuer, 文号, date, kind, deadlines with the status on the day asked, contacts and programmes.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import sys
from pathlib import Path
from typing import Any

KIND_LABELS = {"call": "申报通知", "policy": "政策措施", "list": "名单公示", "event": "活动培训",
               "consultation": "征求意见", "other": "其他"}


def register(sub: Any) -> None:
    """Add the ``notices`` subcommand."""
    p = sub.add_parser("notices", help="公告目录：标题、发文单位、截止时间与申报状态",
                       description="列出已导入公告的目录（自动从原文读取，notices.yaml 仅作更正）；"
                                   "给出文件或目录时只读取这些文件、不建索引。")
    p.add_argument("paths", nargs="*", type=Path, help="只编目这些公告文件或目录（不导入索引）")
    p.add_argument("--json", action="store_true", help="输出 JSON 记录列表（含附件文档）")
    p.add_argument("--open", action="store_true", help="只列申报中的公告")
    p.add_argument("--region", help="只列该地区的公告，如 雄安新区")
    p.add_argument("--kind", choices=sorted(KIND_LABELS), help="只列该类公告")
    p.add_argument("--date", help="按此日期计算申报状态（YYYY-MM-DD，默认今天）")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    """Print the catalogue; exit 2 when a path cannot be read at all."""
    from assistant.catalogue.registry import NoticeRegistry, catalogue_files
    from assistant.config import get_settings
    from assistant.errors import InputError
    from assistant.index.builder import expand_paths
    from assistant.ingest.catalogue import NoticeCatalogue

    today = dt.date.today()
    if args.date:
        try:
            today = dt.date.fromisoformat(args.date)
        except ValueError:
            raise InputError(f"日期 {args.date!r} 格式不对，请写成 YYYY-MM-DD（如 2025-03-01）。") from None
    if args.paths:
        missing = [str(p) for p in args.paths if not p.exists()]
        if missing:
            raise InputError(f"找不到文件或目录：{'、'.join(missing)}。请检查路径。")
        overrides = NoticeCatalogue.load(get_settings().corpus_dir / "notices.yaml")
        records, failed = catalogue_files(expand_paths(args.paths), overrides)
        for name, why in failed:
            print(f"  [已跳过] {name}：{why}", file=sys.stderr)
        registry = NoticeRegistry(records)
    else:
        registry = NoticeRegistry.load()
        if not registry.records:
            print("索引中还没有公告。请先运行 `shenbao ingest`（或 `shenbao ingest 公告目录`）。", file=sys.stderr)
            return 2
    shown = registry.filter(open_only=args.open, region=args.region, kind=args.kind, today=today,
                            include_attachments=args.json)
    if args.json:
        print(json.dumps([r.to_json(today) for r in shown], ensure_ascii=False, indent=1))
        return 0
    print(f"公告 {len(shown)} 篇（状态按 {today.isoformat()} 计算）")
    for r in shown:
        st = r.status(today)
        head = f"- 《{r.title}》 [{KIND_LABELS.get(r.kind, r.kind)}] {st.label}"
        print(head)
        meta = " · ".join(x for x in (r.issuer, r.doc_number, r.published, r.region) if x)
        if meta:
            print(f"    {meta}")
        for d in r.deadlines:
            print(f"    截止：{d['date']}{(' ' + d['time']) if d.get('time') else ''} {d.get('what') or ''}".rstrip())
        for c in r.contacts:
            who = " ".join(x for x in (c.get("unit"), c.get("person")) if x)
            print(f"    联系：{who} {'、'.join(c.get('phones') or [])}".rstrip())
        for p in r.programmes:
            print(f"    项目：{p['name']}（{p['id']}）")
        print(f"    id：{r.notice_id}  文件：{r.file}")
    return 0
