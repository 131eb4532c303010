"""Scale: the seeds, every shared Xiong'an notice and synthetic notices (≥ 50,000 chunks) through the real
ingest, then the dev questions.

Corpus. The four seed notices and all of ``../shared/corpus-xiongan`` (real distractors: 137 notices of
another body, most of them alike), then synthetic notices written as text files until the target chunk
count: each takes one real *Xiong'an* document's clauses in order under a new title ("{year}年度{city}…",
city from ~50 cities in five provinces, year 2019–2026), with place names and years replaced, every other
number shifted, and a "（{city}适用）" tag so that no distractor clause is byte-identical to a real one.
(``--twins`` also recombines the seed documents: then a seed question that names no city has ~50 perfect
twins of its notice and cannot be routed — the old benchmark's setting, kept for comparison.) Everything
goes through the real ``IndexBuilder`` (reader, ClauseChunker, catalogue, Chroma upsert, BM25 saved at
ingest, snapshot) into a fresh data dir.

Dense vectors (the one shortcut, stated in the output). Nothing is embedded anew: the real clauses' vectors
come from the shared embedding cache (``SHENBAO_EMBED_CACHE``, filled by the shared Xiong'an build), and each
synthetic clause gets the vector of the real clause it was derived from (looked up by its sentence
openings); text it cannot trace is embedded for real (counted).

Measured: ingest seconds, index size, index load (snapshot + saved BM25 + Chroma), peak RSS, warm ask latency
p50/p95 over the dev questions (offline ``AnswerService.ask``), dev evidence@5 / facts / refusals / verdicts
with the distractors loaded against the 4-notice index (built here too), and the same for the Xiong'an dev
set.

Usage: python benchmarks/scale.py [--chunks 50000] [--twins] [--keep DIR]
"""

from __future__ import annotations

import argparse
import os
import random
import re
import shutil
import sys
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
from _common import (
    ROOT,
    SHARED_CACHE,
    dir_size_mb,
    machine,
    machine_md,
    pct,
    peak_rss_mb,
    write_results,
)

CITIES = [
    "南京市", "无锡市", "徐州市", "常州市", "苏州市", "扬州市", "镇江市", "泰州市",
    "宿迁市", "淮安市", "盐城市", "杭州市", "宁波市", "温州市", "嘉兴市", "湖州市",
    "绍兴市", "金华市", "衢州市", "舟山市", "台州市", "丽水市", "合肥市", "芜湖市",
    "蚌埠市", "淮南市", "马鞍山市", "淮北市", "铜陵市", "安庆市", "黄山市", "滁州市",
    "阜阳市", "宿州市", "六安市", "济南市", "青岛市", "淄博市", "枣庄市", "东营市",
    "烟台市", "潍坊市", "济宁市", "泰安市", "威海市", "日照市", "福州市", "厦门市",
    "泉州市", "漳州市",
]
PLACE = re.compile(r"(江苏省|江苏|连云港市|连云港|南通市|南通|赣榆区|海州区|连云区|灌云县|灌南县|东海县"
                   r"|河北雄安新区|雄安新区|雄安|河北省|河北|容城县|容城|雄县|安新县)")
YEAR = re.compile(r"20[12]\d")
NUMBER = re.compile(r"(?<!20[12])\d+")
SENT = re.compile(r"(?<=[。；！？;：:])")
KEY_CHARS = 24


def _key(text: str) -> str:
    return re.sub(r"\s+", "", text)[:KEY_CHARS]


class SyntheticCorpusWriter:
    """Writes synthetic notice files recombining real clauses; remembers which real clause each came from.

    Args:
        seed: the random seed (the corpus is reproducible).
    """

    def __init__(self, seed: int = 7) -> None:
        self.rng = random.Random(seed)
        self.source_of: dict[str, int] = {}  # sentence-opening key → index of the real chunk
        self.chars = 0

    def _mutate(self, text: str, city: str, year: int) -> str:
        text = PLACE.sub(city, text)
        text = YEAR.sub(lambda m: str(year + int(m.group(0)) - 2024), text)
        return NUMBER.sub(lambda m: str(int(m.group(0)) + self.rng.randint(1, 9)), text)

    def run(self, out: Path, docs: Sequence[tuple[str, list[tuple[int, tuple[str, ...], str]]]],
            target_chunks: int, start: int = 0) -> int:
        """Write files (numbered from ``start``) until about ``target_chunks`` source clauses; returns the
        number of files written."""
        n, produced = start, 0
        while produced < target_chunks:
            title, clauses = docs[n % len(docs)]
            city, year = self.rng.choice(CITIES), self.rng.randint(2019, 2026)
            core = PLACE.sub("", re.sub(r"^(关于组织申报|关于)?(\d{4}年度?)?", "", YEAR.sub("", title)))
            lines = [f"{year}年度{city}{core}", ""]
            last: tuple[str, ...] = ()
            for idx, path, text in clauses:
                for depth, head in enumerate(path):
                    if depth < len(last) and last[depth] == head:
                        continue
                    label = re.match(r"^([一二三四五六七八九十]+、|（[一二三四五六七八九十]+）)", head)
                    if label and len(head) > label.end():  # a titled heading, not a bare clause label
                        lines.append(head)
                last = path
                para = self._mutate(text, city, year) + f"（{city}适用）"
                for sent in SENT.split(para):
                    if len(_key(sent)) >= 8:
                        self.source_of.setdefault(_key(sent), idx)
                self.source_of.setdefault(_key(para), idx)
                lines.append(para)
                self.chars += len(para)
            (out / f"zz-synth-{n:05d}.txt").write_text("\n".join(lines) + "\n", encoding="utf-8")
            produced += len(clauses)
            n += 1
        return n - start


