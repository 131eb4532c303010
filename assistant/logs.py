"""Structured logs: one JSON object per line, with the API key masked wherever it might turn up.

Question text is personal (company names, plans): it is logged only when ``SHENBAO_LOG_QUESTIONS`` allows it
(:func:`question_for_log`); otherwise only its length is.
"""

from __future__ import annotations

import json
import logging
import time
from collections.abc import Iterable
from typing import Any

MASK = "***"


class JsonLogFormatter(logging.Formatter):
    """Formats a record as one JSON line: time, level, logger, msg (and exc when there is a traceback).

    Args:
        secrets: strings replaced by ``***`` in the whole line (the API key); empty ones are ignored.
    """

    def __init__(self, secrets: Iterable[str | None] = ()) -> None:
        super().__init__()
        self.secrets = [s for s in secrets if s]

    def format(self, record: logging.LogRecord) -> str:
        """The record as a single JSON line."""
        out: dict[str, Any] = {
            "time": time.strftime("%Y-%m-%dT%H:%M:%S", time.localtime(record.created)),
            "level": record.levelname,
            "logger": record.name,
            "msg": record.getMessage(),
        }
        if record.exc_info:
            out["exc"] = self.formatException(record.exc_info)
        elif record.exc_text:
            out["exc"] = record.exc_text
        line = json.dumps(out, ensure_ascii=False, default=str)
        for secret in self.secrets:
            line = line.replace(secret, MASK)
        return line


def configure_logging(verbose: bool, secrets: Iterable[str | None] = ()) -> None:
    """Root logging to stderr as JSON lines (DEBUG with ``verbose``, else WARNING).

    Like ``logging.basicConfig``, nothing changes when the root logger already has handlers (an embedding
    application's, or pytest's).
    """
    handler = logging.StreamHandler()
    handler.setFormatter(JsonLogFormatter(secrets))
    logging.basicConfig(level=logging.DEBUG if verbose else logging.WARNING, handlers=[handler])


def question_for_log(question: str, allowed: bool) -> str:
    """The question itself when logging it is allowed (``SHENBAO_LOG_QUESTIONS``), else only its length."""
    return question if allowed else f"<{len(question)} 字，未记录原文；设置 SHENBAO_LOG_QUESTIONS=1 可记录>"
