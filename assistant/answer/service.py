"""The answering pipeline used by the CLI, the chat page and the evaluation: one path for all three."""

from __future__ import annotations

import logging
import re
import time
import unicodedata
from collections.abc import Iterator, Sequence
from typing import Any

import numpy as np

from assistant.answer.catalogue_facts import CatalogueFactAdder
from assistant.answer.composer import CitedAnswerComposer, context_text
from assistant.answer.coverage import CoverageGate
from assistant.answer.focus import DocumentFocus
from assistant.answer.session import FollowUpResolver, Session
from assistant.answer.verbatim import CitationVerifier
from assistant.config import Settings, get_settings
from assistant.errors import InputError, LLMError, StoreError
from assistant.index import HybridRetriever, cached_index
from assistant.logs import question_for_log
from assistant.models import AnswerRecord, RetrievedClause

log = logging.getLogger("shenbao.answer")

MAX_QUESTION_CHARS = 2000
CONTEXT_K = 8

# "能否申报 / 可以申报吗 / 符合条件吗 / 有资格吗": the question asks for a ruling on an applicant.
_ASKS_RULING = re.compile(
    r"(能否|能不能|可不可以|可否|是否(可以|能)|能|可以|还能|有资格|够格|允许|符合).{0,40}(申报|申请|牵头|参与|报名|报)"
    r"|(申报|申请|牵头|报).{0,30}(吗|(?<![什怎这那多要])么|可以吗|行吗|行不行)|符合.{0,12}(条件|要求).{0,4}(吗|(?<![什怎这那多要])么)|可以吗|行吗"
    r"|(能|可以|可|还能)报|报得了|够不够(条件|格)"
    r"|(能|可以|能否|能不能|还能)(进|入|纳入|享受|拿|领|申领|获得)[^，,。？?]{0,24}(吗|么|(?<![什怎这那多要])么)"
)
# a document that is a blank form to fill in (its title says so): its lines rarely answer a question
_FORM_TITLE = re.compile(r"(申报书|申请书|申请表|申请材料|申报材料|声明|推荐表|汇总表|花名册|承诺书|登记表|信息表|一览表|明细表|统计表|备案表|模板)")
# "能享受…吗 / 能进…吗": a ruling on the applicant, not a detail the notice may leave out
_ASKS_YES_NO_RULING = re.compile(r"(能|可以|可否|能否|能不能|是否能?)(享受|申请|申报|领取|领|拿到|获得|进入?|报|算)")
# a question's sentences: a ruling is asked within one ("几号截止？能申报吗？"), never across a 。/？
_SENTENCE_END = re.compile(r"[？?。！!]+")


# "对…数量有要求吗": a sentence asking what the notice requires, not whether the applicant qualifies
# ("符合要求吗" / "满足规定吗" still ask whether the applicant qualifies)
_ASKS_REQUIREMENT = re.compile(r"(要求|规定|限制)(吗|么)[？?。！!]*$")
_ASKS_MEETING = re.compile(r"(符合|满足|达到|合乎).{0,6}(要求|规定|限制)(吗|么)[？?。！!]*$")


def asks_ruling(question: str, pattern: re.Pattern[str] = _ASKS_RULING) -> bool:
    """Whether some sentence of the question asks for a ruling on the applicant ("能申报吗"): the pattern is
    matched within each sentence, so "申报截止到哪天？有咨询电话吗？" asks none, nor does a sentence asking
    whether the notice has a requirement ("申报…，对报告数量有要求吗？")."""
    return any(pattern.search(part) and (not _ASKS_REQUIREMENT.search(part) or _ASKS_MEETING.search(part))
               for part in _SENTENCE_END.split(question) if part.strip())


_FIRST_PERSON = re.compile(r"(我们|我司|本单位|我单位|本公司|我公司|我院|我校|我是|本人|我)")
# control characters, and lone surrogates (undecodable bytes from a terminal): they cannot be encoded,
# hashed or printed
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff]")


def deciding_order(criterion: Any) -> int:
    """How much a criterion decided a ruling, most first: a failed hard condition or a met fast lane
    ("免申即享") settles it, an unknown hard condition is what is still open, the rest only back it."""
    kind, status = getattr(criterion, "kind", ""), getattr(criterion, "status", "")
    if (status == "not_met" and kind == "hard") or (status == "met" and kind == "sufficient"):
        return 0
    if status == "unknown" and kind == "hard":
        return 1
    return 2


