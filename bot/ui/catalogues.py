"""The message catalogues: extract the English messages, update every language's .po, check them.

    python -m bot.ui.catalogues extract   # the code's messages -> bot/locale/messages.pot
    python -m bot.ui.catalogues update    # the template -> each bot/locale/<language>/LC_MESSAGES/messages.po
    python -m bot.ui.catalogues check     # exit 1, listing every problem, unless all catalogues are complete

Messages come from `_()`, `ngettext()` and `N_()` calls (Babel's Python extractor) and from the slash
commands' own words, which discord.py's Translator asks for: `description=` of commands and groups
(decorators, `app_commands.Command(...)`/`Group(...)` built in code, a Group subclass's class keywords or
`super().__init__(...)`), every keyword of `@app_commands.describe(...)` and the `name=` of
`app_commands.Choice(...)`. Each is read where it is defined: text, a module constant (imported from the
file's module, so computed tuples and numbers work), an f-string of constants, or a comprehension over a
constant tuple (`Choice(name=day, ...) for day in WEEKDAYS`). A description that is none of these stops
the extraction (UnresolvedText). They are marked "app command text, at most 100 characters".
`tests/test_catalogues.py` runs `problems()` and the template check in `make test`.
"""

from __future__ import annotations

import ast
import importlib
import string
import sys
from collections.abc import Collection, Iterator, Mapping
from pathlib import Path
from typing import IO, Any

from babel.messages.catalog import Catalog, Message
from babel.messages.extract import extract_from_dir, extract_python
from babel.messages.pofile import read_po, write_po

from bot.ui.i18n import DOMAIN, LANGUAGES, LOCALE_DIR, catalogue_path

ROOT = LOCALE_DIR.parent.parent
TEMPLATE = LOCALE_DIR / f"{DOMAIN}.pot"
SOURCE_DIRS = ("bot", "cogs")
KEYWORDS: dict[str, Any] = {"_": None, "ngettext": (1, 2), "N_": None}
APP_COMMAND_NOTE = "app command text, at most 100 characters"
APP_COMMAND_LIMIT = 100
PROJECT = "gt-grid-bot"

# --- extraction ----------------------------------------------------------------------------------

# Calls (and class definitions) whose `description=` is a command's or group's description: the
# decorators, `app_commands.Command(...)` / `Group(...)` built in code, and `super().__init__(...)` of a
# Group subclass. `describe(...)` takes every keyword; `Choice(...)` its `name=`.
_DESCRIBED = {"command", "Command", "Group", "group", "ContextMenu", "context_menu", "__init__"}
_MISSING = object()


class UnresolvedText(ValueError):
    """A command or option description the extractor cannot know before run time (so cannot extract)."""


def _called_name(node: ast.Call) -> str:
    func = node.func
    if isinstance(func, ast.Attribute):
        return func.attr
    return func.id if isinstance(func, ast.Name) else ""


def _constants(tree: ast.Module) -> dict[str, object]:
    """Module-level `NAME = "text"` assignments, and names imported from the project's own modules.

    Used for a source with no importable module; a project file's names are read from its module."""
    found: dict[str, object] = {}
    for node in tree.body:
        if isinstance(node, ast.Assign) and isinstance(node.value, ast.Constant):
            if isinstance(node.value.value, str):
                found.update(
                    {target.id: node.value.value for target in node.targets if isinstance(target, ast.Name)}
                )
        elif isinstance(node, ast.ImportFrom) and node.module and node.module.split(".")[0] in SOURCE_DIRS:
            module = ROOT.joinpath(*node.module.split(".")).with_suffix(".py")
            if module.is_file():
                theirs = _constants(ast.parse(module.read_text(encoding="utf-8")))
                found.update(
                    {
                        alias.asname or alias.name: theirs[alias.name]
                        for alias in node.names
                        if alias.name in theirs
                    }
                )
    return found


