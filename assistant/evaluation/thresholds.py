"""The release gate: metrics.json checked against minimums (and latency maximums) from a YAML file."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from assistant import yamlio
from assistant.errors import ConfigError

_EVIDENCE = re.compile(r"^evidence_at_(\d+)$")


@dataclass(frozen=True)
class ThresholdMiss:
    """One missed threshold."""

    metric: str
    value: float | None
    limit: float
    upper: bool  # True: the limit is a maximum

    def describe(self) -> str:
        """A line for the console, in Chinese."""
        got = "无" if self.value is None else f"{self.value:.3f}"
        rel = "上限" if self.upper else "下限"
        return f"{self.metric}={got}，未达{rel} {self.limit:g}"


class ThresholdGate:
    """Checks a run's metrics against a threshold file.

    Args:
        path: the YAML file (``default`` plus optional per-dataset sections, see evals/thresholds.yaml).
        dataset: the dataset's stem, selecting its section on top of ``default``.

    Raises:
        ConfigError: unreadable file, a section that is not a mapping, or a non-numeric threshold.
    """

    def __init__(self, path: Path, dataset: str | None = None) -> None:
        if not path.exists():
            raise ConfigError(f"阈值文件不存在：{path}")
        try:
            raw = yamlio.safe_load(path.read_text(encoding="utf-8")) or {}
        except yaml.YAMLError as exc:
            raise ConfigError(f"阈值文件 {path} 不是合法的 YAML：{exc}") from None
        if not isinstance(raw, dict):
            raise ConfigError(f"阈值文件 {path} 顶层应为映射（default: …）。")
        limits: dict[str, float] = {}
        for section in ("default", dataset):
            body = raw.get(section) if section else None
            if body is None:
                continue
            if not isinstance(body, dict):
                raise ConfigError(f"阈值文件 {path} 中 {section} 应为 指标: 数值 的映射。")
            for key, val in body.items():
                if isinstance(val, bool) or not isinstance(val, int | float):
                    raise ConfigError(f"阈值文件 {path} 中 {section}.{key}={val!r} 不是数字。")
                limits[str(key)] = float(val)
        self.path = path
        self.dataset = dataset
        self.limits = limits

    def run(self, metrics: dict[str, Any]) -> list[ThresholdMiss]:
        """The thresholds ``metrics`` misses (empty: the gate passes)."""
        misses: list[ThresholdMiss] = []
        for key, limit in self.limits.items():
            value = self._lookup(metrics, key)
            if value is _SKIP:
                continue
            upper = key.startswith("latency_")
            ok = value is not None and (value <= limit if upper else value >= limit)
            if not ok:
                misses.append(ThresholdMiss(key, value, limit, upper))
        return misses

    @staticmethod
    def _lookup(metrics: dict[str, Any], key: str) -> Any:
        m = _EVIDENCE.match(key)
        if m:
            return metrics.get("evidence_at_k") if int(m.group(1)) == metrics.get("k", 5) else _SKIP
        scope: Any = metrics
        if key.startswith("ragas."):
            scope, key = metrics.get("ragas") or {}, key[len("ragas."):]
        elif key.startswith("baseline."):
            scope, key = metrics.get("baseline") or {}, key[len("baseline."):]
            if key.startswith("evidence_at_"):
                return ThresholdGate._lookup(scope, key)
        val = scope.get(key)
        return float(val) if isinstance(val, int | float) and not isinstance(val, bool) else None


_SKIP = object()
