"""Embeds for the car catalog: one car, a manufacturer's cars, the manufacturers, the regions."""

from __future__ import annotations

from collections.abc import Sequence

import discord
from discord.utils import escape_markdown

from bot.services.catalog import CarView, ManufacturerCarsView, ManufacturerListView
from bot.storage.catalog import CatalogRegion
from bot.ui.embeds import EMBED_TITLE_LIMIT, fit_embed, pages_from_lines
from bot.ui.format import BRAND_COLOUR, as_of, number, truncate

CARS_PER_PAGE = 15
MANUFACTURERS_PER_PAGE = 20


def _names_line(locale: str | None, region_name: str | None) -> str:
    return f"Names for region `{locale}` ({region_name})" if locale else ""


def guess_notice(query: str, what: str) -> str:
    shown = escape_markdown(truncate(query, 60))
    return f"No exact match for “{shown}”: this is the closest {what}. Pick a suggestion for an exact match."


def car_embed(view: CarView) -> discord.Embed:
    car = view.car
    lines = [line for line in (_names_line(view.locale, view.region_name), view.note) if line]
    if view.as_of is not None:
        lines.append(f"Catalog {as_of(view.as_of)}")
    embed = discord.Embed(
        title=truncate(view.name, EMBED_TITLE_LIMIT),
        description="\n".join(lines) or None,
        colour=BRAND_COLOUR,
    )
    if car.image:
        embed.set_image(url=car.image)
    if view.logo:
        embed.set_thumbnail(url=view.logo)
    embed.add_field(name="Manufacturer", value=truncate(view.manufacturer_name, 1024))
    embed.add_field(name="Class", value=car.car_class)
    embed.add_field(name="ID", value=str(car.id))
    embed.add_field(name="Car code", value=str(car.car_code))
    embed.add_field(name="GT7 code", value=f"`{car.gt7_code}`")
    return fit_embed(embed)


def manufacturer_cars_pages(view: ManufacturerCarsView) -> list[discord.Embed]:
    count = len(view.cars)
    title = view.manufacturer_name + (f" · {view.car_class}" if view.car_class else "")
    summary = f"**{number(count)} {'car' if count == 1 else 'cars'}**" + (
        f" in class {view.car_class}" if view.car_class else ""
    )
    header = "\n".join(
        line
        for line in (
            guess_notice(view.guessed_from, "manufacturer") + "\n" if view.guessed_from else "",
            summary,
            _names_line(view.locale, view.region_name),
            view.note or "",
            f"Catalog {as_of(view.as_of)}" if view.as_of else "",
        )
        if line
    )
    lines = [f"`{car.gt7_code}` {escape_markdown(name)} · {car.car_class}" for car, name in view.cars]
    return pages_from_lines(title, lines, per_page=CARS_PER_PAGE, header=header, thumbnail=view.logo)


def manufacturer_list_pages(view: ManufacturerListView) -> list[discord.Embed]:
    header = "\n".join(
        line
        for line in (
            f"**{number(len(view.rows))} manufacturers** · use the id with /cars",
            _names_line(view.locale, view.region_name),
            view.note or "",
            f"Catalog {as_of(view.as_of)}" if view.as_of else "",
        )
        if line
    )
    lines = []
    for row in view.rows:
        count = (
            f" — {number(row.car_count)} {'car' if row.car_count == 1 else 'cars'}" if row.car_count else ""
        )
        lines.append(f"`{row.manufacturer.id}` {escape_markdown(row.name)}{count}")
    return pages_from_lines("Manufacturers", lines, per_page=MANUFACTURERS_PER_PAGE, header=header)


def region_pages(regions: Sequence[CatalogRegion]) -> list[discord.Embed]:
    header = (
        f"**{len(regions)} active regions.** Use a code as the `locale` option of /car, /cars and "
        "/manufacturers to see names in that region's language."
    )
    lines = [f"`{region.code}` {escape_markdown(region.name)}" for region in regions]
    return pages_from_lines("GT Grid Stats regions", lines, per_page=25, header=header)
