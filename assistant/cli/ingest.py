"""``shenbao ingest [PATH...] [--rebuild]``."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any


def register(sub: Any) -> None:
    """Add the ``ingest`` subcommand."""
    p = sub.add_parser("ingest", help="导入公告文件，建立或更新条款索引",
                       description="导入公告（.txt/.md/.pdf/.docx/.html），切分条款并建立索引。未给路径时导入内置 corpus/。")
    p.add_argument("paths", nargs="*", type=Path, help="公告文件或目录")
    p.add_argument("--rebuild", action="store_true", help="忽略旧索引，全部重建（旧索引在完成前仍可查询）")
    p.add_argument("--quiet", action="store_true", help="不显示进度条")
    p.set_defaults(func=run)


def _overrides() -> Any:
    """The override file of the corpus dir (optional; the catalogue is read from the notices themselves)."""
    from assistant.config import get_settings
    from assistant.ingest.catalogue import NoticeCatalogue

    return NoticeCatalogue.load(get_settings().corpus_dir / "notices.yaml")


def run(args: argparse.Namespace) -> int:
    """Ingest and print the summary; exit 2 when every file failed."""
    from tqdm import tqdm

    from assistant.index.builder import IndexBuilder

    bars: dict[str, Any] = {}

    def bar(desc: str, unit: str) -> Any:
        def update(done: int, total: int) -> None:
            if args.quiet:
                return
            if desc not in bars:
                bars[desc] = tqdm(total=total, desc=desc, unit=unit, file=sys.stderr)
            bars[desc].n = done
            bars[desc].refresh()
        return update

    report = IndexBuilder(overrides=_overrides()).run(args.paths or None, rebuild=args.rebuild,
                                                      progress=bar("向量化条款", "条"),
                                                      file_progress=bar("读取公告", "个"))
    for b in bars.values():
        b.close()
    for f in report.files:
        label = {"new": "新增", "changed": "已更新", "unchanged": "未变化", "failed": "已跳过"}[f.status]
        line = f"  [{label}] {f.file}"
        if f.status != "failed":
            line += f"：{f.documents} 篇文档，{f.chunks} 条条款"
        else:
            line += f"：{f.message}"
        print(line)
    for name in report.removed_sources:
        print(f"  [已移除] {name}（已不在公告目录中）")
    print(
        f"公告文档 {report.notices} 篇，申报项目 {report.programmes} 个，条款 {report.chunks} 条"
        f"（最长 {report.max_len} 字，中位数 {report.median_len:.0f} 字），本次向量化 {report.embedded} 段文本（每条条款都有向量），"
        f"用时 {report.seconds:.1f} 秒。"
    )
    for rule in report.drifted_rules:
        print(f"  [规则需复核] {rule}：其引用的条款原文已不在重新导入的公告中。", file=sys.stderr)
    if report.failures:
        print(f"{len(report.failures)} 个文件导入失败，其余文件已导入。", file=sys.stderr)
    ok = [f for f in report.files if f.status != "failed"]
    return 0 if ok or not report.files else 2
