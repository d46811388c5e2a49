"""The command surface Discord shows: every command, group, subcommand and option has a description, and an
option name means one thing: options of the same name and type read the same wherever they appear."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator
from typing import Any

from discord import app_commands

from tests.conftest import Harness

# Same name and type, different meaning on purpose: each pair of (command, option) listed is allowed its own
# wording. Keep this short: a new entry needs a reason.
OWN_MEANING: dict[tuple[str, str], str] = {
    ("car", "car"): "a car of the catalog, not a race's car or class",
    ("tracking channel", "channel"): "where driver news goes, not the league's standings posts",
    ("league team remove", "drivers"): "who leaves the team; left out, the team is deleted",
    ("standings", "league"): "left out, /standings shows the linked members, not the server's only league",
    ("link", "member"): "whom the link is for",
    ("unlink", "member"): "whose link goes",
    ("league setup", "name"): "a league's name, not a team's",
    ("link", "psn_id"): "the driver being linked, with the PSN ID rules",
    ("me psn set", "psn_id"): "your own PSN ID, with the PSN ID rules",
    ("league lobbies", "race"): "has a default: the next race with check-in open",
    ("standings", "series"): "defaults to the league's series",
    ("tracking digest", "timezone"): "no league here: the digest's time zone defaults to UTC",
}


def _walk(commands: list[Any], prefix: str = "") -> Iterator[tuple[str, Any]]:
    for command in commands:
        name = f"{prefix}{command.name}"
        yield name, command
        if isinstance(command, app_commands.Group):
            yield from _walk(command.commands, f"{name} ")


def _options(harness: Harness) -> Iterator[tuple[str, app_commands.Parameter]]:
    for name, command in _walk(list(harness.bot.tree.get_commands())):
        if isinstance(command, app_commands.Command):
            for parameter in command.parameters:
                yield name, parameter


def _blank(description: str) -> bool:
    return not description.strip() or description.strip() == "…"


async def test_every_command_group_and_option_has_a_description(harness: Harness) -> None:
    missing = [
        name for name, command in _walk(list(harness.bot.tree.get_commands())) if _blank(command.description)
    ]
    missing += [f"{name} {p.name}" for name, p in _options(harness) if _blank(p.description)]
    assert missing == [], "\n".join(missing)


async def test_options_of_the_same_name_and_type_use_one_wording(harness: Harness) -> None:
    wordings: dict[tuple[str, str], dict[str, list[str]]] = defaultdict(lambda: defaultdict(list))
    for command, parameter in _options(harness):
        if (command, parameter.name) in OWN_MEANING:
            continue
        key = (parameter.name, parameter.type.name)
        wordings[key][parameter.description].append(command)
    options = {(command, parameter.name) for command, parameter in _options(harness)}
    assert sorted(set(OWN_MEANING) - options) == [], "OWN_MEANING lists options that no longer exist"
    differing = [
        f"{name} ({kind}): {description!r} on {', '.join(commands)}"
        for (name, kind), found in sorted(wordings.items())
        if len(found) > 1
        for description, commands in found.items()
    ]
    assert differing == [], "\n".join(differing)
