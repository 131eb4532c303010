"""``shenbao rules draft|list|show|review``: eligibility rules drafted from the notices of the current index.

``draft`` drafts (and validates) rules for the notices of the index and stores them as ``draft`` in
``<data_dir>/rules/<notice_id>.yaml``; ``list`` shows the stored notices and counts; ``show`` prints one
notice's rules with their quotes; ``review`` accepts, edits, rejects or adds a rule (who: ``--by``).
"""

from __future__ import annotations

import argparse
import json
import sys
from typing import Any


def register(sub: Any) -> None:
    """Add the ``rules`` subcommand."""
    p = sub.add_parser("rules", help="从公告起草申报条件规则，并列出、查看、审核",
                       description="从当前索引中的公告起草资格规则（草稿），人工审核后生效为已审核规则。")
    rs = p.add_subparsers(dest="rules_command", metavar="ACTION")
    d = rs.add_parser("draft", help="为公告起草规则（草稿）")
    d.add_argument("notices", nargs="*", help="通知 id（缺省：索引中的全部通知）")
    d.add_argument("--json", action="store_true", help="输出 JSON 摘要")
    lst = rs.add_parser("list", help="列出已起草规则的通知")
    lst.add_argument("--json", action="store_true")
    s = rs.add_parser("show", help="查看一个通知的规则")
    s.add_argument("notice")
    s.add_argument("--json", action="store_true")
    r = rs.add_parser("review", help="审核：接受、修改参数、驳回或新增规则")
    r.add_argument("notice")
    r.add_argument("rule", nargs="?", help="规则 id（新增时不填）")
    r.add_argument("--by", required=True, help="审核人")
    g = r.add_mutually_exclusive_group(required=True)
    g.add_argument("--accept", action="store_true", help="按草稿接受")
    g.add_argument("--reject", action="store_true", help="驳回（删除）")
    g.add_argument("--edit-params", metavar="JSON", help='修改参数并接受，如 \'{"threshold": 300}\'')
    g.add_argument("--add", metavar="JSON", help="新增一条规则（须含 id、kind、description、condition、params、reference）")
    r.add_argument("--programme", help="新增规则所属项目 id")
    p.set_defaults(func=run)


def _json_arg(raw: str, what: str) -> Any:
    from assistant.errors import InputError

    try:
        return json.loads(raw)
    except json.JSONDecodeError as exc:
        raise InputError(f"{what} 不是合法的 JSON（{exc.msg}）。") from None


def _store() -> Any:
    from assistant.config import get_settings
    from assistant.drafting.store import DraftRuleStore

    return DraftRuleStore(get_settings().data_dir / "rules")


def run(args: argparse.Namespace) -> int:
    """Dispatch the rules action; exit 0 on success (errors exit 2 at the CLI edge)."""
    from assistant.errors import InputError

    action = getattr(args, "rules_command", None)
    if action == "draft":
        return _draft(args)
    store = _store()
    if action == "list":
        rows = []
        for nid in store.notices():
            data = store.load(nid)
            crits = [c for p in data.get("programmes") or [] for c in p.get("criteria") or []]
            rows.append({"notice_id": nid, "notice": data.get("notice"), "rules": len(crits),
                         "draft": sum(c.get("status") == "draft" for c in crits),
                         "reminders": sum(c.get("kind") == "reminder" for c in crits)})
        if args.json:
            json.dump(rows, sys.stdout, ensure_ascii=False, indent=2)
            print()
        else:
            for row in rows:
                print(f"{row['notice_id']:<40} 规则 {row['rules']} 条（草稿 {row['draft']}，提醒 {row['reminders']}）"
                      f" 《{row['notice']}》")
            if not rows:
                print("还没有起草的规则。可运行 `shenbao rules draft`。")
        return 0
    if action == "show":
        data = store.load(args.notice)
        if args.json:
            json.dump(data, sys.stdout, ensure_ascii=False, indent=2)
            print()
            return 0
        print(f"《{data.get('notice')}》")
        for prog in data.get("programmes") or []:
            print(f"[{prog['id']}] {prog['title']}")
            for c in prog.get("criteria") or []:
                flag = "已审核" if c.get("status") == "reviewed" else ("草稿" if c.get("certain", True) else "草稿·待确认")
                print(f"  {c['id']} {c['kind']} {flag} {c.get('condition') or ''} "
                      f"{json.dumps(c.get('params') or {}, ensure_ascii=False)}")
                print(f"    {c['reference']['section']}：{c['reference']['quote']}")
        return 0
    if action == "review":
        if args.add:
            if not args.programme:
                raise InputError("新增规则须用 --programme 指定项目 id。")
            rule = store.add(args.notice, args.programme, _json_arg(args.add, "--add"), args.by)
        elif not args.rule:
            raise InputError("请给出要审核的规则 id（见 `shenbao rules show NOTICE`）。")
        elif args.accept:
            rule = store.accept(args.notice, args.rule, args.by)
        elif args.reject:
            store.reject(args.notice, args.rule, args.by)
            print(f"已驳回规则 {args.rule}。")
            return 0
        else:
            params = _json_arg(args.edit_params, "--edit-params")
            if not isinstance(params, dict):
                raise InputError("--edit-params 应为 JSON 对象。")
            rule = store.edit(args.notice, args.rule, args.by, params=params)
        print(f"规则 {rule['id']} 已审核（{rule['review']['by']}，{rule['review']['at']}）。")
        return 0
    raise InputError("请指定操作：draft、list、show 或 review（见 `shenbao rules --help`）。")


def _draft(args: argparse.Namespace) -> int:
    from assistant.catalogue.registry import NoticeRegistry
    from assistant.config import get_settings
    from assistant.drafting.auto import CatalogueDraftRunner
    from assistant.drafting.registry import index_programmes
    from assistant.errors import InputError
    from assistant.index.store import IndexSnapshot

    settings = get_settings()
    if not IndexSnapshot.path_in(settings.data_dir).exists():
        raise InputError("还没有索引：请先运行 `shenbao ingest` 收录公告，再起草规则。")
    snapshot = IndexSnapshot.load(settings.data_dir)
    notices = index_programmes(snapshot, NoticeRegistry.load(settings))
    if args.notices:
        wanted = set(args.notices)
        unknown = wanted - {n.notice_id for n in notices}
        if unknown:
            raise InputError(f"目录中没有这些可起草的通知（申报通知或政策）：{'、'.join(sorted(unknown))}。"
                             "可运行 `shenbao notices` 查看通知 id。")
        notices = [n for n in notices if n.notice_id in wanted]
    proposer = _proposer(settings)
    runner = CatalogueDraftRunner(_store(), proposer=proposer)
    summary = [s.to_json() for s in runner.run(notices, force=True) if s.programmes]
    if args.json:
        json.dump(summary, sys.stdout, ensure_ascii=False, indent=2)
        print()
    else:
        for c in summary:
            extra = f"，模型建议采纳 {c['proposed']} 条、剔除 {c['proposals_dropped']} 条" if proposer else ""
            print(f"{c['notice_id']:<40} 项目 {c['programmes']} 个，规则 {c['rules']} 条，提醒 {c['reminders']} 条，"
                  f"校验剔除 {c['dropped']} 条{extra}")
        print(f"共起草 {len(summary)} 个通知（草稿，待人工审核）。")
    return 0


def _proposer(settings: Any) -> Any:
    """The model proposer when a model is configured (drafting stands without it)."""
    if not getattr(settings, "llm_enabled", False):
        return None
    from assistant.drafting.propose import RuleProposer

    return RuleProposer(settings)
