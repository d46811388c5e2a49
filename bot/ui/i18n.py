"""Every word the bot shows goes through `_` (or `ngettext`), so translating the bot touches catalogues only.

The language is a context variable: the command tree and the base view set it from the interaction (the
user's Discord language for answers), background posts set it from the server's preferred language. Code
that words a message calls `_("…{name}…", name=value)`: the English text is the message id, looked up in
the current language's catalogue, then its `{placeholders}` are filled. Module-level constants are marked
with `N_` (for extraction) and translated where they are shown.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar

SOURCE_LANGUAGE = "en"

# Discord locale -> the catalogue that speaks it (GT7's main languages). Anything else reads English.
DISCORD_LANGUAGES: dict[str, str] = {
    "en-US": "en",
    "en-GB": "en",
    "ja": "ja",
    "zh-CN": "zh_Hans",
    "zh-TW": "zh_Hant",
    "ko": "ko",
    "de": "de",
    "fr": "fr",
    "es-ES": "es",
    "es-419": "es",
    "it": "it",
    "pt-BR": "pt_BR",
}

_language: ContextVar[str] = ContextVar("language", default=SOURCE_LANGUAGE)


def language_for(discord_locale: object) -> str:
    """The catalogue language for a Discord locale (a `discord.Locale` or its string value)."""
    value = getattr(discord_locale, "value", discord_locale)
    return DISCORD_LANGUAGES.get(str(value), SOURCE_LANGUAGE)


def current_language() -> str:
    return _language.get()


def set_language(language: str) -> None:
    """Speak `language` for the rest of this task (an interaction's handling runs in its own task)."""
    _language.set(language)


@contextmanager
def speaking(language: str) -> Iterator[None]:
    """Speak `language` inside the block only (background posts in a server's language)."""
    token = _language.set(language)
    try:
        yield
    finally:
        _language.reset(token)


def _lookup(message: str) -> str:
    # Catalogue lookup; until catalogues exist every language reads the English source.
    return message


def _(message: str, /, **params: object) -> str:
    """`message` in the current language, with its `{placeholders}` filled from `params`."""
    text = _lookup(message)
    return text.format(**params) if params else text


def ngettext(singular: str, plural: str, count: int, /, **params: object) -> str:
    """The singular or plural form for `count` (available as `{count}`), in the current language."""
    text = _lookup(singular if count == 1 else plural)
    return text.format(count=count, **params)


def N_(message: str, /) -> str:
    """Marks a constant for extraction; translate it with `_` where it is shown."""
    return message