def reused_vector_embedder(cache: Path, real_units: list[str], unit_of_chunk: list[int],
                           writer: SyntheticCorpusWriter) -> Any:
    """A CachedEmbedder that gives each synthetic clause its real source's vector (see the docstring).

    Args:
        real_units: the real clauses' embedding texts (``embedding_units``), all in the warm cache.
        unit_of_chunk: for each real chunk, the index of its embedding text.
    """
    from assistant.index.embeddings import CachedEmbedder

    class ReusedVectorEmbedder(CachedEmbedder):
        """Real texts: the (warm) cache; synthetic ones: their source's vector; untraceable: the model."""

        def __init__(self) -> None:
            super().__init__(cache)
            before = self.computed
            self.real = super().embed_passages(real_units)
            self.real_embedded = self.computed - before  # 0 when the shared build filled the cache
            self.real_index = {t: i for i, t in enumerate(real_units)}
            self.reused = 0
            self.untraced = 0

        def embed_passages(self, texts: Sequence[str], progress: Any = None) -> np.ndarray:
            out = np.zeros((len(texts), self.real.shape[1]), dtype=np.float32)
            todo = []
            for i, t in enumerate(texts):
                if t in self.real_index:
                    out[i] = self.real[self.real_index[t]]
                    continue
                body = t.split("：", 1)[1] if "：" in t[:22] else t
                src = writer.source_of.get(_key(body))
                if src is None:
                    for sent in SENT.split(body):
                        src = writer.source_of.get(_key(sent))
                        if src is not None:
                            break
                if src is None:
                    todo.append(i)
                else:
                    out[i] = self.real[unit_of_chunk[src]]
                    self.reused += 1
            if todo:
                vecs = super().embed_passages([texts[i] for i in todo])
                out[todo] = vecs
                self.untraced += len(todo)
            if progress is not None:
                progress(len(texts))
            return out

    return ReusedVectorEmbedder()


def run_dataset(service: Any, items: Sequence[Any], session_cls: Any) -> list[dict[str, Any]]:
    """Ask every item (with its earlier turns) in a fresh session; the result records."""
    records = []
    for it in items:
        session = session_cls()
        for turn in it.turns:
            service.ask(turn, session)
        records.append({"id": it.id, **service.ask(it.question, session).to_json()})
    return records


