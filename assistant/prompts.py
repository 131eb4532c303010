"""Prompt files: a YAML front matter declaring the variables, then a body with ``{name}`` placeholders.

A prompt file ``prompts/<name>.md`` looks like::

    ---
    description: what the prompt is for
    variables: [question, facts]
    ---
    用户问题：{question}
    JSON 示例要写成 {{"answer": "…"}}（字面花括号写两遍）。

Declared variables and placeholders must match exactly, so a typo fails when the file is loaded, not when a
model silently receives ``{questoin}``.
"""

from __future__ import annotations

import re
import string
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from assistant import yamlio
from assistant.errors import PromptError

PROMPT_SUFFIXES = (".md", ".txt")
# the YAML block between two "---" lines; it may be empty ("---\n---"), which then declares no variables
_FRONT_MATTER = re.compile(r"\A---[ \t]*\r?\n(?:(.*?)\r?\n)?---[ \t]*(?:\r?\n|\Z)", re.DOTALL)
_IDENTIFIER = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")


@dataclass(frozen=True)
class PromptTemplateFile:
    """One prompt file, parsed and checked.

    Attributes:
        name: the prompt's name (file name without suffix).
        variables: the declared variables, in declaration order.
        body: the template text after the front matter.
        path: the file it was read from.
        description: optional front-matter description.
    """

    name: str
    variables: tuple[str, ...]
    body: str
    path: Path
    description: str = ""

    @classmethod
    def load(cls, name: str, prompts_dir: Path | str | None = None) -> PromptTemplateFile:
        """Read and check ``<prompts_dir>/<name>.md`` (or ``.txt``).

        Args:
            name: prompt name, e.g. ``"system"``; a name with a suffix is used as given.
            prompts_dir: defaults to the ``SHENBAO_PROMPTS_DIR`` setting (``prompts/`` of the project).

        Raises:
            PromptError: the file is missing or unreadable, the front matter is malformed, or a placeholder
                in the body is not declared (or a declared variable is never used).
        """
        bad_name = not isinstance(name, str) or not name.strip() or name.startswith(".")
        if bad_name or "/" in name or "\\" in name:
            raise PromptError(f"提示词名称 {name!r} 无效：只能是 prompts 目录下的文件名。")
        if prompts_dir is None:
            from assistant.config import get_settings

            prompts_dir = get_settings().prompts_dir
        directory = Path(prompts_dir)
        path = cls._find(name, directory)
        try:
            raw = path.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            raise PromptError(f"提示词文件 {path} 无法读取（{type(exc).__name__}），"
                              "请检查文件是否为 UTF-8 文本。") from None
        return cls.parse(raw, name=path.stem, path=path)

    @staticmethod
    def _find(name: str, directory: Path) -> Path:
        if Path(name).suffix:
            candidates = [directory / name]
        else:
            candidates = [directory / f"{name}{s}" for s in PROMPT_SUFFIXES]
        for p in candidates:
            if p.is_file():
                return p
        raise PromptError(f"找不到提示词文件“{name}”（已查找 {', '.join(str(p) for p in candidates)}）。"
                          "请确认 SHENBAO_PROMPTS_DIR 指向包含提示词文件的目录。")

    @classmethod
    def parse(cls, raw: str, name: str, path: Path | None = None) -> PromptTemplateFile:
        """Parse prompt text (front matter + body) and check its placeholders.

        Raises:
            PromptError: as for :meth:`load`.
        """
        m = _FRONT_MATTER.match(raw.lstrip("\ufeff"))
        if not m:
            raise PromptError(f"提示词“{name}”缺少开头的 YAML 声明（--- variables: [...] ---）。")
        try:
            meta = yamlio.safe_load(m.group(1) or "") or {}
        except yaml.YAMLError:
            raise PromptError(f"提示词“{name}”的 YAML 声明无法解析。") from None
        if not isinstance(meta, dict):
            raise PromptError(f"提示词“{name}”的 YAML 声明必须是键值对。")
        declared = meta.get("variables", [])
        if declared is None:
            declared = []
        names_ok = isinstance(declared, list) and all(
            isinstance(v, str) and _IDENTIFIER.match(v) for v in declared)
        if not names_ok:
            raise PromptError(f"提示词“{name}”的 variables 必须是变量名列表，当前为 {declared!r}。")
        if len(set(declared)) != len(declared):
            raise PromptError(f"提示词“{name}”的 variables 有重复：{declared!r}。")
        body = raw.lstrip("\ufeff")[m.end():]
        used = cls._placeholders(body, name)
        undeclared = [v for v in used if v not in declared]
        if undeclared:
            raise PromptError(f"提示词“{name}”使用了未声明的变量 {{{undeclared[0]}}}，"
                              "请在 variables 中声明。")
        unused = [v for v in declared if v not in used]
        if unused:
            raise PromptError(f"提示词“{name}”声明了变量“{unused[0]}”但正文中没有使用 {{{unused[0]}}}。")
        return cls(name=name, variables=tuple(declared), body=body, path=path or Path(name),
                   description=str(meta.get("description", "") or ""))

    @staticmethod
    def _placeholders(body: str, name: str) -> list[str]:
        """The placeholder names in order of first use; only plain ``{name}`` is allowed."""
        out: list[str] = []
        try:
            parsed = list(string.Formatter().parse(body))
        except ValueError:
            raise PromptError(f"提示词“{name}”的花括号不成对；字面花括号请写成 {{{{ 和 }}}}。") from None
        for _, field_name, format_spec, conversion in parsed:
            if field_name is None:
                continue
            if not _IDENTIFIER.match(field_name) or format_spec or conversion:
                raise PromptError(f"提示词“{name}”中的占位符 {{{field_name}}} 无效：只能是 {{变量名}}。")
            if field_name not in out:
                out.append(field_name)
        return out

    def render(self, **variables: Any) -> str:
        """The body with every declared variable filled in.

        Raises:
            PromptError: a declared variable is missing, or an undeclared one is given.
        """
        missing = [v for v in self.variables if v not in variables]
        if missing:
            raise PromptError(f"渲染提示词“{self.name}”时缺少变量“{missing[0]}”。")
        extra = sorted(set(variables) - set(self.variables))
        if extra:
            raise PromptError(f"提示词“{self.name}”没有声明变量“{extra[0]}”。")
        # values are inserted once, never re-parsed: braces inside a question stay literal
        return self.body.format_map({k: "" if v is None else str(v) for k, v in variables.items()})
