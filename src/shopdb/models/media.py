"""Media: the asset read model, its create input, and a media record as linked to a product
or a variant (with the link's sort order and primary flag)."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Annotated
from uuid import UUID

from pydantic import AfterValidator, Field, StringConstraints

from shopdb.models.base import InputModel, RowModel, Text


class MediaType(StrEnum):
    """What kind of asset it is (media_type_check)."""

    IMAGE = "IMAGE"
    VIDEO = "VIDEO"
    DOCUMENT = "DOCUMENT"


class MediaProvider(StrEnum):
    """Where the asset is stored (media_provider_check)."""

    CLOUDINARY = "CLOUDINARY"
    S3 = "S3"


def _no_nul(value: str) -> str:
    """No NUL character (PostgreSQL text cannot hold one)."""
    if "\x00" in value:
        raise ValueError("must not contain the NUL character")
    return value


AssetId = Annotated[str, StringConstraints(min_length=1, max_length=1024), AfterValidator(_no_nul)]
MediaUrl = Annotated[
    str, StringConstraints(max_length=2048, pattern=r"^https?://\S+$"), AfterValidator(_no_nul)
]
MimeType = Annotated[
    str, StringConstraints(max_length=255, pattern=r"^[a-z]+/[a-z0-9][a-z0-9.+-]*$")
]
Pixels = Annotated[int, Field(gt=0, le=2**31 - 1)]
SortOrder = Annotated[int, Field(ge=0, le=2**31 - 1)]


class Media(RowModel):
    """An asset stored at a provider."""

    id: UUID
    asset_id: str
    url: str
    type: MediaType
    provider: MediaProvider
    mime_type: str
    size_bytes: int
    width: int | None
    height: int | None
    alt: str | None
    caption: str | None
    created_at: datetime
    updated_at: datetime


class NewMedia(InputModel):
    """What it takes to record an uploaded asset."""

    asset_id: AssetId
    url: MediaUrl
    type: MediaType
    provider: MediaProvider
    mime_type: MimeType
    size_bytes: Annotated[int, Field(ge=0, le=2**63 - 1)]
    width: Pixels | None = None
    height: Pixels | None = None
    alt: Text | None = None
    caption: Text | None = None


class AttachedMedia(Media):
    """A media record as linked to one product or variant: its place and whether it is the
    owner's primary (each owner with media has exactly one)."""

    sort_order: int
    is_primary: bool
