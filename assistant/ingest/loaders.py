"""Notice files → raw text: .txt/.md, .pdf (pypdf), .docx (python-docx), .html (BeautifulSoup)."""

from __future__ import annotations

import logging
import zipfile
from pathlib import Path

from assistant.errors import IngestError

log = logging.getLogger("shenbao.ingest")

SUPPORTED_SUFFIXES = (".txt", ".md", ".pdf", ".docx", ".html", ".htm")


class NoticeLoader:
    """Reads one notice file into text, refusing what it cannot read with a message naming the file.

    Args:
        max_bytes: files larger than this are refused (a notice is tens of KB; 20 MB is a wrong upload).
    """

    def __init__(self, max_bytes: int = 20_000_000) -> None:
        if max_bytes <= 0:
            raise ValueError(f"max_bytes must be positive, got {max_bytes!r}")
        self.max_bytes = max_bytes

    def run(self, path: Path) -> str:
        """The file's text (an HTML page as its visible text).

        Raises:
            IngestError: unsupported type, empty, too large, undecodable, encrypted or damaged.
        """
        text, fmt = self.read(path)
        return self._html(text) if fmt == "html" else text

    def read(self, path: Path) -> tuple[str, str]:
        """The file's content and its format: ``markdown`` or ``html`` (markup kept, for the structure
        reader), or ``text`` (PDF, DOCX and TXT extractions).

        Raises:
            IngestError: unsupported type, empty, too large, undecodable, encrypted or damaged.
        """
        name = path.name
        suffix = path.suffix.lower()
        if suffix not in SUPPORTED_SUFFIXES:
            raise IngestError(f"{name}：不支持的文件类型 {suffix or '（无扩展名）'}，"
                              f"请上传 {'/'.join(SUPPORTED_SUFFIXES)} 文件。")
        size = path.stat().st_size
        if size == 0:
            raise IngestError(f"{name} 是空文件，已跳过。")
        if size > self.max_bytes:
            raise IngestError(f"{name} 过大（{size / 1e6:.1f} MB，上限 {self.max_bytes / 1e6:.0f} MB），已跳过。")
        fmt = "text"
        if suffix in (".txt", ".md"):
            text = self._decode(path.read_bytes(), name)
            fmt = "markdown" if suffix == ".md" else "text"
        elif suffix == ".pdf":
            text = self._pdf(path)
        elif suffix == ".docx":
            text = self._docx(path)
        else:
            text, fmt = self._decode(path.read_bytes(), name), "html"
        visible = self._html(text) if fmt == "html" else text
        if not visible.strip():
            raise IngestError(f"{name} 中没有可提取的文字（可能是扫描件），已跳过。")
        return text, fmt

    @staticmethod
    def _decode(raw: bytes, name: str) -> str:
        try:
            text = raw.decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            raise IngestError(f"{name} 不是 UTF-8 编码（可能是 GBK），请另存为 UTF-8 后重新导入。") from exc
        if "\x00" in text:
            raise IngestError(f"{name} 含有二进制内容，不是文本文件，已跳过。")
        return text

    @staticmethod
    def _pdf(path: Path) -> str:
        from pypdf import PdfReader
        from pypdf.errors import PdfReadError

        try:
            reader = PdfReader(str(path))
            if reader.is_encrypted:
                raise IngestError(f"{path.name} 是加密的 PDF，请提供未加密的文件。")
            return "\n".join(page.extract_text() or "" for page in reader.pages)
        except IngestError:
            raise
        except (PdfReadError, ValueError, KeyError, OSError, TypeError) as exc:
            raise IngestError(f"{path.name} 不是完整可读的 PDF（{type(exc).__name__}），已跳过。") from exc

    @staticmethod
    def _docx(path: Path) -> str:
        import docx

        try:
            document = docx.Document(str(path))
        except (zipfile.BadZipFile, KeyError, ValueError, OSError) as exc:
            raise IngestError(f"{path.name} 不是有效的 Word（.docx）文件，已跳过。") from exc
        except Exception as exc:  # python-docx raises its own types for junk inside a valid zip
            raise IngestError(f"{path.name} 不是有效的 Word（.docx）文件（{type(exc).__name__}），已跳过。") from exc
        lines = [p.text for p in document.paragraphs]
        for table in document.tables:
            for row in table.rows:
                lines.append("\t".join(cell.text for cell in row.cells))
        return "\n".join(lines)

    @staticmethod
    def _html(text: str) -> str:
        from bs4 import BeautifulSoup

        soup = BeautifulSoup(text, "html.parser")
        for tag in soup(["script", "style", "nav", "header", "footer"]):
            tag.decompose()
        return soup.get_text("\n")
