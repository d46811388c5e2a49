"""Errors whose text is written for the user. Services raise them; the command tree renders them."""

from __future__ import annotations


class FriendlyError(Exception):
    """Something the user can act on. `message` is shown as is, ephemeral unless `public`."""

    def __init__(self, message: str, *, public: bool = False) -> None:
        super().__init__(message)
        self.message = message
        self.public = public
