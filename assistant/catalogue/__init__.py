"""Automatic notice catalogue: reading each notice file's catalogue fields from its text."""

from assistant.catalogue.fields import (
    KINDS,
    Amount,
    Contact,
    Deadline,
    FieldValue,
    NoticeFieldReader,
    NoticeFields,
    Programme,
    Source,
)

__all__ = [
    "KINDS",
    "Amount",
    "Contact",
    "Deadline",
    "FieldValue",
    "NoticeFieldReader",
    "NoticeFields",
    "Programme",
    "Source",
]