def profile_slowest(service: Any, items: Sequence[Any], records: Sequence[dict[str, Any]], session_cls: Any,
                    n: int = 5, top: int = 12) -> list[dict[str, Any]]:
    """cProfile the ``n`` slowest questions again; the ``top`` project functions by cumulative time.

    Separate from the timed pass (profiling slows Python code down) — it says where the time goes.
    """
    import cProfile
    import pstats

    slow = sorted(zip(items, records, strict=True), key=lambda p: -float(p[1]["latency_ms"]))[:n]
    prof = cProfile.Profile()
    for it, _ in slow:
        session = session_cls()
        for turn in it.turns:
            service.ask(turn, session)
        prof.runcall(service.ask, it.question, session)
    stats = pstats.Stats(prof)
    rows = []
    for (file, line, func), (_, ncalls, _, cum, _) in stats.stats.items():  # type: ignore[attr-defined]
        if "/assistant/" in file:
            rows.append({"function": f"{file.split('/assistant/')[1]}:{line} {func}", "calls": ncalls,
                         "cumulative_s": round(cum, 2)})
    rows.sort(key=lambda r: -r["cumulative_s"])
    return [{"questions": [it.id for it, _ in slow]}, *rows[:top]]


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--chunks", type=int, default=50_000, help="target total chunks (real + synthetic)")
    ap.add_argument("--dataset", type=Path, default=ROOT / "evals" / "datasets" / "dev.jsonl")
    ap.add_argument("--xiongan", type=Path, default=ROOT.parent / "shared" / "corpus-xiongan")
    ap.add_argument("--xiongan-dataset", type=Path, default=ROOT.parent / "shared" / "eval" / "xiongan-dev.jsonl")
    ap.add_argument("--cache", type=Path, default=Path(os.environ.get("SHENBAO_EMBED_CACHE") or SHARED_CACHE))
    ap.add_argument("--twins", action="store_true", help="also recombine the seed notices (twins of the seeds)")
    ap.add_argument("--keep", type=Path, help="build in this dir and keep it (default: a temp dir, removed)")
    ap.add_argument("--name", default="scale", help="result file name in benchmarks/results/")
    ap.add_argument("--reuse", action="store_true",
                    help="with --keep: measure the index already built there (no generation, no ingest)")
    args = ap.parse_args()

    from assistant.answer import AnswerService, Session
    from assistant.catalogue.registry import parse_and_catalogue
    from assistant.config import Settings
    from assistant.evaluation.dataset import load_dataset
    from assistant.evaluation.metrics import norm, score
    from assistant.index import cached_index, clear_index_cache
    from assistant.index.builder import IndexBuilder, expand_paths
    from assistant.index.clause_index import embedding_units
    from assistant.ingest import NoticeCatalogue

    info = machine()
    work = args.keep or Path(tempfile.mkdtemp(prefix="shenbao-scale-"))
    seeds = work / "seeds"
    corpus = work / "corpus"
    for d in (seeds, corpus):
        d.mkdir(parents=True, exist_ok=True)
    seed_files = expand_paths([ROOT / "corpus"])
    xa_files = expand_paths([args.xiongan]) if args.xiongan.is_dir() else []
    for p in [*seed_files, ROOT / "corpus" / "notices.yaml"]:
        shutil.copy(p, seeds / p.name)
        shutil.copy(p, corpus / p.name)
    for p in xa_files:
        shutil.copy(p, corpus / p.name)

    # the real clauses as ingested, grouped by document, with their cached vectors
    catalogue = NoticeCatalogue.load(corpus / "notices.yaml")
    real_chunks = []
    n_seed_chunks = 0
    for p in [*seed_files, *xa_files]:
        try:
            chunks = parse_and_catalogue(corpus / p.name, catalogue)[1]
        except Exception as exc:  # the ingest skips such a file too
            print(f"skipped {p.name}: {type(exc).__name__}", file=sys.stderr)
            continue
        real_chunks.extend(chunks)
        if p in seed_files:
            n_seed_chunks += len(chunks)
    units, unit_of_chunk = embedding_units(real_chunks)
    docs: dict[str, tuple[str, list[tuple[int, tuple[str, ...], str]]]] = {}
    for i, c in enumerate(real_chunks):
        if i < n_seed_chunks and not args.twins:
            continue
        docs.setdefault(c.doc_id, (c.title, []))[1].append((i, c.section_path, c.text))
    doc_list = [d for d in docs.values() if len(d[1]) >= 3]

    t0 = time.perf_counter()
    writer = SyntheticCorpusWriter()
    data_note = ""
    reuse = bool(args.reuse and args.keep and (work / "data" / "index" / "snapshot.json").exists())
    if reuse:
        synth = sorted(corpus.glob("zz-synth-*.txt"))
        n_files = len(synth)
        writer.chars = sum(len(p.read_text(encoding="utf-8")) for p in synth)
    else:
        # the chunker regroups some clauses (~1.5% fewer chunks than source clauses): aim a little higher
        n_files = writer.run(corpus, doc_list, int((args.chunks - len(real_chunks)) * 1.03))
    gen_s = time.perf_counter() - t0

    env = {"SHENBAO_EMBED_CACHE": str(args.cache)}
    base_settings = Settings.from_env({**env, "SHENBAO_DATA_DIR": str(work / "seed-data"),
                                       "SHENBAO_CORPUS_DIR": str(seeds)})
    settings = Settings.from_env({**env, "SHENBAO_DATA_DIR": str(work / "data"), "SHENBAO_CORPUS_DIR": str(corpus)})
    embedder = reused_vector_embedder(args.cache, units, unit_of_chunk, writer)
    t0 = time.perf_counter()
    if reuse:  # the build of an earlier run of this script, measured again (topped up to the target)
        from assistant.index.store import IndexSnapshot

        have = len(IndexSnapshot.load(work / "data").live_chunks())
        if have < args.chunks:
            # markdown notices re-written as text chunk coarser: ~0.58 chunks per source clause
            more = writer.run(corpus, doc_list, int((args.chunks - have) / 0.55), start=n_files)
            n_files += more
            writer.chars += sum(len(p.read_text(encoding="utf-8")) for p in sorted(corpus.glob("zz-synth-*.txt"))[-more:])
            report = IndexBuilder(settings, embedder=embedder).run()
            data_note = f"topped up with {more} files by an incremental ingest"
        else:
            report = type("Reused", (), {"chunks": have})()
            data_note = "reused"
    else:
        report = IndexBuilder(settings, embedder=embedder).run()
    ingest_s = time.perf_counter() - t0
    rss_ingest = peak_rss_mb()
    size_mb = dir_size_mb(work / "data")
    chroma_mb = dir_size_mb(work / "data" / "chroma")

    items = load_dataset(args.dataset)
    xa_items = load_dataset(args.xiongan_dataset) if args.xiongan_dataset.exists() else []
    corpus_text = "".join(norm(c.text) for c in real_chunks)

    # the 4-notice baseline, same code
    IndexBuilder(base_settings, embedder=embedder).run()
    base = score(items, run_dataset(AnswerService(base_settings, use_llm=False), items, Session), corpus_text, k=5)
    clear_index_cache()

    service = AnswerService(settings, use_llm=False)
    t0 = time.perf_counter()
    cached_index(settings)  # snapshot read + the BM25 saved at ingest + Chroma open
    load_s = time.perf_counter() - t0
    t0 = time.perf_counter()
    service.registry()
    service.routed  # noqa: B018 - the router over the catalogue, built once per index
    catalogue_s = time.perf_counter() - t0
    t0 = time.perf_counter()
    for q in ("申报截止时间是什么时候？", "项目资助金额是多少？", "联系电话是多少？"):
        service.ask(q)  # warm-up: jieba, model, rules
    first_load_s = time.perf_counter() - t0
    service.retriever.index.embedder.cache._mem.clear()  # every measured question pays its query encoding
    records = run_dataset(service, items, Session)
    xa_records = run_dataset(service, xa_items, Session) if xa_items else []
    rss_query = peak_rss_mb()
    lat = [float(r["latency_ms"]) for r in records + xa_records]
    hotspots = profile_slowest(service, items, records, Session)
    m = score(items, records, corpus_text, k=5)
    xm = score(xa_items, xa_records, corpus_text, k=5) if xa_items else None
    real_texts = {c.text for c in real_chunks}
    strict_hits = strict_n = 0
    strict_misses = []
    for it, r in zip(items, records, strict=True):
        if not it.reference_contexts:
            continue
        strict_n += 1
        real_ctx = [norm(c) for c in r["contexts"][:5] if c in real_texts]
        if all(any(norm(q) in c for c in real_ctx) for q in it.reference_contexts):
            strict_hits += 1
        else:
            strict_misses.append(it.id)
    drop = (base["evidence_at_k"] - m["evidence_at_k"]) * 100

    data = {
        "machine": info,
        "method": "real IndexBuilder over the 4 seeds + all shared Xiong'an notices + synthetic notices "
                  f"recombining {'all real' if args.twins else 'the Xiong an'} documents; every vector from the "
                  "shared cache or reused from the real source clause (see script docstring)",
        "target_chunks": args.chunks,
        "chunks": report.chunks,
        "real_chunks": len(real_chunks),
        "seed_chunks": n_seed_chunks,
        "xiongan_files": len(xa_files),
        "synthetic_files": n_files,
        "synthetic_chars": writer.chars,
        "twins_of_seeds": args.twins,
        "generate_seconds": round(gen_s, 1),
        "ingest_seconds": None if reuse else round(ingest_s, 1),
        "reused_build": reuse,
        "ingest_chunks_per_s": None if reuse else round(report.chunks / ingest_s, 1),
        "vectors_reused": embedder.reused,
        "vectors_embedded_for_real": embedder.untraced + embedder.real_embedded,
        "index_size_mb": round(size_mb, 1),
        "chroma_size_mb": round(chroma_mb, 1),
        "peak_rss_mb_after_ingest": round(rss_ingest, 0),
        "peak_rss_mb_after_queries": round(rss_query, 0),
        "index_load_seconds": round(load_s, 2),
        "catalogue_and_router_seconds": round(catalogue_s, 2),
        "first_three_questions_seconds": round(first_load_s, 1),
        "hotspots_of_slowest_questions": hotspots,
        "query_ms": {"p50": pct(lat, 50), "p95": pct(lat, 95), "max": max(lat), "n": len(lat)},
        "dev_evidence_at_5_4_notice_index": base["evidence_at_k"],
        "dev_evidence_at_5_official": m["evidence_at_k"],
        "dev_evidence_at_5_drop_points": round(drop, 1),
        "dev_evidence_at_5_strict_real_clause": strict_hits / strict_n if strict_n else None,
        "dev_strict_misses": strict_misses,
        "dev_fact_recall": m["fact_recall"],
        "dev_fact_recall_4_notice_index": base["fact_recall"],
        "dev_refusal_accuracy": m["refusal_accuracy"],
        "dev_verdict_accuracy": m["verdict_accuracy"],
        "dev_citation_validity_vs_real_notices": m["citation_validity"],
        "xiongan_dev": xm,
    }
    q = data["query_ms"]
    md = "\n".join([
        f"# Scale: {report.chunks:,} chunks", "",
        machine_md(info), "",
        f"Corpus: the 4 seed notices ({n_seed_chunks} chunks) + {len(xa_files)} real Xiong'an notices "
        f"({len(real_chunks) - n_seed_chunks:,} chunks) + {n_files:,} synthetic notices recombining "
        f"{'all real' if args.twins else 'the Xiong’an'} documents under new titles, cities and years "
        f"({writer.chars:,} synthetic characters).", "",
        "| measure | value |", "|---|---|",
        f"| chunks indexed | {report.chunks:,} |",
        (f"| ingest time | not measured as a whole: an earlier run's build, {data_note} ({ingest_s:.0f} s) |"
         if reuse else
         f"| ingest time (real IndexBuilder incl. BM25 build; vectors from the cache / reused) | {ingest_s:.0f} s "
         f"({report.chunks / ingest_s:.0f} chunks/s) |"),
        f"| index size on disk (Chroma + snapshot + BM25) | {size_mb:.0f} MB (Chroma {chroma_mb:.0f} MB) |",
        f"| peak RSS after ingest / after queries | {rss_ingest:.0f} MB / {rss_query:.0f} MB |",
        f"| index load (snapshot + saved BM25 + Chroma) / catalogue + router / first 3 questions | {load_s:.2f} s / "
        f"{catalogue_s:.2f} s / {first_load_s:.1f} s |",
        f"| warm ask latency p50 / p95 / max ({len(lat)} questions: dev + Xiong'an dev, offline `ask`) | "
        f"{q['p50']:.0f} / {q['p95']:.0f} / {q['max']:.0f} ms |",
        f"| dev evidence@5: 4-notice index → this index (drop) | {base['evidence_at_k']:.3f} → "
        f"{m['evidence_at_k']:.3f} ({drop:.1f} points) |",
        f"| dev evidence@5, strict (covered by a real notice clause) | "
        f"{data['dev_evidence_at_5_strict_real_clause']:.3f} |",
        f"| dev fact recall (4-notice → here) / refusal acc. / verdict acc. | {base['fact_recall']:.3f} → "
        f"{m['fact_recall']:.3f} / {m['refusal_accuracy']:.3f} / {m['verdict_accuracy']:.3f} |",
        *([f"| Xiong'an dev here: evidence@5 / facts / refusal acc. / citation validity | "
           f"{xm['evidence_at_k']:.3f} / {xm['fact_recall']:.3f} / {xm['refusal_accuracy']:.3f} / "
           f"{xm['citation_validity']:.3f} |"] if xm else []), "",
        ("Vectors: as built by the earlier run (each synthetic clause reuses its real source clause's cached "
         "e5 vector). " if reuse else
         f"Vectors: {embedder.reused:,} synthetic clauses got their real source clause's cached e5 vector; "
         f"{embedder.untraced:,} untraceable synthetic and {embedder.real_embedded:,} real texts were embedded. ")
        + "Citation validity of the Xiong'an set counts a cited synthetic clause as invalid (it is in no shared "
        "notice file). A distractor is a perfect dense twin of its source; only BM25 and the catalogue see its new title, "
        "city and numbers.", "",
        f"Strict evidence misses: {', '.join(strict_misses) or 'none'}.", "",
        f"Where the slowest questions spend their time (cProfile, {', '.join(hotspots[0]['questions'])}):", "",
        "| function (assistant/…) | calls | cumulative s |", "|---|---|---|",
        *[f"| `{h['function']}` | {h['calls']} | {h['cumulative_s']} |" for h in hotspots[1:]], "",
    ])
    js, mdp = write_results(args.name, data, md)
    print(md)
    print(f"written: {js} {mdp}")
    if not args.keep:
        shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
