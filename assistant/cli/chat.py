"""``shenbao chat``: an interactive conversation in the terminal (follow-ups and facts accumulate)."""

from __future__ import annotations

import argparse
from typing import Any


def register(sub: Any) -> None:
    """Add the ``chat`` subcommand."""
    p = sub.add_parser("chat", help="交互式多轮问答", description="多轮问答：可追问（“那南通的呢？”），补充的信息会累积。")
    p.add_argument("--offline", action="store_true", help="只用离线答案")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    """Read questions until an empty line or EOF."""
    from assistant.answer import AnswerService, Session
    from assistant.cli.ask import print_record
    from assistant.errors import InputError

    service = AnswerService(use_llm=False if args.offline else None)
    session = Session()
    print("申报助手（输入空行或 Ctrl-D 退出，输入“重置”清空对话）")
    while True:
        try:
            q = input("\n问> ").strip()
        except EOFError:
            return 0
        if not q:
            return 0
        if q in {"重置", "/reset"}:
            session.reset()
            print("已清空对话。")
            continue
        try:
            print_record(service.ask(q, session))
        except InputError as exc:
            print(f"错误：{exc}")
