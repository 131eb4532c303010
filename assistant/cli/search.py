"""``shenbao search "…" [--k N] [--json] [--region …]``: ranked clauses for hotline staff."""

from __future__ import annotations

import argparse
import json
import sys
from typing import Any


def register(sub: Any) -> None:
    """Add the ``search`` subcommand."""
    p = sub.add_parser("search", help="检索公告条款（原文、出处、章节）",
                       description="混合检索（BM25 + 向量）公告条款，按相关度排序。不给查询词时进入交互模式。")
    p.add_argument("query", nargs="?", help="查询词或问题")
    p.add_argument("--k", type=int, default=5, help="返回条数（默认 5）")
    p.add_argument("--json", action="store_true", help="输出 JSON（字段 id, notice, section, text, score）")
    p.add_argument("--region", help="只看该地区的公告（地区名见 shenbao notices）")
    p.add_argument("--year", type=int, help="只看该年度的公告")
    p.add_argument("--programme", help="只看该项目（项目 id，见 shenbao check --list）")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    """Search once, or interactively when no query was given."""
    from assistant.answer.service import clean_question
    from assistant.errors import InputError
    from assistant.index import HybridRetriever, RetrievalFilters, cached_index

    if args.k < 1 or args.k > 100:
        raise InputError(f"--k 必须在 1 到 100 之间，收到 {args.k}。")
    # the same cleaning as questions (control characters, undecodable bytes, length), before the index loads
    query = None if args.query is None else clean_question(args.query)
    filters = RetrievalFilters(region=args.region, year=args.year, programme=args.programme)
    retriever = HybridRetriever(cached_index())
    if query is None:
        print("条款检索（输入空行或 Ctrl-D 退出）")
        while True:
            try:
                q = input("检索> ").strip()
            except EOFError:
                return 0
            if not q:
                return 0
            try:
                _print(retriever.run(clean_question(q), k=args.k, filters=filters), as_json=args.json)
            except InputError as exc:
                print(f"错误：{exc}")
    _print(retriever.run(query, k=args.k, filters=filters), as_json=args.json)
    return 0


def _print(results: list[Any], as_json: bool) -> None:
    if as_json:
        json.dump([r.to_json() for r in results], sys.stdout, ensure_ascii=False, indent=2)
        print()
        return
    if not results:
        print("现有公告中未找到相关条款。")
        return
    for n, r in enumerate(results, 1):
        print(f"{n}. 《{r.chunk.title}》 {r.chunk.section}  (score {r.score:.4f})")
        print(f"   {r.chunk.text}")
        print()
