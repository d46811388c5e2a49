"""Which GT Grid Stats region's names suit a Discord user's language.

GT Grid Stats localizes names by region code (mostly ISO country codes: "jp", "kr", "br"); Discord reports
the client's language ("ja", "ko", "pt-BR"). A language maps to the country most associated with it; the
catalog then uses that region only when GT Grid Stats lists it as active. English maps to no region: the
API's default names are English.
"""

from __future__ import annotations

import discord

DISCORD_LOCALE_TO_REGION: dict[str, str | None] = {
    "en-US": None,
    "en-GB": None,
    "bg": "bg",
    "zh-CN": "cn",
    "zh-TW": "tw",
    "hr": "hr",
    "cs": "cz",
    "id": "id",
    "da": "dk",
    "nl": "nl",
    "fi": "fi",
    "fr": "fr",
    "de": "de",
    "el": "gr",
    "hi": "in",
    "hu": "hu",
    "it": "it",
    "ja": "jp",
    "ko": "kr",
    "es-419": "mx",
    "lt": "lt",
    "no": "no",
    "pl": "pl",
    "pt-BR": "br",
    "ro": "ro",
    "ru": "ru",
    "es-ES": "es",
    "sv-SE": "se",
    "th": "th",
    "tr": "tr",
    "uk": "ua",
    "vi": "vn",
}


def region_for_discord_locale(locale: discord.Locale | str | None) -> str | None:
    """The region code for a Discord locale, or None for English and languages we don't know."""
    if locale is None:
        return None
    value = locale.value if isinstance(locale, discord.Locale) else locale
    return DISCORD_LOCALE_TO_REGION.get(value)
