"""The ``shenbao`` command line.

Each subcommand lives in its own module exposing ``register(subparsers)``; heavy imports happen inside
the command functions so ``shenbao --help`` and cold starts stay fast. Errors from ``assistant`` are
turned into Chinese messages here, at the edge: non-zero exit, no traceback.
"""

from __future__ import annotations

import argparse
import importlib
import io
import logging
import os
import sys
from collections.abc import Sequence

from assistant.errors import ShenbaoError
from assistant.logs import configure_logging

# Subcommand modules, in the order ``--help`` lists them.
COMMAND_MODULES = ("ingest", "notices", "search", "ask", "chat", "check", "match", "rules", "eval", "serve",
                   "user", "apikey")

EXIT_USER_ERROR = 2
EXIT_INTERNAL = 1


def build_parser() -> argparse.ArgumentParser:
    """The argument parser with every available subcommand registered."""
    parser = argparse.ArgumentParser(
        prog="shenbao",
        description="申报助手：检索项目申报通知条款、回答问题并引用原文、判定申报资格。",
    )
    parser.add_argument("-v", "--verbose", action="store_true", help="输出调试日志")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    for name in COMMAND_MODULES:
        try:
            module = importlib.import_module(f"assistant.cli.{name}")
        except ModuleNotFoundError as exc:
            if exc.name == f"assistant.cli.{name}":
                continue  # subcommand not built yet
            raise
        module.register(sub)
    return parser



def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the ``shenbao`` console script; returns the exit code."""
    parser = build_parser()
    try:
        args = parser.parse_args(argv)
    except SystemExit as exc:  # argparse already printed its message
        return int(exc.code or 0)
    # JSON lines; the key is masked even if a library were to log it (read here: settings are validated later)
    configure_logging(args.verbose, secrets=[os.environ.get("OPENAI_API_KEY")])
    # chat/search read stdin: bytes that are not UTF-8 (a GBK terminal) become "�" and get a message, not a crash
    if isinstance(sys.stdin, io.TextIOWrapper):
        sys.stdin.reconfigure(errors="replace")
    if not getattr(args, "func", None):
        parser.print_help()
        return EXIT_USER_ERROR
    try:
        return int(args.func(args) or 0)
    except ShenbaoError as exc:
        print(f"错误：{exc}", file=sys.stderr)
        return EXIT_USER_ERROR
    except KeyboardInterrupt:
        print("已中断。", file=sys.stderr)
        return 130
    except BrokenPipeError:
        return 0
    except Exception as exc:  # the edge: never show a traceback to the user
        logging.getLogger("shenbao").debug("internal error", exc_info=True)
        print(f"内部错误（{type(exc).__name__}）：{exc}。请加 -v 重试查看详情，或报告此问题。", file=sys.stderr)
        return EXIT_INTERNAL


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
