"""Saving uploaded notice files: the logic lives in :mod:`assistant.notice_admin` (shared with the API)."""

from __future__ import annotations

from assistant.notice_admin import ALLOWED_SUFFIXES, MAX_UPLOAD_BYTES, SavedUpload, UploadSaver, safe_name

__all__ = ["ALLOWED_SUFFIXES", "MAX_UPLOAD_BYTES", "SavedUpload", "UploadSaver", "safe_name"]
