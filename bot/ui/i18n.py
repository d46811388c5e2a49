"""Every word the bot shows goes through `_` (or `ngettext`), so translating the bot touches catalogues only.

The language is a context variable: the command tree and the base view set it from the interaction (the
user's Discord language for answers), background posts set it from the server's preferred language. Code
that words a message calls `_("…{name}…", name=value)`: the English text is the message id, looked up in
the current language's catalogue, then its `{placeholders}` are filled. Module-level constants are marked
with `N_` (for extraction) and translated where they are shown.

Catalogues are gettext `.po` files in `bot/locale/<language>/LC_MESSAGES/messages.po`, read with Babel the
first time a language speaks (`load_catalogues()` reads them all at start): no compile step, so a fresh
checkout runs as it is. A message a catalogue lacks (or has only as a fuzzy guess) reads English.
"""

from __future__ import annotations

import gettext
import logging
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Protocol

from babel.messages.pofile import read_po

log = logging.getLogger(__name__)

SOURCE_LANGUAGE = "en"
LOCALE_DIR = Path(__file__).resolve().parent.parent / "locale"
DOMAIN = "messages"

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
# The translated languages, each with a catalogue (English is the source and has none).
LANGUAGES: tuple[str, ...] = tuple(sorted({lang for lang in DISCORD_LANGUAGES.values()} - {SOURCE_LANGUAGE}))

_MISSING_LOG_LIMIT = 2_048  # "logged once" remembers this many (language, message) pairs, no more

_language: ContextVar[str] = ContextVar("language", default=SOURCE_LANGUAGE)


def language_for(discord_locale: object) -> str:
    """The catalogue language for a Discord locale (a `discord.Locale` or its string value)."""
    value = getattr(discord_locale, "value", discord_locale)
    return DISCORD_LANGUAGES.get(str(value), SOURCE_LANGUAGE)


def guild_language(guild: object | None) -> str:
    """The language of a server's public posts: its preferred locale (Community settings), else English.

    Background posters wrap their work in `with public_post(bot, guild_id):`.
    """
    return language_for(getattr(guild, "preferred_locale", None))


class GuildSource(Protocol):
    """What `public_post` needs of the bot: its cached servers (discord.Client.get_guild)."""

    def get_guild(self, id: int, /) -> object | None: ...


def public_post(client: GuildSource, guild_id: int | None) -> AbstractContextManager[None]:
    """Speak the language of server `guild_id`'s public posts inside the block (English when unknown).

    THE way every message others read is worded: background posts (driver news, the digest, league
    posts, league night's check-ins, reminders and message edits) and the public message a button click
    edits. The clicker's private answer stays in their own language (set by the tree or the view).
    """
    guild = client.get_guild(guild_id) if guild_id is not None else None
    return speaking(guild_language(guild))


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


# --- catalogues ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Catalogue:
    """One language's translations, as read from its .po file (fuzzy and empty entries left out)."""

    language: str
    messages: dict[str, str]
    plurals: dict[tuple[str, str], tuple[str, ...]]
    plural_index: Callable[[int], int]


def catalogue_path(language: str) -> Path:
    return LOCALE_DIR / language / "LC_MESSAGES" / f"{DOMAIN}.po"


@cache
def catalogue(language: str) -> Catalogue | None:
    """The catalogue of `language`, read once; None for English or a language without a file."""
    path = catalogue_path(language)
    if language == SOURCE_LANGUAGE or not path.is_file():
        return None
    with path.open("rb") as file:
        po = read_po(file, locale=language)
    messages: dict[str, str] = {}
    plurals: dict[tuple[str, str], tuple[str, ...]] = {}
    for message in po:
        if not message.id or message.fuzzy:
            continue
        if isinstance(message.id, tuple | list):
            forms = tuple(message.string or ())
            if forms and all(forms):
                plurals[(message.id[0], message.id[1])] = forms
        elif isinstance(message.string, str) and message.string:
            messages[message.id] = message.string
    return Catalogue(language, messages, plurals, gettext.c2py(po.plural_expr))


def load_catalogues() -> dict[str, int]:
    """Read every catalogue now (at start), so no answer waits for a file; messages per language."""
    loaded = {}
    for language in LANGUAGES:
        found = catalogue(language)
        loaded[language] = 0 if found is None else len(found.messages) + len(found.plurals)
    return loaded


_missing_logged: set[tuple[str, str]] = set()


def _log_missing(language: str, message: str) -> None:
    key = (language, message)
    if key in _missing_logged or len(_missing_logged) >= _MISSING_LOG_LIMIT:
        return
    _missing_logged.add(key)
    log.debug("no %s translation of %r: English is shown", language, message[:80])


def translation(message: str, language: str) -> str | None:
    """`message` in `language`, or None when its catalogue lacks it (no logging: callers decide)."""
    found = catalogue(language)
    return None if found is None else found.messages.get(message)


def _lookup(message: str) -> str:
    language = current_language()
    if language == SOURCE_LANGUAGE:
        return message
    text = translation(message, language)
    if text is None:
        _log_missing(language, message)
        return message
    return text


def _lookup_plural(singular: str, plural: str, count: int) -> str:
    language = current_language()
    found = catalogue(language) if language != SOURCE_LANGUAGE else None
    forms = None if found is None else found.plurals.get((singular, plural))
    if found is not None and forms is not None:
        index = found.plural_index(count)
        return forms[index] if 0 <= index < len(forms) else forms[-1]
    if language != SOURCE_LANGUAGE:
        _log_missing(language, singular)
    return singular if count == 1 else plural


def _(message: str, /, **params: object) -> str:
    """`message` in the current language, with its `{placeholders}` filled from `params`."""
    text = _lookup(message)
    return text.format(**params) if params else text


def ngettext(singular: str, plural: str, count: int, /, **params: object) -> str:
    """The form for `count` (available as `{count}`) by the current language's plural rule."""
    return _lookup_plural(singular, plural, count).format(count=count, **params)


def N_(message: str, /) -> str:
    """Marks a constant for extraction; translate it with `_` where it is shown."""
    return message


# The answer to an error no message describes (bot/ui/errors.py and each error module's last word).
UNEXPECTED = N_("Something went wrong on the bot's side. The error was logged; please try again later.")