def clean_question(question: Any) -> str:
    """Validated question text: control characters removed, NFKC-normalised spacing, length checked.

    Raises:
        InputError: empty, not text, or longer than 2,000 characters.
    """
    if not isinstance(question, str):
        raise InputError("问题必须是文字。")
    q = _CONTROL.sub("", question).replace("\u3000", " ").strip()
    if not q:
        raise InputError("问题为空，请输入您想咨询的内容，例如“赣榆区的企业能申报吗？”。")
    if len(q) > MAX_QUESTION_CHARS:
        raise InputError(f"问题过长（{len(q)} 字），请精简到 {MAX_QUESTION_CHARS} 字以内后再问。")
    if not any(unicodedata.category(ch)[0] in "LN" for ch in q):
        raise InputError("问题中没有可识别的文字，请用中文描述您的问题。")
    return q


class AnswerService:
    """Routes a question (eligibility → extractor + checker; fact → retrieval + composer; nothing → refusal)
    and, when a model is configured, lets the agent phrase the answer, falling back to the offline one.

    Args:
        settings: read from the environment at first use when omitted.
        retriever: swappable; default the hybrid retriever over the live index.
        composer, gate, extractor, checker, llm: swappable steps.
        use_llm: None = use the model when one is configured.
    """

    def __init__(self, settings: Settings | None = None, retriever: HybridRetriever | None = None,
                 composer: CitedAnswerComposer | None = None, gate: CoverageGate | None = None,
                 extractor: Any = None, checker: Any = None, llm: Any = None,
                 use_llm: bool | None = None) -> None:
        self.settings = settings or get_settings()
        self._retriever = retriever
        self.composer = composer or CitedAnswerComposer()
        self.gate = gate or CoverageGate()
        self.resolver = FollowUpResolver()
        self.catalogue_facts = CatalogueFactAdder()
        self.verifier = CitationVerifier()
        self._extractor = extractor
        self._checker = checker
        self._llm = llm
        self.use_llm = self.settings.llm_enabled if use_llm is None else use_llm

    # lazily built steps (heavy imports and the index load happen at first use)
    @property
    def retriever(self) -> HybridRetriever:
        """The retriever over the live index (reloaded when a re-ingest replaced it)."""
        index = cached_index(self.settings)
        if self._retriever is None or self._retriever.index is not index:
            if self._retriever is not None and self._retriever.index.settings != self.settings:
                return self._retriever  # an injected retriever over another index
            self._retriever = HybridRetriever(index)
        return self._retriever

    @property
    def extractor(self) -> Any:
        """The deterministic fact extractor."""
        if self._extractor is None:
            from assistant.eligibility import FactExtractor

            self._extractor = FactExtractor()
        return self._extractor

    @property
    def checker(self) -> Any:
        """The rules-as-code eligibility checker (seed rules + the index's drafted/reviewed rules)."""
        if self._checker is None or getattr(self, "_checker_for", None) is not None:
            return self._drafted_checker()
        return self._checker

    def _drafted_checker(self) -> Any:
        """The checker over the live index's rules: notices without current drafts are drafted first (once,
        cached in ``<data_dir>/rules``), so a newly ingested notice gets rules without a manual step."""
        from assistant.eligibility import EligibilityChecker
        from assistant.eligibility.checker import default_rules

        index = self.retriever.index
        if getattr(self, "_checker_for", None) is not index or self._checker is None:
            from assistant.drafting.auto import ensure_drafts

            try:
                ensure_drafts(self.settings.data_dir, index.snapshot, self.registry())
            except Exception as exc:  # a read-only data dir or an odd index: rule on what is stored
                log.warning("drafting skipped: %s", type(exc).__name__)
            self._checker = EligibilityChecker(default_rules(self.settings.data_dir))
            self._checker_for = index
        return self._checker

    @property
    def llm(self) -> Any:
        """The tool-calling agent over the configured model."""
        if self._llm is None:
            from assistant.llm import AgentAnswerer

            self._llm = AgentAnswerer(self.settings, service=self)
        return self._llm

    # -- the pipeline ----------------------------------------------------------------------------
    def ask(self, question: str, session: Session | None = None, use_llm: bool | None = None) -> AnswerRecord:
        """Answer one question (in a session for follow-ups), never raising for model failures."""
        t0 = time.perf_counter()
        q = clean_question(question)
        log.debug("question: %s", question_for_log(q, self.settings.log_questions))
        session = session if session is not None else Session()
        with session.lock:
            record = self._ask(q, session, self.use_llm if use_llm is None else use_llm)
            record.latency_ms = (time.perf_counter() - t0) * 1000
            session.history.append((q, record))
        return record

    def ask_stream(self, question: str, session: Session | None = None,
                   use_llm: bool | None = None) -> Iterator[str | AnswerRecord]:
        """Like :meth:`ask`, but in LLM mode yields the model's answer text as it is written (the web page
        streams it), then the record — always last, authoritative, and the one kept in the session.

        Raises:
            InputError: the question is unusable (raised before anything is yielded).
        """
        t0 = time.perf_counter()
        q = clean_question(question)
        log.debug("question: %s", question_for_log(q, self.settings.log_questions))
        session = session if session is not None else Session()
        use = self.use_llm if use_llm is None else use_llm

        def items() -> Iterator[str | AnswerRecord]:
            with session.lock:
                resolved, offline = self._offline_for(q, session)
                record = offline
                if use and not (offline.refused and not offline.contexts):
                    try:
                        agent = self.llm
                    except LLMError as exc:
                        agent = None
                        offline.notices.append(f"模型服务不可用，已改用离线答案（{exc}）。")
                    for item in agent.stream(resolved, session, offline) if agent is not None else ():
                        if isinstance(item, AnswerRecord):
                            record = item
                        else:
                            yield item
                record.latency_ms = (time.perf_counter() - t0) * 1000
                session.history.append((q, record))
            yield record

        return items()

    def _offline_for(self, q: str, session: Session) -> tuple[str, AnswerRecord]:
        """The question with a follow-up resolved, and its offline answer."""
        extracted = self.extractor.run(q)
        resolved = self.resolver.run(q, session.last_question, names_programme=bool(extracted.programme_id))
        if resolved != q:
            log.debug("follow-up resolved")
            extracted = self.extractor.run(resolved)
        return resolved, self.offline(resolved, session, extracted)

    def _ask(self, q: str, session: Session, use_llm: bool) -> AnswerRecord:
        resolved, offline = self._offline_for(q, session)
        if not use_llm or (offline.refused and not offline.contexts):
            return offline
        try:
            return self.llm.run(resolved, session, offline)
        except LLMError as exc:
            offline.notices.append(f"模型服务不可用，已改用离线答案（{exc}）。")
            return offline
        except Exception as exc:  # any failure of the model path falls back, never crashes
            log.warning("LLM path failed: %s", type(exc).__name__)
            offline.notices.append(f"模型回答出错，已改用离线答案（{type(exc).__name__}）。")
            return offline

    def retrieve(self, question: str, k: int = CONTEXT_K) -> list[RetrievedClause]:
        """Clause search (also the agent's ``search_clauses`` tool): the clauses the offline answer would rank
        first — routed, region-sorted and focused exactly as :meth:`offline` does."""
        decision = self.route(question, None)
        return self.ranked_clauses(question, decision)[:k]

    # -- routing (issue 13): one retrieval path for the offline answer, the agent, search and lookup ----------
    @property
    def routed(self) -> Any:
        """The routed retriever over the live index (``assistant.routing.RoutedRetriever``)."""
        from assistant.routing import RoutedRetriever, router_for

        retriever = self.retriever
        return RoutedRetriever(retriever, router_for(retriever.index, self.registry()))

    def route(self, q: str, session: Session | None) -> Any:
        """Which notices the question is about (a follow-up stays on the session's notices); remembered."""
        previous = tuple(session.notices) if session is not None else ()
        last = session.last_question if session is not None else None
        decision = self.routed.router.run(q, previous=previous, previous_question=last)
        if session is not None and decision.notice_ids:
            session.notices = list(decision.notice_ids)
        return decision

    def ranked_clauses(self, q: str, decision: Any, k: int = CONTEXT_K, dense: bool = True,
                       open_lead: bool = True) -> list[RetrievedClause]:
        """Routed retrieval, then the focus step: another city's clause never leads, and among the first few
        a clause holding the asked kind of span (amount, date …) with the question's terms comes first."""
        retrieved = self._with_parts(q, self.routed.run(q, k=k, decision=decision, dense=dense), decision, k)
        focus = self._focus()
        # another city's clause never leads; nor does a blank form's (申报书, 申请表 …) unless the question asks
        # about the form itself
        asks_form = bool(_FORM_TITLE.search(q))
        def demoted(r: RetrievedClause) -> tuple[bool, bool]:
            return focus.region_conflicts(q, r.chunk), not asks_form and bool(_FORM_TITLE.search(r.chunk.title))

        retrieved = sorted(retrieved, key=demoted)
        bm25 = self.retriever.index.bm25
        terms = bm25.tokenizer.tokens(q)
        # an open question's lead is the clause saying its words (a ruling's scope reads retrieval order)
        weights = {t: bm25.idf(t) for t in set(terms)} if open_lead else None
        # the answer's ranking may not lift a demoted clause back above the others (a form's "按程序申报" says
        # the question's words, but a blank form answers nothing)
        ranked = sorted(self.composer._rank_for_answer(q, retrieved, terms, weights), key=demoted)
        return self._with_list_items(ranked, k)

    def _with_list_items(self, ranked: list[RetrievedClause], k: int) -> list[RetrievedClause]:
        """A lead clause that only introduces a list ("申报单位应具备以下条件：") is followed by the list's items
        (the clauses under its heading), which say what it introduces."""
        from assistant.answer.composer import is_list_intro, list_items_after

        if not ranked or not is_list_intro(ranked[0].chunk):
            return ranked
        index = self.retriever.index
        lead = ranked[0].chunk
        for a, b in index.doc_ranges([lead.doc_id]):
            at = next((i for i in range(a, b) if index.chunks[i].chunk_id == lead.chunk_id), None)
            if at is None:
                continue
            items = list_items_after(lead, index.chunks[at + 1:b])
            ids = {c.chunk_id for c in items}
            rest = [r for r in ranked[1:] if r.chunk.chunk_id not in ids]
            return [ranked[0], *(RetrievedClause(chunk=c, score=ranked[0].score) for c in items), *rest][:k]
        return ranked

    def _with_parts(self, q: str, retrieved: list[RetrievedClause], decision: Any, k: int) -> list[RetrievedClause]:
        """A several-part question ("几号截止？交到哪？找谁？"): each part's answering clause (its sentence holds
        the asked kind of value, topic and terms), looked for in every clause of the routed notice, joins the
        head of the ranking — so every part has its clause among the first few. A one-part question asking a
        kind of value gets its answering clause the same way."""
        from assistant.answer.composer import question_parts
        from assistant.answer.spans import question_types

        parts = question_parts(q)
        if not retrieved or (len(parts) < 2 and not question_types(q)):
            return retrieved
        from assistant.answer.composer import best_sentence, part_types

        # each part's answer is looked for in every clause of the notice the question is about (a routed
        # notice's clauses, else the lead clause's document): retrieval first, the rest after
        index = self.retriever.index
        if decision.routed:  # every routed notice: the lead clause's may be a list or a plan, not the call
            docs = list(decision.doc_ids)
        else:  # the notice of the best clause
            fam = self.routed.router.family(retrieved[0].chunk.doc_id)
            docs = list(fam.doc_ids) if fam is not None else [retrieved[0].chunk.doc_id]
        seen = {r.chunk.chunk_id for r in retrieved}
        pool = list(retrieved) + [RetrievedClause(chunk=c, score=0.0) for a, b in index.doc_ranges(docs)
                                  for c in index.chunks[a:b] if c.chunk_id not in seen]
        terms = index.bm25.tokenizer.tokens(q)
        # the notice itself (not a higher body's notice it forwards) is what the applicant answers to
        heads = {f.notice_id for f in decision.families} if decision.routed else set()
        # the parts' answering clauses lead, in the order the parts are asked; retrieval's best follows
        head: list[RetrievedClause] = []
        for part, types in zip(parts, part_types(parts), strict=True):
            found = best_sentence(part, pool, terms, types, prefer=heads)
            if found is not None and all(h.chunk.chunk_id != found[0].chunk.chunk_id for h in head):
                head.append(found[0])
        if all(h.chunk.chunk_id != retrieved[0].chunk.chunk_id for h in head):
            head.append(retrieved[0])
        ids = {h.chunk.chunk_id for h in head}
        return (head + [r for r in retrieved if r.chunk.chunk_id not in ids])[:k]

    @staticmethod
    def _one_notice(ranked: list[RetrievedClause], decision: Any) -> list[RetrievedClause]:
        """Clauses of the lead clause's notice first: an answer never mixes several notices' clauses."""
        if not ranked or len(getattr(decision, "families", ())) < 2:
            return ranked
        fam = decision.family_of(ranked[0].chunk.doc_id)
        if fam is None:
            return ranked
        return [r for r in ranked if r.chunk.doc_id in fam.doc_ids] + [
            r for r in ranked if r.chunk.doc_id not in fam.doc_ids]

    @staticmethod
    def _with_route_note(record: AnswerRecord, decision: Any) -> AnswerRecord:
        """The answer says which notice it used (latest of a series) or which ones fit equally."""
        note = decision.note() if decision is not None else ""
        if note and not record.refused:
            record.answer = f"{record.answer}\n\n{note}"
            record.notices.append(note)
        return record

    def offline(self, q: str, session: Session, extracted: Any) -> AnswerRecord:
        """The deterministic answer: a checker ruling, a cited fact answer, or a refusal — every quote
        checked against the file it comes from."""
        record = self._offline(q, session, extracted)
        try:
            source_of = self._source_of()
        except StoreError:  # no clause index (a match over the catalogue alone): nothing to check against
            return record
        return self.verifier.run(record, source_of)

    def _source_of(self) -> Any:
        """Title → the whitespace-free text of its file, for the live index (rebuilt when it is reloaded)."""
        index = self.retriever.index
        if getattr(self, "_sources_for", None) is not index:
            from assistant.answer.verbatim import source_lookup

            snap = index.snapshot
            titles = {str(d.get("title")): name for name, src in snap.sources.items() for d in src.documents}
            self._sources_cache = source_lookup(snap.lazy_source_texts(self.settings.data_dir), titles)
            self._sources_for = index
        return self._sources_cache

    def _offline(self, q: str, session: Session, extracted: Any) -> AnswerRecord:
        """The deterministic answer itself (before the quote check)."""
        matched = self._match_turn(q, session, extracted)
        if matched is not None:
            return matched
        retriever = self.retriever
        decision = self.route(q, session)
        facts = {**session.facts, **extracted.facts}
        if self._is_eligibility(q, extracted, session):
            session.facts = facts  # facts accumulate over the conversation
            # a ruling's contexts: the clauses it rests on lead; the rest ranked lexically (no query encoding),
            # within the notices the question is routed to — so the scope's notices are the routed ones
            retrieved = self.ranked_clauses(q, decision, dense=False, open_lead=False)
            scope = self._scope(q, session, extracted, retrieved)
            candidates = scope.programme_ids
            if candidates:
                session.programme_id = candidates[0] if len(candidates) == 1 else session.programme_id
                session.pending_eligibility = True
                return self._with_scope_note(self._eligibility(q, facts, candidates, retrieved), scope)
        session.pending_eligibility = False
        retrieved = self.ranked_clauses(q, decision)
        focus = self._focus()
        gate = self.gate.run(q, retrieved, retriever.index.chunks, retriever.index.bm25)
        if gate.refuse:
            log.debug("refused: %s", gate.reason)
            return self.composer.refusal(retrieved, hotline=self._hotline(retrieved))
        terms = retriever.index.bm25.tokenizer.tokens(q)
        not_stated = self._not_stated(q, decision, retrieved, focus, terms)
        if not_stated is not None:
            log.debug("not stated in the notice the question is about")
            return not_stated
        if extracted.programme_id:
            session.programme_id = extracted.programme_id
        heads = [f.notice_id for f in decision.families] if decision.routed else []
        record = self.composer.run(q, self._one_notice(retrieved, decision), terms, prefer=heads)
        record.contexts = [context_text(r.chunk) for r in retrieved]
        record = self.catalogue_facts.run(q, record, self.registry(), self._locate)
        return self._with_route_note(record, decision)

    def _not_stated(self, q: str, decision: Any, retrieved: list[RetrievedClause], focus: DocumentFocus,
                    terms: list[str]) -> AnswerRecord | None:
        """"通知未明确…" when the notice the question is about (routed, else named by title) never gives the
        asked detail; the nearest clause is shown as context. A ruling question ("能享受…吗") asks no detail."""
        from assistant.answer.unstated import UnstatedDetailCheck, not_stated_answer

        if asks_ruling(q) or asks_ruling(q, _ASKS_YES_NO_RULING):
            return None

        index = self.retriever.index
        # every routed notice (a detail one of them gives is stated), else the documents the title names;
        # only a notice the question clearly names, and that its best clause comes from
        if decision.routed:
            named = len(decision.families) <= 3 and max(decision.scores.values(), default=0.0) >= 12.0
            docs = list(decision.doc_ids) if named and retrieved and retrieved[0].chunk.doc_id in decision.doc_ids \
                else []
        else:
            docs = focus.run(q)
        if not docs:
            return None
        doc_chunks = [c for a, b in index.doc_ranges(docs) for c in index.chunks[a:b]]
        check = UnstatedDetailCheck()
        detail = check.run(q, doc_chunks, retrieved, index.bm25)
        if detail is None:
            return None
        # a wrong route must not hide an answer: the clauses matching the question best in the whole corpus
        # (lexically; no query encoding) are read too
        scores = index.bm25.scores(q)
        top = [index.chunks[int(i)] for i in np.argsort(-scores, kind="stable")[:8] if scores[int(i)] > 0]
        if check.run(q, top, retrieved, index.bm25) is None:
            return None
        quotes = self.composer._quotes(q, detail.nearest, terms)[:1] if detail.nearest is not None else []
        return not_stated_answer(detail, [context_text(r.chunk) for r in retrieved], quotes)

    def _match_turn(self, q: str, session: Session, extracted: Any) -> AnswerRecord | None:
        """"我们能申报哪些项目？" (or facts supplied after it): the match over the catalogue, else None."""
        from assistant.matching.chat import MatchChat

        # facts supplied after a match answer re-run it, unless they name one programme (the checker's then)
        supplying = not asks_ruling(q) and len(q) < 60 and not extracted.programme_id
        return MatchChat(self.matcher()).run(q, session, extracted.facts, supplying)

    def matcher(self) -> Any:
        """The match service over the live catalogue and this service's checker."""
        from assistant.matching import MatchService

        return MatchService(registry=self.registry(), checker=self.checker, settings=self.settings)

    def registry(self) -> Any:
        """The notice catalogue of the live index (rebuilt when the index was reloaded)."""
        index = self.retriever.index
        if getattr(self, "_registry_for", None) is not index:
            from assistant.catalogue.registry import NoticeRegistry
            from assistant.ingest.catalogue import NoticeCatalogue

            overrides = NoticeCatalogue.load(self.settings.corpus_dir / "notices.yaml")
            self._registry_cache = NoticeRegistry.from_snapshot(index.snapshot, overrides)
            self._registry_for = index
        return self._registry_cache

    def _locate(self, file: str, quote: str) -> str | None:
        """The section of the clause of ``file`` that holds ``quote`` (whitespace aside)."""
        nq = re.sub(r"\s+", "", quote)
        for c in self._chunks_by("source", [file]):
            if nq and nq in re.sub(r"\s+", "", c.text):
                return c.section
        return None

    def _focus(self) -> DocumentFocus:
        """Document names of the live index (rebuilt when the index was reloaded)."""
        index = self.retriever.index
        if getattr(self, "_focus_for", None) is not index:
            self._focus_cache = DocumentFocus(index.chunks)
            self._focus_for = index
        return self._focus_cache

    def _is_eligibility(self, q: str, extracted: Any, session: Session) -> bool:
        if session.pending_eligibility and extracted.facts and not asks_ruling(q) and len(q) < 60:
            return True  # "我们是2021年注册的" answers the checker's question
        if not asks_ruling(q):
            return False
        about_applicant = bool(_FIRST_PERSON.search(q)) or bool(set(extracted.facts) - {"entity_type"})
        return about_applicant

    def _scope(self, q: str, session: Session, extracted: Any, retrieved: list[RetrievedClause]) -> Any:
        """The programme(s) to rule on: those of the notice the question is about (see ``answer/scope.py``)."""
        from assistant.answer.scope import ProgrammeScope, scope_programmes

        checker = self.checker
        rules = getattr(checker, "rules", None)
        if rules is None:  # an injected checker without a rule book: the extractor's candidates
            return ProgrammeScope(self._candidates(extracted, session))
        registry = self.registry() if self._checker_for_index() else None
        return scope_programmes(q, session, registry, retrieved, rules, extracted)

    def _checker_for_index(self) -> bool:
        return getattr(self, "_checker_for", None) is not None

    @staticmethod
    def _with_scope_note(record: AnswerRecord, scope: Any) -> AnswerRecord:
        """Say which programme a question naming none was ruled on."""
        if scope.note:
            record.answer = f"{record.answer}\n\n（{scope.note}）"
        return record

    def _candidates(self, extracted: Any, session: Session) -> list[str]:
        if extracted.programme_id:
            return [extracted.programme_id]
        cands = list(getattr(extracted, "programme_candidates", []) or [])
        if cands:
            return cands[:6]
        return [session.programme_id] if session.programme_id else []

    def _eligibility(self, q: str, facts: dict[str, Any], candidates: Sequence[str],
                     retrieved: list[RetrievedClause]) -> AnswerRecord:
        from assistant.eligibility import ApplicantProfile

        profile = ApplicantProfile.from_facts(facts)
        results = [self.checker.run(pid, profile) for pid in candidates]
        extra = []
        if len(candidates) > 1 and {r.verdict for r in results} != {"ineligible"}:
            titles = "、".join(r.programme_title for r in results)
            extra.append(f"您要申报的是哪一类项目？（{titles}）")
        # the clauses the ruling rests on lead the contexts
        criteria = [c for r in results for c in r.criteria if c.status == "not_met" or c.kind != "reminder"]
        quotes = [c.reference.quote for c in sorted(criteria, key=deciding_order)]  # stable
        lead = self._clauses_quoting(quotes, [c.reference.file for r in results for c in r.criteria])
        ids = {c.chunk.chunk_id for c in lead}
        contexts = lead + [r for r in retrieved if r.chunk.chunk_id not in ids]
        return self.composer.eligibility(q, results, contexts[:CONTEXT_K], extra_questions=extra)

    def _chunks_by(self, attr: str, values: Sequence[str]) -> list[Any]:
        """The live index's chunks whose ``title`` or ``source`` is one of ``values`` (a map built once per
        index: no scan of every clause per question at 50k clauses)."""
        index = self.retriever.index
        cache = getattr(self, "_chunk_maps", None)
        if cache is None or cache[0] is not index:
            maps: dict[str, dict[str, list[Any]]] = {"title": {}, "source": {}}
            for c in index.chunks:
                maps["title"].setdefault(c.title, []).append(c)
                maps["source"].setdefault(c.source, []).append(c)
            cache = (index, maps)
            self._chunk_maps = cache
        return [c for v in dict.fromkeys(values) for c in cache[1][attr].get(v, [])]

    def _clauses_quoting(self, quotes: Sequence[str], files: Sequence[str] = ()) -> list[RetrievedClause]:
        """Index chunks containing each quoted clause (whitespace-insensitive), failing criteria first."""
        norm = [re.sub(r"\s+", "", q) for q in quotes if q]
        out: list[RetrievedClause] = []
        seen: set[str] = set()
        chunks = (self._chunks_by("source", files) or self.retriever.index.chunks) if files else \
            self.retriever.index.chunks
        for nq in norm:
            for c in chunks:
                if c.chunk_id not in seen and nq and nq in re.sub(r"\s+", "", c.text):
                    out.append(RetrievedClause(chunk=c, score=1.0))
                    seen.add(c.chunk_id)
                    break
        return out

    def _hotline(self, retrieved: Sequence[RetrievedClause], doc_id: str | None = None) -> str | None:
        """The contact clause of the named (else the closest) document, if it has one."""
        if not retrieved and not doc_id:
            return None
        doc = doc_id or retrieved[0].chunk.doc_id
        index = self.retriever.index
        # only that document's own clauses (contiguous in the index), not a scan of every clause
        for a, b in index.doc_ranges([doc]):
            for c in index.chunks[a:b]:
                if c.doc_id == doc and ("联系电话" in c.text or "联系人" in c.section):
                    text = re.sub(r"\s+", " ", c.text).strip()
                    return f"《{c.title}》{c.section}：{text}"
        return None
