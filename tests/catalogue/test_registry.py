"""The catalogue registry: statuses on the day asked, overrides, and ``shenbao notices``."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest

from assistant.catalogue.registry import (
    STATUS_CLOSED,
    STATUS_NONE,
    STATUS_OPEN,
    NoticeRecord,
    NoticeRegistry,
    apply_override,
    catalogue_files,
)
from assistant.cli import main
from assistant.ingest.catalogue import DocumentEntry, FileEntry

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "notices-md"


def _record(*dates: str) -> NoticeRecord:
    return NoticeRecord(notice_id="n1", file="a.md", title="甲通知", kind="call",
                        deadlines=[{"what": "截止", "date": d, "time": None} for d in dates])


@pytest.mark.parametrize(("today", "state", "label"), [
    (dt.date(2025, 4, 14), STATUS_OPEN, "申报中（剩余 1 天）"),
    (dt.date(2025, 4, 15), STATUS_OPEN, "申报中（今天截止）"),
    (dt.date(2025, 4, 16), STATUS_CLOSED, "已截止（2025-04-15）"),
])
def test_a_notice_is_open_through_its_deadline_day_and_closed_the_day_after(
        today: dt.date, state: str, label: str) -> None:
    st = _record("2025-04-15").status(today)
    assert st.state == state and st.label == label


def test_while_open_the_status_counts_to_the_next_deadline_and_when_closed_names_the_last() -> None:
    rec = _record("2025-04-15", "2025-04-20")
    assert rec.status(dt.date(2025, 4, 16)).days_left == 4
    assert rec.status(dt.date(2025, 5, 1)).deadline == {"what": "截止", "date": "2025-04-20", "time": None}


def test_a_notice_without_deadlines_has_no_deadline_status() -> None:
    assert _record().status(dt.date(2025, 1, 1)).state == STATUS_NONE


def test_the_override_corrects_only_what_it_states() -> None:
    rec = NoticeRecord(notice_id="d1", file="a.txt", title="自动标题", issuer="甲局", region="甲市",
                       published="2024-01-02")
    entry = FileEntry(file="a.txt", issuer=None, doc_number="甲发〔2024〕1号", region="", year=None,
                      published=None, deadlines=(), contacts=(),
                      documents=(DocumentEntry(doc_id="d1", title="更正标题", start="x", programmes=("p-1",)),))
    out = apply_override([rec], entry)[0]
    assert (out.title, out.issuer, out.region, out.published) == ("更正标题", "甲局", "甲市", "2024-01-02")
    assert out.doc_number == "甲发〔2024〕1号" and out.sources["doc_number"]["origin"] == "override"
    assert [p["id"] for p in out.programmes] == ["p-1"]


def test_registry_filters_and_programme_lookup() -> None:
    records, failed = catalogue_files(sorted(FIXTURES.iterdir()))
    assert not failed
    reg = NoticeRegistry(records)
    assert [r.kind for r in reg.notices(include_attachments=False)] == ["call", reg.records[-1].kind]
    assert len(reg.filter(open_only=True, today=dt.date(2025, 4, 1))) == 1
    assert reg.filter(open_only=True, today=dt.date(2025, 4, 16)) == []
    assert [r.region for r in reg.filter(region="山河市")] == ["山河市"]
    pid = reg.programme_ids()[0]
    found = reg.programme(pid)
    assert found is not None and found[0].title.startswith("关于组织申报2025年度海滨新区")


def test_shenbao_notices_json_on_files(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["notices", str(FIXTURES), "--json", "--date", "2025-04-01"]) == 0
    out = json.loads(capsys.readouterr().out)
    main_rec = next(r for r in out if r["file"].startswith("001_"))
    assert main_rec["title"] == "关于组织申报2025年度海滨新区科技小巨人培育项目的通知"
    assert main_rec["status"] == STATUS_OPEN and main_rec["days_left"] == 14
    assert main_rec["deadlines"][0]["date"] == "2025-04-15" and main_rec["phones"] == ["0510-88886666"]
    assert all(set(r) >= {"file", "title", "issuer", "doc_number", "published", "region", "kind", "deadlines",
                          "contacts", "programmes"} for r in out)


def test_shenbao_notices_lists_open_calls_in_words(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["notices", str(FIXTURES), "--open", "--kind", "call", "--date", "2025-04-01"]) == 0
    out = capsys.readouterr().out
    assert "申报中（剩余 14 天）" in out and "0510-88886666" in out and "山河市" not in out


@pytest.mark.parametrize(("args", "message"), [
    (["notices", "/no/such/dir"], "找不到文件或目录"),
    (["notices", str(FIXTURES), "--date", "2025/04/01"], "YYYY-MM-DD"),
])
def test_bad_input_to_notices_is_a_chinese_message(args: list[str], message: str,
                                                   capsys: pytest.CaptureFixture[str]) -> None:
    assert main(args) == 2
    assert message in capsys.readouterr().err


def test_notices_without_an_index_says_what_to_do(env_data_dir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["notices"]) == 2
    assert "shenbao ingest" in capsys.readouterr().err
