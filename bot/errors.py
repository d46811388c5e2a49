"""Refusals the user can act on. They carry data; `bot/ui/errors.py` words each one (through `_()`).

Services and cogs raise these; nothing below the ui layer writes user text.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum


class UserError(Exception):
    """Something the user can act on, shown privately; the ui words it from its fields."""


# --- driver news -----------------------------------------------------------------------------------------


class NewsNotSetUp(UserError):
    """A /tracking command that needs a news channel, in a server that has none."""


class NewsChannelRefused(UserError):
    """The bot lacks View Channel, Send Messages or Embed Links (the digest is an embed) in the channel picked
    for driver news."""

    def __init__(self, channel_id: int) -> None:
        super().__init__(channel_id)
        self.channel_id = channel_id


# --- drivers ------------------------------------------------------------------------------------------


class NoSuchDriver(UserError):
    """GT Grid Stats has no driver with this PSN ID (after a sync)."""

    def __init__(self, psn_id: str) -> None:
        super().__init__(psn_id)
        self.psn_id = psn_id


class AlreadyLinked(UserError):
    """The PSN ID belongs to another member of this server."""

    def __init__(self, psn_id: str, member_id: int) -> None:
        super().__init__(psn_id, member_id)
        self.psn_id = psn_id
        self.member_id = member_id


class NotLinked(UserError):
    """A member (None: the user themself) has no linked PSN ID here; `hint` says what else to give."""

    def __init__(self, member_id: int | None, *, hint: bool = True) -> None:
        super().__init__(member_id)
        self.member_id = member_id
        self.hint = hint


class NobodyLinked(UserError):
    """Nobody in this server has linked a PSN ID yet."""


class NotAMember(UserError):
    def __init__(self, user_id: int) -> None:
        super().__init__(user_id)
        self.user_id = user_id


class BotsHaveNoPsn(UserError):
    """A bot was picked as a member to link or unlink."""


class Action(StrEnum):
    LINK = "link"
    UNLINK = "unlink"


class NeedsManageServer(UserError):
    """Acting on someone else's link needs the Manage Server permission."""

    def __init__(self, action: Action) -> None:
        super().__init__(action)
        self.action = action


class EitherOption(UserError):
    """Two options that exclude each other were both given (their names, as the command shows them)."""

    def __init__(self, first: str, second: str) -> None:
        super().__init__(first, second)
        self.first = first
        self.second = second


class NotAUserId(UserError):
    def __init__(self, text: str) -> None:
        super().__init__(text)
        self.text = text


# --- driver lists ---------------------------------------------------------------------------------------


class ProblemKind(StrEnum):
    NOT_A_DRIVER = "not_a_driver"  # neither a PSN ID nor a member mention
    LISTED_TWICE = "listed_twice"  # the same entry twice
    NOT_LINKED = "not_linked"  # a mentioned member without a link here
    SAME_DRIVER = "same_driver"  # an entry naming a driver already in the list (`psn_id`: which)


@dataclass(frozen=True)
class ListProblem:
    kind: ProblemKind
    entry: str
    psn_id: str | None = None


class DriverListError(UserError):
    """Every problem of a driver list at once."""

    def __init__(self, problems: Sequence[ListProblem]) -> None:
        super().__init__(len(problems))
        self.problems = tuple(problems)


class DriverCountError(UserError):
    """Too few or too many drivers; `over` lists the entries past the limit (when there is one)."""

    def __init__(
        self, *, given: int, minimum: int | None = None, maximum: int | None = None, over: Sequence[str] = ()
    ) -> None:
        super().__init__(given)
        self.given = given
        self.minimum = minimum
        self.maximum = maximum
        self.over = tuple(over)
