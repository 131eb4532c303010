import pytest

from assistant.answer.service import clean_question
from assistant.answer.session import FollowUpResolver
from assistant.errors import InputError


def test_follow_up_about_another_place_reuses_the_question() -> None:
    prev = "连云港市重点研发计划的联系电话是什么？"
    assert FollowUpResolver().run("那南通的呢？", prev, names_programme=False) == "南通市重点研发计划的联系电话是什么？"


def test_follow_up_with_a_new_ask_keeps_the_subject() -> None:
    prev = "南通市前瞻性技术创新专项对项目负责人的学历有什么要求？"
    out = FollowUpResolver().run("截止时间呢？", prev, names_programme=False)
    assert out.startswith("南通市前瞻性技术创新专项") and "截止时间" in out


def test_a_self_contained_question_is_unchanged() -> None:
    q = "江苏省双边创新合作项目的省资助经费上限是多少？"
    assert FollowUpResolver().run(q, "别的问题", names_programme=True) == q


@pytest.mark.parametrize("bad", ["", "   ", "\x00\x01", "？？！！", "x" * 2001])
def test_bad_questions_get_a_chinese_message(bad: str) -> None:
    with pytest.raises(InputError) as exc:
        clean_question(bad)
    assert any("\u4e00" <= ch <= "\u9fff" for ch in str(exc.value))


def test_control_characters_are_dropped() -> None:
    assert clean_question("截止\x07时间？") == "截止时间？"