class ModuleNames(Mapping[str, object]):
    """The module-level names of a project file, imported the first time one is looked up.

    So a description written as a constant, an f-string of constants (numbers too) or choices built
    from a tuple the services define (`for day in WEEKDAYS`) are extracted from their one definition."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._names: dict[str, object] | None = None

    def _loaded(self) -> dict[str, object]:
        if self._names is None:
            parts = self.path.resolve().relative_to(ROOT).with_suffix("").parts
            name = ".".join(parts[:-1] if parts[-1] == "__init__" else parts)
            self._names = dict(vars(importlib.import_module(name)))
        return self._names

    def __getitem__(self, key: str) -> object:
        return self._loaded()[key]

    def __iter__(self) -> Iterator[str]:
        return iter(self._loaded())

    def __len__(self) -> int:
        return len(self._loaded())


def _values(node: ast.expr, names: Mapping[str, object]) -> Iterator[object]:
    """The values an expression can have when it is known before run time (nothing when it is not)."""
    if isinstance(node, ast.Constant):
        yield node.value
    elif isinstance(node, ast.Name):
        value = names.get(node.id, _MISSING)
        if value is not _MISSING:
            yield value
    elif isinstance(node, ast.JoinedStr):
        parts = []
        for part in node.values:
            if isinstance(part, ast.FormattedValue):
                found = list(_values(part.value, names))
                spec = list(_values(part.format_spec, names)) if part.format_spec is not None else [""]
                if len(found) != 1 or len(spec) != 1 or part.conversion != -1:
                    return
                parts.append(format(found[0], str(spec[0])))
            else:
                parts.extend(str(value) for value in _values(part, names))
        yield "".join(parts)
    elif isinstance(node, ast.IfExp):
        yield from _values(node.body, names)
        yield from _values(node.orelse, names)


def _texts(node: ast.expr, names: Mapping[str, object]) -> list[str]:
    return [value for value in _values(node, names) if isinstance(value, str) and value]


def _comprehension_names(tree: ast.Module, names: Mapping[str, object]) -> dict[int, list[dict[str, object]]]:
    """For each node inside `[... for name in KNOWN_TUPLE]`: the bindings of `name`, one per element."""
    bound: dict[int, list[dict[str, object]]] = {}
    for comp in ast.walk(tree):
        if not isinstance(comp, ast.ListComp | ast.GeneratorExp | ast.SetComp) or len(comp.generators) != 1:
            continue
        (generator,) = comp.generators
        items = list(_values(generator.iter, names))
        if not isinstance(generator.target, ast.Name) or len(items) != 1:
            continue
        if not isinstance(items[0], tuple | list):
            continue
        bindings = [{generator.target.id: item} for item in items[0]]
        for node in ast.walk(comp.elt):
            bound[id(node)] = bindings
    return bound


def _wanted(name: str, keyword: ast.keyword) -> bool:
    return (
        (name in _DESCRIBED and keyword.arg == "description")
        or name == "describe"
        or (name == "Choice" and keyword.arg == "name")
    )


def app_command_texts(source: str, names: Mapping[str, object] | None = None) -> Iterator[tuple[int, str]]:
    """(line, text) of every command description, parameter description and choice name in `source`.

    `names` are the module's names (default: its text constants, read from the source). A description
    that cannot be known before run time raises UnresolvedText: Discord would get it untranslated."""
    tree = ast.parse(source)
    names = names if names is not None else _constants(tree)
    bound = _comprehension_names(tree, names)
    for node in ast.walk(tree):
        if isinstance(node, ast.ClassDef):
            name, keywords = "Group", node.keywords  # class X(app_commands.Group, name=..., description=...)
        elif isinstance(node, ast.Call):
            name, keywords = _called_name(node), node.keywords
        else:
            continue
        for keyword in keywords:
            if not _wanted(name, keyword):
                continue
            scopes: list[Mapping[str, object]] = [
                {**names, **binding} for binding in bound.get(id(node), [])
            ] or [names]
            texts = [text for scope in scopes for text in _texts(keyword.value, scope)]
            if not texts and name not in {"Choice", "__init__"}:
                raise UnresolvedText(
                    f"line {keyword.value.lineno}: {name}({keyword.arg}=...) is not known before run time; "
                    "write it as text, a module constant or an f-string of constants"
                )
            for text in texts:
                yield keyword.value.lineno, text


def extract_bot(
    fileobj: IO[bytes], keywords: Mapping[str, Any], comment_tags: Collection[str], options: Any
) -> Iterator[Any]:
    """Babel extractor: the `_()`/`ngettext()`/`N_()` messages plus the slash commands' own words.

    Yields what Babel's extractors yield: (line, function name, message(s), comments)."""
    yield from extract_python(fileobj, keywords, comment_tags, options)
    fileobj.seek(0)
    source = fileobj.read().decode(options.get("encoding", "utf-8"))
    path = Path(getattr(fileobj, "name", ""))
    names = ModuleNames(path) if path.suffix == ".py" and path.resolve().is_relative_to(ROOT) else None
    for lineno, text in app_command_texts(source, names):
        yield lineno, "", text, [APP_COMMAND_NOTE]


def extract() -> Catalog:
    """The template: every message of the current code, with where it is used."""
    template = Catalog(project=PROJECT, fuzzy=False)
    for folder in SOURCE_DIRS:
        method_map = [("**.py", "bot.ui.catalogues:extract_bot")]
        for filename, lineno, message, comments, context in extract_from_dir(
            ROOT / folder, method_map, keywords=KEYWORDS
        ):
            template.add(
                message, None, [(f"{folder}/{filename}", lineno)], auto_comments=comments, context=context
            )
    return template


