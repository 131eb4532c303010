"""Upload checks of the notice admin: names stay in the corpus dir; non-notices are refused."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from assistant.errors import InputError
from assistant.notice_admin import MIN_NOTICE_HAN, UploadSaver, notice_text_problem, safe_name

NOTICE = "关于组织申报2025年度科技计划项目的通知。" + "各有关单位按要求准备材料" * 5


def test_notice_text_problem_both_sides() -> None:
    assert notice_text_problem("a.txt", NOTICE) is None
    short = "通知" + "字" * (MIN_NOTICE_HAN - 3)
    assert "过少" in str(notice_text_problem("a.txt", short))
    assert notice_text_problem("a.txt", short + "字") is None
    assert "不像是申报通知" in str(notice_text_problem("a.txt", "今天天气很好我们一起去公园散步吧" * 5))


@pytest.mark.parametrize("name", ["a\x00.txt", "a\nb.txt", "..", ".", "/", "x" * 300 + ".txt", "notice.exe"])
def test_bad_names(name: str) -> None:
    with pytest.raises(InputError):
        safe_name(name)


def test_a_symlink_cannot_carry_an_upload_out(tmp_path: Path) -> None:
    corpus, outside = tmp_path / "corpus", tmp_path / "outside"
    corpus.mkdir()
    outside.mkdir()
    os.symlink(outside / "evil.txt", corpus / "evil.txt")
    saved, refused = UploadSaver(corpus, tmp_path / "work").run([("evil.txt", NOTICE.encode())])
    assert not saved and "公告目录之外" in refused["evil.txt"]
    assert not (outside / "evil.txt").exists()


def test_sizes_both_sides(tmp_path: Path) -> None:
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    body = NOTICE.encode()
    saver = UploadSaver(corpus, tmp_path / "work", max_bytes=len(body))
    saved, refused = saver.run([("ok.txt", body), ("big.txt", body + b" ")])
    assert [s.path.name for s in saved] == ["ok.txt"] and "超过" in refused["big.txt"]
