"""条款检索: hotline staff search clauses (with filters), copy a ready answer, and read the notice."""

from __future__ import annotations

from typing import Any

import streamlit as st

from assistant.index import RetrievalFilters
from ui import access, components, present, state

ANY = "全部"
MARK_STYLE = "background:#fff3cd;padding:0.4em;border-left:4px solid #f0ad4e"


def _filter_options(snapshot: Any) -> tuple[list[str], list[str], list[str]]:
    docs = [d for s in snapshot.sources.values() for d in s.documents]
    regions = sorted({str(d.get("region")) for d in docs if d.get("region")})
    years = sorted({str(d.get("year")) for d in docs if d.get("year")}, reverse=True)
    progs = sorted({p for d in docs for p in d.get("programmes", []) or []})
    return regions, years, progs


def _open_viewer(doc_id: str, section: str) -> None:
    st.session_state["viewer_doc"] = doc_id
    st.session_state["viewer_section"] = section


def _results(index: Any) -> None:
    regions, years, progs = _filter_options(index.snapshot)
    with st.form("lookup"):
        query = st.text_input("检索内容（关键词或问题）", key="lookup_query",
                              placeholder="如：申报条件；最高资助多少；联系电话")
        c1, c2, c3, c4 = st.columns([2, 1, 3, 1])
        region = c1.selectbox("地区", [ANY, *regions], key="lookup_region")
        year = c2.selectbox("年度", [ANY, *years], key="lookup_year")
        titles = state.programme_titles()
        programme = c3.selectbox("项目", [ANY, *progs], key="lookup_programme",
                                 format_func=lambda p: titles.get(p, p))
        k = c4.number_input("条数", min_value=1, max_value=30, value=8, step=1, key="lookup_k")
        submitted = st.form_submit_button("检索", type="primary")
    if submitted:
        st.session_state["lookup_args"] = (query, region, year, programme, int(k))
    args = st.session_state.get("lookup_args")
    if not args:
        return
    query, region, year, programme, k = args
    with state.user_errors():
        service = state.service()
        retriever = service.retriever
        filters = RetrievalFilters(region=None if region == ANY else region,
                                   year=None if year == ANY else int(year),
                                   programme=None if programme == ANY else programme)
        results = retriever.run(query, k=k, filters=filters)
        terms = retriever.index.bm25.tokenizer.tokens(query)
        if not results:
            st.info("现有公告中未找到相关条款。可以换个说法，或放宽筛选条件。")
            return
        st.markdown("**可复制的答复**（引用排名靠前的条款）")
        st.code(service.composer.run(query, results, terms).answer, language=None, wrap_lines=True)
        st.markdown(f"**相关条款**（{len(results)} 条，按相关度排序；检索词已高亮）")
        for n, r in enumerate(results, 1):
            c = r.chunk
            with st.container(border=True):
                st.markdown(f"**{n}. 《{present.safe_html(c.title)}》** {present.safe_html(c.section)}"
                            f" · 相关度 {r.score:.4f}", unsafe_allow_html=True)
                st.markdown(present.highlight(c.text, terms), unsafe_allow_html=True)
                st.code(present.copy_text(c.title, c.section, c.text), language=None, wrap_lines=True)
                st.button("在公告原文中查看", key=f"view-{n}-{c.chunk_id}", on_click=_open_viewer,
                          args=(c.doc_id, c.section))


def _viewer(index: Any) -> None:
    st.subheader("公告原文")
    docs: dict[str, str] = {}
    for c in index.chunks:
        docs.setdefault(c.doc_id, c.title)
    if not docs:
        st.info("索引中还没有公告。")
        return
    params = st.query_params
    if params.get("doc") in docs and st.session_state.get("viewer_from_link") != dict(params):
        # a citation link from the chat page: open its notice at its section (once per link)
        st.session_state["viewer_from_link"] = dict(params)
        _open_viewer(str(params["doc"]), str(params.get("section", "")))
    ids = list(docs)
    target_doc = st.session_state.get("viewer_doc")
    if target_doc in docs:
        st.session_state["viewer_doc_select"] = target_doc
        st.session_state.pop("viewer_doc", None)
    doc_id = st.selectbox("公告", ids, format_func=lambda d: docs[d], key="viewer_doc_select")
    chunks = [c for c in index.chunks if c.doc_id == doc_id]
    groups = present.section_groups(chunks)
    heads = [g[0] for g in groups]
    target = st.session_state.pop("viewer_section", None)
    if target:
        for head, members in groups:
            if any(c.section == target or c.section.startswith(target) for c in members):
                st.session_state["viewer_head"] = head
                st.session_state["viewer_target"] = target
                break
    if st.session_state.get("viewer_head") not in heads:
        st.session_state["viewer_head"] = heads[0]
    nav, body = st.columns([1, 3])
    head = nav.radio("章节导航", heads, key="viewer_head", format_func=present.safe_label)
    marked = st.session_state.get("viewer_target")
    with body:
        for c in dict(groups)[head]:
            sub = " > ".join(c.section_path[1:])
            if sub and not present.heading_repeated(c.section_path[-1], c.text):
                st.markdown(f"**{present.safe_html(sub)}**", unsafe_allow_html=True)
            if marked and (c.section == marked):
                st.markdown(f"<div style='{MARK_STYLE}'>{present.safe_html(c.text)}</div>",
                            unsafe_allow_html=True)
            else:
                components.text(c.text)


access.require("lookup")
st.title("条款检索")
st.caption("供热线人员查找公告原文：按地区、年度、项目筛选，复制带出处的答复，或在原文中逐章查看。")
with state.user_errors():
    idx = state.index()
    _results(idx)
    st.divider()
    _viewer(idx)
