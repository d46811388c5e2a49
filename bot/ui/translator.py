"""Slash commands in the user's language: descriptions and choice names from the same catalogues as `_()`.

Command, group and option NAMES stay English (localized names confuse help texts and command mentions):
the translator answers None for them, and for anything a catalogue lacks, so Discord shows the English.
A translation Discord would refuse (over 100 characters, or empty) is left out with a warning instead of
failing the whole command sync.
"""

from __future__ import annotations

import logging

import discord
from discord import app_commands

from bot.ui.i18n import SOURCE_LANGUAGE, language_for, translation

log = logging.getLogger(__name__)

DISCORD_TEXT_LIMIT = 100  # descriptions and choice names, per locale

_Location = app_commands.TranslationContextLocation
TRANSLATED = frozenset(
    {
        _Location.command_description,
        _Location.group_description,
        _Location.parameter_description,
        _Location.choice_name,
    }
)


class CatalogueTranslator(app_commands.Translator):
    async def translate(
        self,
        string: app_commands.locale_str,
        locale: discord.Locale,
        context: app_commands.TranslationContextTypes,
    ) -> str | None:
        if context.location not in TRANSLATED:
            return None
        language = language_for(locale)
        if language == SOURCE_LANGUAGE:
            return None
        text = translation(string.message, language)
        if text is None:
            return None  # autocomplete choices (car names, leagues) are rarely in a catalogue: no log
        if len(text) > DISCORD_TEXT_LIMIT:
            log.warning(
                "the %s translation of %r is over %d characters: English is shown",
                language,
                string.message[:60],
                DISCORD_TEXT_LIMIT,
            )
            return None
        return text
