"""Dev benchmark of the catalogue field reader: read every notice file in a folder, write the records as JSON.

Usage:
    python benchmarks/catalogue_fields_eval.py [FOLDER] [--out OUT.json] [--table]

FOLDER defaults to ../shared/corpus-xiongan beside the repo. Score the output with
`python3 ../shared/eval/score_catalogue.py ../shared/eval/xiongan-catalogue.jsonl OUT.json`.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from assistant.catalogue import NoticeFieldReader  # noqa: E402
from assistant.ingest import read_notice_file  # noqa: E402

SUFFIXES = (".md", ".html", ".htm", ".txt", ".pdf", ".docx")


def load(path: Path) -> tuple[dict[str, str], list[tuple[str | None, list[str]]]]:
    """(metadata, documents) of one notice file: the 正文 first, then each attachment."""
    parsed, _ = read_notice_file(path)
    docs: list[tuple[str | None, list[str]]] = []
    for part in parsed.parts:
        heading = parsed.title if part.attachment_no == 0 else (part.file_title or part.label)
        docs.append((heading or None, [b.text for b in part.blocks]))
    return parsed.meta, docs


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("folder", nargs="?", default=str(REPO.parent / "shared" / "corpus-xiongan"))
    ap.add_argument("--out", default="catalogue_fields.json")
    ap.add_argument("--table", action="store_true", help="print title/kind/published/deadlines per file")
    args = ap.parse_args()
    reader = NoticeFieldReader()
    files = sorted(f for f in Path(args.folder).iterdir()
                   if f.suffix in SUFFIXES and f.stem not in ("SOURCES", "README"))
    records = []
    read_s = 0.0
    for f in files:
        meta, docs = load(f)
        t0 = time.perf_counter()
        fields = reader.run(f.name, meta, docs)
        read_s += time.perf_counter() - t0
        records.append(fields.to_record())
        if args.table:
            r = fields.to_record()
            dls = " ".join(f"{d['date']}{'@' + d['time'] if d['time'] else ''}" for d in r["deadlines"])
            print(f"{f.name[:3]} {r['kind']:<12} {r['published']} {r['doc_number'] or '-'} | {r['title']} | "
                  f"{r['issuer']} | {r['region']} | {dls}")
    Path(args.out).write_text(json.dumps(records, ensure_ascii=False, indent=1), encoding="utf-8")
    print(f"{len(files)} files, reader {read_s:.2f}s total -> {args.out}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
