"""How the catalog's refusals read (called from `describe_error`; every message through `_()`)."""

from __future__ import annotations

from collections.abc import Sequence

from discord.utils import escape_markdown

from bot.services.catalog.errors import (
    CatalogError,
    EmptyQuery,
    Looking,
    NoCarsInClass,
    NoMatch,
    NoSuchCar,
    NoSuchManufacturer,
    NotACarClass,
    NotARegion,
    QueryTooLong,
    Suggestion,
)
from bot.ui.format import code, number
from bot.ui.i18n import UNEXPECTED, _

SHOWN_QUERY_LIMIT = 40


def _suggestions(suggestions: Sequence[Suggestion]) -> str:
    if not suggestions:
        return ""
    choices = ", ".join(f"**{escape_markdown(s.name)}** ({code(s.code)})" for s in suggestions)
    return " " + _("Did you mean {choices}?", choices=choices)


def _no_match(error: NoMatch) -> str:
    shown = code(error.query, SHOWN_QUERY_LIMIT)
    match error.looking, error.loading:
        case Looking.CAR, True:
            text = _(
                "The car catalog is still loading, so {query} can't be searched by name yet. Look the car "
                "up by its id, car code or GT7 code (such as `car1544`) meanwhile.",
                query=shown,
            )
        case Looking.CAR, False:
            text = _("No car matches {query}.", query=shown)
        case Looking.MANUFACTURER, True:
            text = _(
                "The car catalog is still loading: choose a manufacturer by its id (see /manufacturers) "
                "meanwhile."
            )
        case _:
            text = _("No manufacturer matches {query}.", query=shown)
    return text + _suggestions(error.suggestions)


def _no_cars(error: NoCarsInClass) -> str:
    maker = escape_markdown(error.manufacturer)
    if error.car_class is None:
        return _("No cars of {manufacturer} are in the catalog.", manufacturer=maker)
    text = _("{manufacturer} has no {car_class} cars.", manufacturer=maker, car_class=error.car_class)
    if error.classes:
        listed = ", ".join(f"{name} ({number(count)})" for name, count in error.classes)
        text += " " + _("Its classes: {classes}.", classes=listed)
    return text


def _not_a_region(error: NotARegion) -> str:
    shown = code(error.text, SHOWN_QUERY_LIMIT)
    if not error.valid:
        return _(
            "{locale} is not an active GT Grid Stats region, and none is active right now: leave `locale` "
            "out for the default names.",
            locale=shown,
        )
    return _(
        "{locale} is not an active GT Grid Stats region. Use one of: {valid} — or leave `locale` out for "
        "the default names.",
        locale=shown,
        valid=", ".join(code(region) for region in error.valid),
    )


def catalog_error_text(error: CatalogError) -> str:
    match error:
        case EmptyQuery(looking=Looking.CAR):
            return _("Type part of a car's name, its car code or its GT7 code (such as `car1544`).")
        case EmptyQuery():
            return _("Type part of a manufacturer's name or its id (such as `Ferrari` or `78`).")
        case QueryTooLong():
            return _(
                "That search is {length} characters long; keep it to {limit} characters or fewer.",
                length=number(error.length),
                limit=number(error.limit),
            )
        case NoMatch():
            return _no_match(error)
        case NoSuchCar():
            return _(
                "GT Grid Stats has no car with the id, car code or GT7 code {identifier}.",
                identifier=code(error.identifier, SHOWN_QUERY_LIMIT),
            )
        case NoSuchManufacturer():
            return _(
                "GT Grid Stats has no manufacturer with the id {manufacturer_id}.",
                manufacturer_id=code(str(error.manufacturer_id)),
            )
        case NotACarClass():
            return _(
                "{text} is not a car class. Classes: {classes}.",
                text=code(error.text, SHOWN_QUERY_LIMIT),
                classes=", ".join(error.classes),
            )
        case NoCarsInClass():
            return _no_cars(error)
        case NotARegion():
            return _not_a_region(error)
    return _(UNEXPECTED)
