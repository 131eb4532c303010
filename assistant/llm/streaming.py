"""Incremental decoding of the ``answer`` field while the model streams its JSON answer."""

from __future__ import annotations

import re

_START = re.compile(r'"answer"\s*:\s*"')
_ESCAPES = {"n": "\n", "t": "\t", "r": "", "b": "", "f": "", '"': '"', "\\": "\\", "/": "/"}


class AnswerFieldStreamer:
    """Feeds on raw JSON deltas and returns the newly decoded characters of the ``answer`` string.

    The model streams ``{"answer": "…", "found": …}``; the page wants the answer text as it arrives, not
    JSON. Only whole escape sequences are decoded, so a delta never ends inside ``\\n`` or ``\\u4e2d``.
    """

    def __init__(self) -> None:
        self._buf = ""
        self._emitted = 0
        self._done = False

    def run(self, delta: str) -> str:
        """The answer text decoded since the previous call ('' when none)."""
        if self._done or not delta:
            return ""
        self._buf += delta
        m = _START.search(self._buf)
        if not m:
            return ""
        decoded, self._done = self._decode(self._buf, m.end())
        new = decoded[self._emitted:]
        self._emitted = len(decoded)
        return new

    @staticmethod
    def _decode(buf: str, i: int) -> tuple[str, bool]:
        out: list[str] = []
        n = len(buf)
        while i < n:
            ch = buf[i]
            if ch == '"':
                return "".join(out), True
            if ch != "\\":
                out.append(ch)
                i += 1
                continue
            if i + 1 >= n:
                break
            esc = buf[i + 1]
            if esc != "u":
                out.append(_ESCAPES.get(esc, esc))
                i += 2
                continue
            if i + 6 > n:
                break
            try:
                code = int(buf[i + 2:i + 6], 16)
            except ValueError:
                code = 0xFFFD
            if 0xD800 <= code < 0xDC00:  # a surrogate pair needs its second half
                if i + 12 > n:
                    break
                try:
                    low = int(buf[i + 8:i + 12], 16)
                    code = 0x10000 + ((code - 0xD800) << 10) + (low - 0xDC00)
                    i += 6
                except ValueError:
                    code = 0xFFFD
            out.append(chr(code) if 0 <= code < 0x110000 and not 0xD800 <= code < 0xE000 else "\ufffd")
            i += 6
        return "".join(out), False
