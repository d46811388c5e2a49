"""What Discord checks in a command sync (PUT .../commands), so the stand-in refuses what Discord refuses.

Per the Application Commands docs: a name is 1-32 characters, lowercase, of letters, digits, '-' and '_';
a description (of a chat-input command or option) is 1-100 characters; a choice name is 1-100 characters;
`name_localizations` and `description_localizations` are keyed by Discord's locales only, and each value
obeys the limit of the field it localizes. A body that breaks any rule gets 400 with code 50035 Invalid
Form Body and an `errors` tree naming the field.
"""

from __future__ import annotations

import re
from typing import Any

# Discord's locales (docs: Reference > Locales).
DISCORD_LOCALES = frozenset(
    {
        "id",
        "da",
        "de",
        "en-GB",
        "en-US",
        "es-ES",
        "es-419",
        "fr",
        "hr",
        "it",
        "lt",
        "hu",
        "nl",
        "no",
        "pl",
        "pt-BR",
        "ro",
        "fi",
        "sv-SE",
        "vi",
        "tr",
        "cs",
        "el",
        "bg",
        "ru",
        "uk",
        "hi",
        "th",
        "zh-CN",
        "ja",
        "zh-TW",
        "ko",
    }
)
NAME = re.compile(r"^[-_\w]{1,32}$")
DESCRIPTION_LIMIT = 100
CHOICE_NAME_LIMIT = 100


def _error(code: str, message: str) -> dict[str, Any]:
    return {"_errors": [{"code": code, "message": message}]}


def _length(text: object, limit: int) -> dict[str, Any] | None:
    if not isinstance(text, str) or not 1 <= len(text) <= limit:
        return _error("BASE_TYPE_BAD_LENGTH", f"Must be between 1 and {limit} in length.")
    return None


def _localizations(value: object, limit: int, *, name: bool) -> dict[str, Any]:
    problems: dict[str, Any] = {}
    if value is None:
        return problems
    if not isinstance(value, dict):
        return _error("DICT_TYPE_CONVERT", "Only dictionaries may be used in a DictType")
    for locale, text in value.items():
        if locale not in DISCORD_LOCALES:
            problems[locale] = _error("LOCALE_INVALID", f"{locale!r} is not a valid locale")
        elif (found := _length(text, limit)) is not None:
            problems[locale] = found
        elif name and (not NAME.match(str(text)) or str(text) != str(text).lower()):
            problems[locale] = _error("APPLICATION_COMMAND_INVALID_NAME", "Command name is invalid")
    return problems


def _named(item: dict[str, Any], *, description: bool) -> dict[str, Any]:
    problems: dict[str, Any] = {}
    name = str(item.get("name", ""))
    if not NAME.match(name) or name != name.lower():
        problems["name"] = _error("APPLICATION_COMMAND_INVALID_NAME", "Command name is invalid")
    if found := _localizations(item.get("name_localizations"), 32, name=True):
        problems["name_localizations"] = found
    if description:
        if (found_length := _length(item.get("description"), DESCRIPTION_LIMIT)) is not None:
            problems["description"] = found_length
        if found := _localizations(item.get("description_localizations"), DESCRIPTION_LIMIT, name=False):
            problems["description_localizations"] = found
    for index, option in enumerate(item.get("options") or []):
        if found := _named(option, description=True):
            problems.setdefault("options", {})[str(index)] = found
    for index, choice in enumerate(item.get("choices") or []):
        choice_problems: dict[str, Any] = {}
        if (found_length := _length(choice.get("name"), CHOICE_NAME_LIMIT)) is not None:
            choice_problems["name"] = found_length
        if found := _localizations(choice.get("name_localizations"), CHOICE_NAME_LIMIT, name=False):
            choice_problems["name_localizations"] = found
        if choice_problems:
            problems.setdefault("choices", {})[str(index)] = choice_problems
    return problems


def command_problems(commands: list[dict[str, Any]]) -> dict[str, Any]:
    """The `errors` tree Discord would answer a bulk overwrite with (empty when it would accept it)."""
    errors: dict[str, Any] = {}
    for index, command in enumerate(commands):
        # Chat-input commands (type 1, the default) carry descriptions; context menus (2, 3) do not.
        if found := _named(command, description=command.get("type", 1) == 1):
            errors[str(index)] = found
    return errors
