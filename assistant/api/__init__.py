"""The HTTP API: OpenAI-compatible chat completions plus search, eligibility and notice admin endpoints."""

from __future__ import annotations

from assistant.api.app import ACCESS, create_app

__all__ = ["ACCESS", "create_app"]
