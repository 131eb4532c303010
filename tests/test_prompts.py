"""Prompt files: declared variables must match the placeholders, and rendering checks its arguments."""

from __future__ import annotations

from pathlib import Path

import pytest

from assistant.errors import PromptError
from assistant.prompts import PromptTemplateFile

ROOT = Path(__file__).resolve().parent.parent


def write(d: Path, name: str, text: str) -> Path:
    p = d / name
    p.write_text(text, encoding="utf-8")
    return p


def test_bundled_prompts_load_and_render() -> None:
    system = PromptTemplateFile.load("system", ROOT / "prompts")
    assert system.variables == ("max_answer_chars",)
    text = system.render(max_answer_chars=300)
    assert "不超过 300 字" in text
    # doubled braces are literal JSON in the rendered prompt
    assert '{"answer": "简明回答", "found": true' in text
    assert "{max_answer_chars}" not in text
    question = PromptTemplateFile.load("question", ROOT / "prompts")
    assert set(question.variables) == {"question", "facts", "checker_results"}
    out = question.render(question="最高资助多少？", facts="{}", checker_results="")
    assert "<question>\n最高资助多少？\n</question>" in out


def test_the_rendered_value_is_not_reparsed(tmp_path: Path) -> None:
    write(tmp_path, "q.md", "---\nvariables: [question]\n---\n<question>{question}</question>\n")
    tpl = PromptTemplateFile.load("q", tmp_path)
    assert tpl.render(question="{facts} {0} {{x}}") == "<question>{facts} {0} {{x}}</question>\n"
    assert tpl.render(question=None) == "<question></question>\n"


def test_load_defaults_to_the_settings_prompts_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    write(tmp_path, "hello.txt", "---\nvariables: []\ndescription: 问候\n---\n你好\n")
    monkeypatch.setenv("SHENBAO_PROMPTS_DIR", str(tmp_path))
    tpl = PromptTemplateFile.load("hello")
    assert (tpl.name, tpl.body, tpl.description, tpl.variables) == ("hello", "你好\n", "问候", ())
    assert tpl.render() == "你好\n"


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("没有声明\n{question}", "缺少开头的 YAML 声明"),
        ("---\nvariables: [question\n---\n{question}", "无法解析"),
        ("---\n- a\n- b\n---\nx", "必须是键值对"),
        ("---\nvariables: question\n---\n{question}", "必须是变量名列表"),
        ("---\nvariables: [question, question]\n---\n{question}", "有重复"),
        ("---\nvariables: [question]\n---\n{questoin}", "未声明的变量 {questoin}"),
        ("---\nvariables: [question, facts]\n---\n{question}", "声明了变量“facts”"),
        ("---\nvariables: []\n---\n{0}", "无效"),
        ("---\nvariables: [a]\n---\n{a!r}", "无效"),
        ("---\nvariables: [a]\n---\n{a:>10}", "无效"),
        ("---\nvariables: []\n---\n{ 不成对", "花括号不成对"),
    ],
)
def test_malformed_prompt_files_are_rejected(text: str, message: str) -> None:
    with pytest.raises(PromptError, match=message):
        PromptTemplateFile.parse(text, name="t")


def test_empty_front_matter_declares_nothing() -> None:
    tpl = PromptTemplateFile.parse("---\n---\n纯文本，字面 {{花括号}}", name="t")
    assert tpl.variables == ()
    assert tpl.render() == "纯文本，字面 {花括号}"


def test_render_checks_its_arguments(tmp_path: Path) -> None:
    write(tmp_path, "q.md", "---\nvariables: [question, facts]\n---\n{question} {facts}")
    tpl = PromptTemplateFile.load("q", tmp_path)
    with pytest.raises(PromptError, match="缺少变量“facts”"):
        tpl.render(question="x")
    with pytest.raises(PromptError, match="没有声明变量“extra”"):
        tpl.render(question="x", facts="y", extra="z")


@pytest.mark.parametrize("name", ["", "  ", "../system", "a/b", ".hidden", "a\\b"])
def test_bad_names_are_rejected(name: str, tmp_path: Path) -> None:
    with pytest.raises(PromptError, match="无效"):
        PromptTemplateFile.load(name, tmp_path)


def test_missing_and_unreadable_files(tmp_path: Path) -> None:
    with pytest.raises(PromptError, match="找不到提示词文件“nope”"):
        PromptTemplateFile.load("nope", tmp_path)
    (tmp_path / "bad.md").write_bytes(b"---\nvariables: []\n---\n\xff\xfe\xfa")
    with pytest.raises(PromptError, match="UTF-8"):
        PromptTemplateFile.load("bad", tmp_path)


def test_bom_and_crlf_are_accepted(tmp_path: Path) -> None:
    (tmp_path / "w.md").write_bytes("\ufeff---\r\nvariables: [x]\r\n---\r\n值：{x}\r\n".encode())
    tpl = PromptTemplateFile.load("w", tmp_path)
    assert tpl.variables == ("x",)
    assert tpl.render(x=1).startswith("值：1")
