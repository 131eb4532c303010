"""``shenbao ask "问题" [--json]``: one cited answer."""

from __future__ import annotations

import argparse
import json
import sys
from typing import Any


def register(sub: Any) -> None:
    """Add the ``ask`` subcommand."""
    p = sub.add_parser("ask", help="提问：给出简明回答并引用公告原文",
                       description="回答关于申报通知的问题：先给结论，再引用所依据的条款原文；资格问题由规则校验判定。")
    p.add_argument("question", help="问题，如“最高资助多少？”“截止了吗？”“我们是2023年注册的企业，能申报吗？”")
    p.add_argument("--json", action="store_true", help="输出结果记录 JSON（answer, citations, contexts, verdict …）")
    p.add_argument("--offline", action="store_true", help="即使配置了模型也只用离线答案")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    """Answer and print."""
    from assistant.answer import AnswerService

    record = AnswerService(use_llm=False if args.offline else None).ask(args.question)
    if args.json:
        json.dump(record.to_json(), sys.stdout, ensure_ascii=False, indent=2)
        print()
    else:
        print_record(record)
    return 0


def print_record(record: Any) -> None:
    """Human-readable answer with its notices and citations."""
    for n in record.notices:
        print(f"【提示】{n}")
    print(record.answer)
    mode = "离线" if record.mode == "offline" else record.mode
    print(f"\n（{mode}，{record.latency_ms:.0f} ms）")
