"""``shenbao check --programme ID --facts JSON|@file [--json]`` and ``shenbao check --list``.

The ruling comes from the rules-as-code checker only: 符合 / 不符合 / 需补充信息, each criterion with the
clause it rests on.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

STATUS_MARKS = {"met": "✓", "not_met": "✗", "unknown": "？"}
KIND_TAGS = {"hard": "", "advisory": "（一般要求，非硬性条件）", "reminder": "（提醒）", "sufficient": "（便捷通道）"}


def register(sub: Any) -> None:
    """Add the ``check`` subcommand."""
    p = sub.add_parser("check", help="按公告规则判定申报资格（符合/不符合/需补充信息）",
                       description="用规则（每条对应公告原文）判定申请人能否申报某项目；缺少的信息会列为需补充的问题。")
    p.add_argument("--programme", help="项目 id（见 --list）")
    p.add_argument("--facts", default="{}",
                   help='申请人信息：JSON 对象，或 @文件路径，例如 \'{"entity_type": "企业", "independent_legal_person": true}\'')
    p.add_argument("--json", action="store_true", help="输出 JSON 结果")
    p.add_argument("--list", action="store_true", help="列出所有有申报条件的项目及其 id")
    p.set_defaults(func=run)


def _load_facts(raw: str) -> Any:
    from assistant.errors import InputError

    text = raw
    if raw.startswith("@"):
        path = Path(raw[1:])
        try:
            text = path.read_text(encoding="utf-8")
        except OSError as exc:
            raise InputError(f"无法读取申请人信息文件 {path}：{exc.strerror or exc}。请检查路径。") from None
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        raise InputError(
            f"--facts 不是合法的 JSON（第 {exc.lineno} 行第 {exc.colno} 列：{exc.msg}）。"
            '示例：--facts \'{"entity_type": "企业", "independent_legal_person": true}\'') from None


def run(args: argparse.Namespace) -> int:
    """List programmes, or rule on one; exit 0 whatever the verdict (errors exit 2 at the CLI edge)."""
    from assistant.eligibility import ApplicantProfile, EligibilityChecker
    from assistant.eligibility.checker import default_rules
    from assistant.errors import InputError

    _ensure_drafts()
    if args.list:
        progs = [p.summary() for p in default_rules().programmes.values()]
        for p in progs:
            p["status"] = "draft" if p["draft"] else "reviewed"
        if args.json:
            json.dump(progs, sys.stdout, ensure_ascii=False, indent=2)
            print()
        else:
            for p in progs:
                status = f"草稿（{p['draft']} 条待审核）" if p["draft"] else "已审核"
                print(f"{p['id']:<40} {p['title']}  [{status}]")
                print(f"{'':<40} 《{p['notice']}》 硬性条件 {p['hard']} 条，一般要求 {p['advisory']} 条")
        return 0
    if not args.programme:
        raise InputError("请用 --programme 指定项目 id（可运行 `shenbao check --list` 查看全部项目 id）。")
    profile = ApplicantProfile.from_facts(_load_facts(args.facts))
    result = EligibilityChecker(default_rules()).run(args.programme, profile)
    if args.json:
        json.dump(result.to_json(), sys.stdout, ensure_ascii=False, indent=2)
        print()
        return 0
    _print(result)
    return 0


def _ensure_drafts() -> None:
    """Draft the index's catalogue notices that have no current drafts (every catalogue programme id works)."""
    from assistant.catalogue.registry import NoticeRegistry
    from assistant.config import get_settings
    from assistant.drafting.auto import ensure_drafts
    from assistant.index.store import IndexSnapshot

    settings = get_settings()
    if IndexSnapshot.path_in(settings.data_dir).exists():
        ensure_drafts(settings.data_dir, IndexSnapshot.load(settings.data_dir), NoticeRegistry.load(settings))


def _print(result: Any) -> None:
    from assistant.eligibility.checker import VERDICT_LABELS

    print(f"【{result.programme_title}】 {VERDICT_LABELS[result.verdict]}")
    if result.draft_note:
        print(f"（{result.draft_note}）")
    print(f"依据：《{result.notice}》（由规则校验得出，逐条对应公告原文）")
    for c in result.criteria:
        mark = STATUS_MARKS[c.status] if c.kind != "reminder" or c.status == "not_met" else "·"
        print(f"{mark} {c.description}{KIND_TAGS[c.kind]}  [{c.id}]")
        print(f"    {c.reference.section}：“{c.reference.quote}”")
    if result.questions:
        print("\n请补充以下信息：")
        for n, q in enumerate(result.questions, 1):
            print(f"{n}. {q}")
