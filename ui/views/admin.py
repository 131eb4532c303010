"""公告管理: the indexed notices, uploading new ones (ingested with a progress bar), re-indexing, rule review,
feedback."""

from __future__ import annotations

from typing import Any

import pandas as pd
import streamlit as st

from assistant.errors import ShenbaoError
from ui import access, components, present, state
from ui.uploads import ALLOWED_SUFFIXES

EXPORT_HELP = "格式同 shared/eval/README.md：👍 以回答为参考答案，👎 以更正为参考答案（无更正的不导出）。"
STATUS = {"new": "新增", "changed": "已更新", "unchanged": "未变化", "failed": "失败"}


def _progress_callback(bar: Any, label: str) -> Any:
    def tick(done: int, total: int) -> None:
        bar.progress(min(1.0, done / total) if total else 1.0, text=f"{label}：{done}/{total} 条条款")
    return tick


def _report_table(report: Any, refused: dict[str, str], moved: list[Any]) -> None:
    rows = [{"文件": name, "结果": STATUS["failed"], "文档数": 0, "条款数": 0, "说明": msg}
            for name, msg in refused.items()]
    rows += [{"文件": f.file, "结果": STATUS.get(f.status, f.status), "文档数": f.documents,
              "条款数": f.chunks, "说明": f.message} for f in report.files]
    if rows:
        st.dataframe(pd.DataFrame(rows), hide_index=True, width="stretch")
    failures = list(refused.items()) + [(f.file, f.message) for f in report.failures]
    for name, msg in failures:
        st.error(f"{name}：{msg}")
    if moved:
        st.caption("未能导入的文件已移到 " + "、".join(str(p) for p in moved) + "（原有公告不受影响）。")
    if report.removed_sources:
        st.caption("已从索引中移除（公告目录中已不存在）：" + "、".join(report.removed_sources))
    if report.drifted_rules:
        st.warning("以下规则引用的条款原文在公告中已找不到，请核对规则：" + "、".join(report.drifted_rules))


def _ingest(paths: list[Any] | None, rebuild: bool, label: str) -> Any:
    from assistant.index.builder import IndexBuilder

    bar = st.progress(0.0, text=f"{label}：解析公告…")
    builder = IndexBuilder(state.settings())
    report = builder.run(paths, rebuild=rebuild, progress=_progress_callback(bar, label))
    bar.progress(1.0, text=f"{label}完成：{report.chunks} 条条款，用时 {report.seconds:.1f} 秒")
    return report


def _upload_section() -> None:
    st.subheader("上传公告")
    s = state.settings()
    with st.form("upload", clear_on_submit=True):
        files = st.file_uploader("选择公告文件（可多选）", type=[x.lstrip(".") for x in ALLOWED_SUFFIXES],
                                 accept_multiple_files=True, key="upload_files")
        go = st.form_submit_button("保存并导入", type="primary")
    if not go:
        return
    if not files:
        st.warning("请先选择要上传的公告文件。")
        return
    with state.user_errors():
        from assistant.notice_admin import NoticeAdmin

        bar = st.progress(0.0, text="导入：检查并保存公告…")
        outcome = NoticeAdmin(s).upload(((f.name, f.getvalue()) for f in files),
                                        progress=_progress_callback(bar, "导入"))
        report, refused, moved = outcome.report, outcome.refused, outcome.moved
        bar.progress(1.0, text=f"导入完成：{report.chunks} 条条款，用时 {report.seconds:.1f} 秒")
        ok = [f for f in report.files if f.status != "failed"]
        if ok:
            st.success(f"已导入 {len(ok)} 个文件，共 {sum(f.chunks for f in ok)} 条条款。")
        _report_table(report, refused, moved)


def _reindex_section() -> None:
    st.subheader("重新索引")
    st.caption("按公告目录同步索引：新增、更新或移除公告；已计算的向量会复用，不会重新计算。")
    rebuild = st.checkbox("完全重建（新建向量集合，旧索引在完成前继续可用）", key="rebuild")
    if st.button("重新索引", key="reindex"):
        with state.user_errors():
            report = _ingest(None, rebuild=rebuild, label="重新索引")
            st.success(f"索引已更新：{report.notices} 份公告文档，{report.chunks} 条条款。")
            _report_table(report, {}, [])


