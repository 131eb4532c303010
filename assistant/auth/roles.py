"""Roles and what each may do: one table read by the web pages and the HTTP API alike.

``applicant`` is everyone who has not logged in; ``staff`` (hotline) adds clause lookup, the feedback view
and rule review; ``admin`` adds notice upload/replace/delete, re-indexing, user management and the feedback
export. Each role holds every capability of the roles below it.
"""

from __future__ import annotations

from enum import StrEnum

from assistant.errors import InputError


class Role(StrEnum):
    """A caller's role, lowest first."""

    APPLICANT = "applicant"
    STAFF = "staff"
    ADMIN = "admin"

    @property
    def label(self) -> str:
        """The Chinese name shown in the pages."""
        return ROLE_LABELS[self]

    @classmethod
    def parse(cls, value: object, staff_only: bool = False) -> Role:
        """A role from its name.

        Args:
            value: ``applicant``, ``staff`` or ``admin``.
            staff_only: refuse ``applicant`` (users and keys are created for staff and admins only).

        Raises:
            InputError: any other value.
        """
        allowed = [r for r in cls if not (staff_only and r is cls.APPLICANT)]
        for r in allowed:
            if value == r.value:
                return r
        names = "、".join(r.value for r in allowed)
        raise InputError(f"角色只能是 {names} 之一，收到 {value!r}。")


ROLE_LABELS = {Role.APPLICANT: "申报人", Role.STAFF: "工作人员", Role.ADMIN: "管理员"}

# capability → the lowest role that has it
CAPABILITIES: dict[str, Role] = {
    "chat": Role.APPLICANT,
    "check": Role.APPLICANT,
    "match": Role.APPLICANT,
    "search": Role.APPLICANT,       # the API's clause search (the web lookup page is staff's)
    "notices_read": Role.APPLICANT,
    "lookup": Role.STAFF,
    "feedback_view": Role.STAFF,
    "rule_review": Role.STAFF,
    "upload": Role.ADMIN,
    "delete": Role.ADMIN,
    "reindex": Role.ADMIN,
    "users": Role.ADMIN,
    "feedback_export": Role.ADMIN,
}
_ORDER = {Role.APPLICANT: 0, Role.STAFF: 1, Role.ADMIN: 2}


def can(role: Role | None, capability: str) -> bool:
    """Whether ``role`` (None = anonymous applicant) may use ``capability``.

    Raises:
        KeyError: an unknown capability (a typo in a page or route must fail loudly, not open it).
    """
    need = CAPABILITIES[capability]
    return _ORDER[role or Role.APPLICANT] >= _ORDER[need]


def required_role(capability: str) -> Role:
    """The lowest role holding ``capability``."""
    return CAPABILITIES[capability]
