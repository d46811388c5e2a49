"""Embeds for the car catalog: one car, a manufacturer's cars, the manufacturers, the regions."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Literal

import discord
from discord.utils import escape_markdown

from bot.services.catalog import CarView, Choice, ManufacturerCarsView, ManufacturerListView
from bot.storage.catalog import CatalogRegion
from bot.ui.embeds import EMBED_TITLE_LIMIT, fit_embed, pages_from_lines
from bot.ui.format import BRAND_COLOUR, as_of, code, number, truncate
from bot.ui.i18n import _, ngettext

CARS_PER_PAGE = 15
MANUFACTURERS_PER_PAGE = 20
CHOICE_NAME_LIMIT = 100  # Discord's limit on an autocomplete choice's name


def choice_label(choice: Choice) -> str:
    """An autocomplete label within Discord's 100 characters: the name is cut, the codes and count kept."""
    suffix = choice.detail
    if choice.cars is not None:
        suffix += (
            " (" + ngettext("{number} car", "{number} cars", choice.cars, number=number(choice.cars)) + ")"
        )
    return truncate(choice.name, CHOICE_NAME_LIMIT - len(suffix)) + suffix


def _names_line(locale: str | None, region_name: str | None) -> str:
    if not locale:
        return ""
    return _("Names for region {locale} ({region})", locale=code(locale), region=region_name or "")


def _unavailable_line(locale: str | None) -> str:
    if not locale:
        return ""
    return _(
        "Names for region {locale} could not be fetched just now, so the default names are shown.",
        locale=code(locale),
    )


def _catalog_line(moment: datetime | None) -> str:
    return _("Catalog {as_of}", as_of=as_of(moment)) if moment is not None else ""


def guess_notice(query: str, what: Literal["car", "manufacturer"]) -> str:
    shown = escape_markdown(truncate(query, 60))
    if what == "car":
        return _(
            "No exact match for “{query}”: this is the closest car. Pick a suggestion for an exact match.",
            query=shown,
        )
    return _(
        "No exact match for “{query}”: this is the closest manufacturer. Pick a suggestion for an exact "
        "match.",
        query=shown,
    )


def car_embed(view: CarView) -> discord.Embed:
    car = view.car
    lines = [
        line
        for line in (
            _names_line(view.locale, view.region_name),
            _unavailable_line(view.names_unavailable),
            _catalog_line(view.as_of),
        )
        if line
    ]
    embed = discord.Embed(
        title=truncate(view.name, EMBED_TITLE_LIMIT),
        description="\n".join(lines) or None,
        colour=BRAND_COLOUR,
    )
    if car.image:
        embed.set_image(url=car.image)
    if view.logo:
        embed.set_thumbnail(url=view.logo)
    embed.add_field(name=_("Manufacturer"), value=truncate(view.manufacturer_name, 1024))
    embed.add_field(name=_("Class"), value=car.car_class)
    embed.add_field(name=_("ID"), value=str(car.id))
    embed.add_field(name=_("Car code"), value=str(car.car_code))
    embed.add_field(name=_("GT7 code"), value=code(car.gt7_code))
    return fit_embed(embed)


def manufacturer_cars_pages(view: ManufacturerCarsView) -> list[discord.Embed]:
    count = len(view.cars)
    title = view.manufacturer_name + (f" · {view.car_class}" if view.car_class else "")
    if view.car_class:
        summary = ngettext(
            "**{number} car** in class {car_class}",
            "**{number} cars** in class {car_class}",
            count,
            number=number(count),
            car_class=view.car_class,
        )
    else:
        summary = ngettext("**{number} car**", "**{number} cars**", count, number=number(count))
    header = "\n".join(
        line
        for line in (
            guess_notice(view.guessed_from, "manufacturer") + "\n" if view.guessed_from else "",
            summary,
            _names_line(view.locale, view.region_name),
            _unavailable_line(view.names_unavailable),
            _catalog_line(view.as_of),
        )
        if line
    )
    lines = [f"`{car.gt7_code}` {escape_markdown(name)} · {car.car_class}" for car, name in view.cars]
    return pages_from_lines(title, lines, per_page=CARS_PER_PAGE, header=header, thumbnail=view.logo)


def manufacturer_list_pages(view: ManufacturerListView) -> list[discord.Embed]:
    header = "\n".join(
        line
        for line in (
            ngettext(
                "**{number} manufacturer** · use the id with /cars",
                "**{number} manufacturers** · use the id with /cars",
                len(view.rows),
                number=number(len(view.rows)),
            ),
            _names_line(view.locale, view.region_name),
            _unavailable_line(view.names_unavailable),
            _catalog_line(view.as_of),
        )
        if line
    )
    lines = []
    for row in view.rows:
        count = (
            " — " + ngettext("{number} car", "{number} cars", row.car_count, number=number(row.car_count))
            if row.car_count
            else ""
        )
        lines.append(f"`{row.manufacturer.id}` {escape_markdown(row.name)}{count}")
    return pages_from_lines(_("Manufacturers"), lines, per_page=MANUFACTURERS_PER_PAGE, header=header)


def region_pages(regions: Sequence[CatalogRegion]) -> list[discord.Embed]:
    header = ngettext(
        "**{number} active region.** Use its code as the `locale` option of /car, /cars and /manufacturers "
        "to see names in that region's language.",
        "**{number} active regions.** Use a code as the `locale` option of /car, /cars and /manufacturers "
        "to see names in that region's language.",
        len(regions),
        number=number(len(regions)),
    )
    lines = [f"`{region.code}` {escape_markdown(region.name)}" for region in regions]
    return pages_from_lines(_("GT Grid Stats regions"), lines, per_page=25, header=header)