def _write(catalog: Catalog, path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("wb") as file:
        write_po(file, catalog, width=110, sort_output=True, include_lineno=False, omit_header=False)


def read(path: Path, language: str | None = None) -> Catalog:
    with path.open("rb") as file:
        return read_po(file, locale=language)


def update() -> list[str]:
    """Each language's catalogue follows the template: new messages empty, gone ones dropped.

    No guesses: Babel's fuzzy matching fills a new message with the translation of a similar one ("D" got
    "ID", a command description got an error's words), which the check refuses anyway and the bot never
    shows; so a new message stays empty (reported "missing") and a fuzzy guess is emptied."""
    template = read(TEMPLATE)
    updated = []
    for language in LANGUAGES:
        path = catalogue_path(language)
        po = read(path, language) if path.is_file() else Catalog(locale=language, project=PROJECT)
        po.update(template, no_fuzzy_matching=True, update_header_comment=False)
        for message in po:
            if message.id and message.fuzzy:
                message.string = ("",) * po.num_plurals if isinstance(message.id, tuple | list) else ""
                message.flags.discard("fuzzy")
        po.fuzzy = False  # the header: Babel marks a new catalogue's header fuzzy
        po.obsolete.clear()
        _write(po, path)
        updated.append(language)
    return updated


# --- checks --------------------------------------------------------------------------------------


def placeholders(text: str) -> set[str]:
    """The `{names}` of a message; raises ValueError for a brace that str.format would choke on."""
    return {field for _, field, _, _ in string.Formatter().parse(text) if field is not None}


def _message_ids(catalog: Catalog) -> set[str | tuple[str, ...]]:
    return {
        tuple(message.id) if isinstance(message.id, list) else message.id for message in catalog if message.id
    }


def _entry_problems(
    language: str, english: Message, translated: Message | None, num_plurals: int
) -> list[str]:
    shown = english.id[0] if isinstance(english.id, tuple | list) else english.id
    where = f"{language}: {shown!r}"
    if (
        translated is None
        or not translated.string
        or (isinstance(translated.string, tuple | list) and not all(translated.string))
    ):
        return [f"{where}: missing"]
    if translated.fuzzy:
        return [f"{where}: fuzzy (check the translation, then remove the fuzzy flag)"]
    problems = []
    try:
        if isinstance(english.id, tuple | list):
            forms = list(translated.string)
            if len(forms) != num_plurals:
                problems.append(f"{where}: {len(forms)} plural forms, the language has {num_plurals}")
            allowed = placeholders(english.id[0]) | placeholders(english.id[1])
            for form in forms:
                if not placeholders(form) <= allowed:
                    problems.append(f"{where}: placeholders {sorted(placeholders(form) - allowed)} unknown")
            if forms and placeholders(forms[-1]) != placeholders(english.id[1]):
                problems.append(
                    f"{where}: the last plural form's placeholders differ from the English plural"
                )
        else:
            assert isinstance(translated.string, str)
            if placeholders(translated.string) != placeholders(english.id):
                problems.append(
                    f"{where}: placeholders {sorted(placeholders(translated.string))}, "
                    f"English has {sorted(placeholders(english.id))}"
                )
            if APP_COMMAND_NOTE in english.auto_comments and len(translated.string) > APP_COMMAND_LIMIT:
                problems.append(f"{where}: longer than Discord's {APP_COMMAND_LIMIT} characters")
    except ValueError as error:
        problems.append(f"{where}: not a valid format string ({error})")
    return problems


def problems(template: Catalog | None = None) -> list[str]:
    """Everything that keeps the catalogues from being complete, one line each (empty: all good)."""
    template = template if template is not None else read(TEMPLATE)
    found = []
    for language in LANGUAGES:
        path = catalogue_path(language)
        if not path.is_file():
            found.append(f"{language}: no catalogue at {path.relative_to(ROOT)} (run update)")
            continue
        po = read(path, language)
        for english in template:
            if english.id:
                found += _entry_problems(
                    language, english, po.get(english.id, english.context), po.num_plurals
                )
        extra = _message_ids(po) - _message_ids(template)
        found += [
            f"{language}: {message!r} is not in the template (run update)"
            for message in sorted(map(str, extra))
        ]
    return found


def template_is_current() -> list[str]:
    """The messages in the code but not in the committed template, and those only in the template."""
    committed, current = _message_ids(read(TEMPLATE)), _message_ids(extract())
    return [
        f"not in the template (run extract): {message!r}" for message in sorted(map(str, current - committed))
    ] + [
        f"in the template but no longer in the code (run extract): {message!r}"
        for message in sorted(map(str, committed - current))
    ]


def main(argv: list[str]) -> int:
    command = argv[0] if argv else ""
    if command == "extract":
        template = extract()
        _write(template, TEMPLATE)
        print(f"{len(template)} messages -> {TEMPLATE.relative_to(ROOT)}")
        return 0
    if command == "update":
        print("updated:", ", ".join(update()))
        return 0
    if command == "check":
        found = template_is_current() + problems()
        for line in found:
            print(line)
        print(f"{len(found)} problem(s)" if found else "every catalogue is complete")
        return 1 if found else 0
    print(__doc__)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
