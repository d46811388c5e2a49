"""The catalogues are complete: `make test` fails when a message is missing, fuzzy or mis-placeheld."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from babel.messages.catalog import Catalog
from discord import app_commands

from bot.ui import catalogues
from bot.ui.i18n import LANGUAGES, catalogue_path
from tests.conftest import Harness


def test_every_catalogue_has_every_message_translated_with_the_same_placeholders() -> None:
    assert catalogues.problems() == []


def test_the_template_is_up_to_date_with_the_code() -> None:
    assert catalogues.template_is_current() == []


def test_each_language_has_a_catalogue_with_its_plural_rule() -> None:
    for language in LANGUAGES:
        po = catalogues.read(catalogue_path(language), language)
        assert po.num_plurals == Catalog(locale=language).num_plurals, language


def _template(*entries: tuple[Any, list[str]]) -> Catalog:
    template = Catalog()
    for message, comments in entries:
        template.add(message, auto_comments=comments)
    return template


def test_the_check_reports_missing_fuzzy_placeholder_plural_and_length_problems(
    monkeypatch: Any, tmp_path: Any
) -> None:
    """The check itself catches each kind of problem (on a throwaway catalogue, not the real ones)."""
    template = _template(
        ("Hello {name}.", []),
        ("Fuzzy.", []),
        ("Missing.", []),
        (("{count} car", "{count} cars"), []),
        ("Short description", [catalogues.APP_COMMAND_NOTE]),
    )
    po = Catalog(locale="de")
    po.add("Hello {name}.", "Hallo {nom}.")
    po.add("Fuzzy.", "Unscharf.", flags=["fuzzy"])
    po.add(("{count} car", "{count} cars"), ("ein Auto", ""))
    po.add("Short description", "x" * 101, auto_comments=[catalogues.APP_COMMAND_NOTE])
    path = tmp_path / "de" / "LC_MESSAGES" / "messages.po"
    catalogues._write(po, path)
    monkeypatch.setattr(catalogues, "LANGUAGES", ("de",))
    monkeypatch.setattr(catalogues, "catalogue_path", lambda language: path)
    found = "\n".join(catalogues.problems(template))
    assert "de: 'Hello {name}.': placeholders ['nom'], English has ['name']" in found
    assert "de: 'Fuzzy.': fuzzy" in found
    assert "de: 'Missing.': missing" in found
    assert "de: '{count} car': missing" in found
    assert "de: 'Short description': longer than Discord's 100 characters" in found


def _command_texts(commands: list[Any]) -> Iterator[str]:
    for command in commands:
        yield command.description
        if isinstance(command, app_commands.Group):
            yield from _command_texts(command.commands)
        else:
            for parameter in command.parameters:
                # No skipping discord.py's "…" placeholder: tests/cogs/test_command_surface.py forbids it.
                yield parameter.description
                yield from (choice.name for choice in parameter.choices)


async def test_every_command_description_and_choice_is_in_the_template(harness: Harness) -> None:
    """What discord.py's Translator will be asked for (read from the live command tree) is extracted."""
    texts = set(_command_texts(list(harness.bot.tree.get_commands())))
    template = {message.id for message in catalogues.read(catalogues.TEMPLATE) if message.id}
    assert texts, "no commands loaded"
    assert sorted(texts - template) == []


def test_the_extractor_reads_commands_built_in_code_and_choices_built_from_constants() -> None:
    source = """
class Teams(app_commands.Group, name="team", description="A league's teams."):
    pass

class Signups(app_commands.Group):
    def __init__(self) -> None:
        super().__init__(name="signups", description="Sign-ups for a league.")

LOBBIES = app_commands.Command(name="lobbies", description="Split drivers into rooms.", callback=f)
GRADES = [app_commands.Choice(name=grade, value=grade) for grade in CLASSES]

@app_commands.describe(size=f"Most drivers a room takes ({LOW}–{HIGH}, default {HIGH})")
async def lobbies(interaction, size: int) -> None: ...
"""
    names = {"CLASSES": ("E", "A+"), "LOW": 2, "HIGH": 16}
    texts = {text for _, text in catalogues.app_command_texts(source, names)}
    assert texts == {
        "A league's teams.",
        "Sign-ups for a league.",
        "Split drivers into rooms.",
        "E",
        "A+",
        "Most drivers a room takes (2–16, default 16)",
    }


def test_a_description_not_known_before_run_time_stops_the_extraction() -> None:
    source = "@app_commands.describe(size=make_help())\nasync def f(interaction, size: int) -> None: ...\n"
    with pytest.raises(catalogues.UnresolvedText, match=r"line 1: describe\(size=\.\.\.\)"):
        list(catalogues.app_command_texts(source, {}))