def _delete_section(rows: list[dict[str, Any]]) -> None:
    st.subheader("删除公告")
    files = sorted({str(r["文件"]) for r in rows})
    if not files:
        return
    with st.form("delete_notice"):
        name = st.selectbox("公告文件", files, key="delete_file")
        sure = st.checkbox("确认删除（文件移到数据目录的 uploads/deleted/ 保存，可恢复）", key="delete_sure")
        go = st.form_submit_button("删除")
    if go:
        if not sure:
            st.warning("请先勾选“确认删除”。")
            return
        with state.user_errors():
            from assistant.notice_admin import NoticeAdmin

            result = NoticeAdmin(state.settings()).delete(name)
            st.success(f"已删除 {result['deleted']}，索引现有 {result['index']['chunks']} 条条款。")


def _feedback_section() -> None:
    st.subheader("反馈导出")
    store = state.feedback_store()
    with state.user_errors():
        counts = store.counts()
        st.caption(f"有用 {counts['up']} 条，无用 {counts['down']} 条，更正 {counts['corrections']} 条"
                   "（明细见“用户反馈”页）。")
        st.download_button("导出为评测数据（JSONL）", data=store.export_text(),
                           file_name="feedback-eval.jsonl", mime="application/jsonl", key="export_feedback",
                           help=EXPORT_HELP)


KIND_NAMES = {"hard": "硬性条件", "advisory": "一般要求", "reminder": "提醒", "sufficient": "便捷通道"}


def _rule_review_section() -> None:
    """Drafted rules per notice, with accept / edit params / reject / add (DraftRuleStore does the work)."""
    st.subheader("规则审核")
    store = state.draft_store()
    with state.user_errors():
        notices = store.notices()
        if not notices:
            st.info("还没有起草的规则：提出资格问题或运行 `shenbao rules draft` 后会自动起草。")
            return
        nid = st.selectbox("通知", notices, key="review_notice")
        rows = store.rows(nid)
        st.dataframe(pd.DataFrame([
            {"规则": r["id"], "项目": r["programme"], "类型": KIND_NAMES.get(r["kind"], r["kind"]),
             "状态": "已审核" if r["status"] == "reviewed" else ("草稿" if r["certain"] else "草稿·待确认"),
             "条件": r["condition"], "参数": present.json_text(r["params"]), "章节": r["section"],
             "原文": r["quote"], "审核人": r["reviewed_by"], "审核时间": r["reviewed_at"]}
            for r in rows]), hide_index=True, width="stretch")
        login = access.current()
        who = st.text_input("审核人", value=login.username if login else "", key="review_by")
        rule_id = st.selectbox("规则", [r["id"] for r in rows], key="review_rule")
        c1, c2 = st.columns(2)
        if c1.button("接受", key="review_accept"):
            store.accept(nid, rule_id, who)
            st.success(f"规则 {rule_id} 已接受。")
        if c2.button("驳回", key="review_reject"):
            store.reject(nid, rule_id, who)
            st.success(f"规则 {rule_id} 已驳回。")
        params = st.text_area("修改参数（JSON 对象）", key="review_params", placeholder='{"threshold": 300}')
        if st.button("修改参数并接受", key="review_edit"):
            store.edit(nid, rule_id, who, params=present.parse_json_object(params, "参数"))
            st.success(f"规则 {rule_id} 已修改并接受。")
        programme = st.selectbox("新增规则所属项目", sorted({r["programme_id"] for r in rows}), key="review_prog")
        added = st.text_area("新增规则（JSON：id、kind、description、condition、params、reference.section/quote）",
                             key="review_add")
        if st.button("新增", key="review_add_btn"):
            store.add(nid, programme, present.parse_json_object(added, "新增规则"), who)
            st.success("规则已新增。")


access.require("upload")
st.title("公告管理")
rows: list[dict[str, Any]] = []
with state.user_errors():
    try:
        idx = state.index()
    except ShenbaoError as exc:
        st.warning(f"{exc}")
        idx = None
    if idx is not None:
        rows = present.notice_rows(idx.snapshot, state.catalogue(), state.programme_titles())
        c1, c2, c3 = st.columns(3)
        c1.metric("公告文件", len(idx.snapshot.sources))
        c2.metric("公告文档", len(rows))
        c3.metric("条款", len(idx.chunks))
        st.dataframe(pd.DataFrame(rows), hide_index=True, width="stretch")
    with st.expander("申报截止时间", expanded=False):
        components.deadlines_table()

_upload_section()
_delete_section(rows)
_reindex_section()
_rule_review_section()
_feedback_section()
