"""The small error hierarchy of shenbao.

Every message says what to do. They are turned into CLI/UI messages only at the edge
(``assistant/cli`` and ``ui/``), never printed here.
"""

from __future__ import annotations


class ShenbaoError(Exception):
    """Base of every error shenbao raises on purpose; its message is shown to the user as is."""


class ConfigError(ShenbaoError):
    """A setting (environment variable or argument) has a bad value."""


class InputError(ShenbaoError):
    """A question, fact set or argument from the user cannot be used."""


class ProfileError(InputError):
    """Applicant facts that do not fit the applicant profile (unknown key, bad value)."""


class IngestError(ShenbaoError):
    """A notice file cannot be read or parsed; the file is skipped, the others go on."""


class StoreError(ShenbaoError):
    """The clause index is missing, corrupt or unreachable."""


class IndexMissingError(StoreError):
    """No index has been built yet."""


class PromptError(ShenbaoError):
    """A prompt file is missing, malformed, or rendered without a declared variable."""


class LLMError(ShenbaoError):
    """The configured model endpoint failed; callers fall back to the offline answer."""


class RuleError(ShenbaoError):
    """The eligibility rules (YAML) are malformed or an unknown programme was asked for."""


class AuthError(ShenbaoError):
    """A login or API key was refused (wrong password, unknown or revoked key, locked account)."""


class PermissionDeniedError(AuthError):
    """The caller is known but their role may not do this."""


class RateLimitedError(ShenbaoError):
    """Too many requests or failed logins in a short time; ``retry_after`` says when to try again."""

    def __init__(self, message: str, retry_after: float = 1.0) -> None:
        super().__init__(message)
        self.retry_after = retry_after


class NotFoundError(InputError):
    """The named notice, user or key does not exist."""
