"""/car, /cars, /manufacturers and /regions through real interactions, against the GT Grid Stats stand-in."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable

import pytest

from bot.ui.i18n import _, ngettext, speaking
from bot.ui.paginator import NOT_YOURS
from tests.conftest import Harness
from tests.standins.gtgridstats_data import FERRARI_ID, IMAGE_URL

FERRARI_LOGO = "https://gtgridstats.com/storage/logos/ferrari.png"


def fields(embed: dict[str, object]) -> dict[str, str]:
    return {field["name"]: field["value"] for field in embed["fields"]}  # type: ignore[attr-defined]


@pytest.fixture
async def filled(harness: Harness) -> Harness:
    """A bot whose catalog is stored; the request log starts empty."""
    await harness.clock.run_until(harness.bot.catalog.refresh())
    harness.gt.reset_counts()
    return harness


# --- /car ---------------------------------------------------------------------------------------------------


async def test_car_shows_picture_name_class_manufacturer_and_codes(filled: Harness) -> None:
    record = await filled.slash("car", user=filled.member("ann"), car="car1544")
    embed = record.reply.embed
    assert embed["title"] == "Ferrari 430 Scuderia '07"
    assert embed["image"]["url"] == IMAGE_URL.format(code=1544)
    assert embed["thumbnail"]["url"] == FERRARI_LOGO
    assert fields(embed) == {
        "Manufacturer": "Ferrari",
        "Class": "Gr.N",
        "ID": "613",
        "Car code": "1544",
        "GT7 code": "`car1544`",
    }
    assert "Catalog as of" in embed["description"]
    assert not record.deferred
    assert not record.reply.ephemeral
    assert not record.reply.content


@pytest.mark.parametrize("text", ["613", "1544", "CAR1544"])
async def test_car_resolves_id_car_code_and_gt7_code(filled: Harness, text: str) -> None:
    record = await filled.slash("car", user=filled.member("ann"), car=text)
    assert record.reply.embed["title"] == "Ferrari 430 Scuderia '07"
    assert not record.reply.content


async def test_free_text_gets_the_closest_car_and_says_it_guessed(filled: Harness) -> None:
    record = await filled.slash("car", user=filled.member("ann"), car="ferari 458 italia gt3")
    assert record.reply.embed["title"] == "Ferrari 458 Italia GT3 '13"
    assert record.reply.content is not None
    assert "closest car" in record.reply.content
    assert "ferari 458 italia gt3" in record.reply.content


async def test_unknown_car_is_an_ephemeral_message_with_suggestions(filled: Harness) -> None:
    record = await filled.slash("car", user=filled.member("ann"), car="zzqx ferrari scuderia")
    assert record.reply.ephemeral
    assert record.reply.content is not None
    assert record.reply.content.startswith("No car matches `zzqx ferrari scuderia`.")
    assert "Ferrari 430 Scuderia '07" in record.reply.content
    assert filled.gt.count() == 0

    nothing = await filled.slash("car", user=filled.member("ann"), car="qwxz")
    assert nothing.reply.ephemeral
    assert nothing.reply.content == "No car matches `qwxz`."


@pytest.mark.parametrize(
    ("command", "options", "expected"),
    [
        ("car", {"car": "qw`**x**`z"}, "No car matches `qwˋ**x**ˋz`."),
        ("cars", {"manufacturer": "Zy`xw"}, "No manufacturer matches `Zyˋxw`."),
        ("cars", {"manufacturer": "Ferrari", "car_class": "Gr`.9"}, "`Grˋ.9` is not a car class."),
        ("car", {"car": "car1544", "locale": "z`z"}, "`zˋz` is not an active GT Grid Stats region."),
    ],
)
async def test_a_backtick_in_the_users_text_stays_inside_its_code_span(
    filled: Harness, command: str, options: dict[str, str], expected: str
) -> None:
    record = await filled.slash(command, user=filled.member("ann"), **options)
    assert record.reply.ephemeral
    assert record.reply.content is not None
    assert record.reply.content.startswith(expected)
    assert filled.gt.count() == 0


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("   ", "Type part of a car's name, its car code or its GT7 code (such as `car1544`)."),
        ("x" * 200, "That search is 200 characters long; keep it to 100 characters or fewer."),
    ],
)
async def test_empty_and_overlong_car_queries_are_explained(
    filled: Harness, text: str, expected: str
) -> None:
    record = await filled.slash("car", user=filled.member("ann"), car=text)
    assert record.reply.ephemeral
    assert record.reply.content == expected
    assert filled.gt.count() == 0


# --- autocomplete -------------------------------------------------------------------------------------------


async def test_autocomplete_finds_a_car_from_a_typo(filled: Harness) -> None:
    choices = await filled.autocomplete("car", "car", user=filled.member("ann"), car="ferari 430 scudria")
    assert choices[0] == {"name": "Ferrari 430 Scuderia '07 · Gr.N · car1544", "value": "car1544"}


async def test_autocomplete_finds_a_car_from_its_gt7_code(filled: Harness) -> None:
    choices = await filled.autocomplete("car", "car", user=filled.member("ann"), car="car1610")
    assert choices[0]["value"] == "car1610"
    assert choices[0]["name"].startswith("Ferrari 458 Italia GT3 '13")


async def test_autocomplete_is_accent_and_case_insensitive_and_within_discord_limits(filled: Harness) -> None:
    citroens = [car for car in filled.gt.dataset.cars if car.name.startswith("Citroën ")]
    choices = await filled.autocomplete("car", "car", user=filled.member("ann"), car="CITROEN")
    assert citroens
    assert {choice["value"] for choice in choices[: len(citroens)]} == {car.gt7_code for car in citroens}
    assert len(await filled.autocomplete("car", "car", user=filled.member("ann"), car="")) == 25
    long_query = await filled.autocomplete("car", "car", user=filled.member("ann"), car="gt " * 70)
    assert all(len(choice["name"]) <= 100 and len(choice["value"]) <= 100 for choice in long_query)


async def test_manufacturer_and_class_autocomplete(filled: Harness) -> None:
    user = filled.member("ann")
    makers = await filled.autocomplete("cars", "manufacturer", user=user, manufacturer="ferary")
    assert makers[0] == {"name": "Ferrari (14 cars)", "value": str(FERRARI_ID)}
    classes = await filled.autocomplete(
        "cars", "car_class", user=user, manufacturer=str(FERRARI_ID), car_class="gr"
    )
    assert {"name": "Gr.3 (2 cars)", "value": "Gr.3"} in classes
    assert all(not choice["name"].startswith("Gr.4") for choice in classes)


async def test_autocomplete_counts_are_worded_in_the_users_language(filled: Harness) -> None:
    german = filled.member("greta", locale="de")
    makers = await filled.autocomplete("cars", "manufacturer", user=german, manufacturer="ferrari")
    assert makers[0] == {"name": "Ferrari (14 Fahrzeuge)", "value": str(FERRARI_ID)}
    classes = await filled.autocomplete(
        "cars", "car_class", user=german, manufacturer=str(FERRARI_ID), car_class="gr.3"
    )
    assert classes == [{"name": "Gr.3 (2 Fahrzeuge)", "value": "Gr.3"}]


# --- /cars --------------------------------------------------------------------------------------------------


async def test_cars_lists_a_manufacturers_cars_with_the_count(filled: Harness) -> None:
    record = await filled.slash("cars", user=filled.member("ann"), manufacturer=str(FERRARI_ID))
    embed = record.reply.embed
    assert embed["title"] == "Ferrari"
    assert embed["description"].startswith("**14 cars**")
    assert "`car1544` Ferrari 430 Scuderia '07 · Gr.N" in embed["description"]
    assert embed["thumbnail"]["url"] == FERRARI_LOGO


async def test_cars_of_one_class(filled: Harness) -> None:
    record = await filled.slash(
        "cars", user=filled.member("ann"), manufacturer=str(FERRARI_ID), car_class="gr3"
    )
    embed = record.reply.embed
    assert embed["title"] == "Ferrari · Gr.3"
    assert embed["description"].startswith("**2 cars** in class Gr.3")
    assert "Ferrari 458 Italia GT3 '13" in embed["description"]
    assert "Ferrari 296 GT3 '23" in embed["description"]


async def test_a_class_without_cars_for_that_manufacturer_is_explained(filled: Harness) -> None:
    record = await filled.slash(
        "cars", user=filled.member("ann"), manufacturer=str(FERRARI_ID), car_class="Gr.4"
    )
    assert record.reply.ephemeral
    assert record.reply.content is not None
    assert record.reply.content.startswith("Ferrari has no Gr.4 cars. Its classes: Gr.3 (2), Gr.N (3)")


async def test_unknown_manufacturer_and_unknown_class_are_explained(filled: Harness) -> None:
    user = filled.member("ann")
    maker = await filled.slash("cars", user=user, manufacturer="Zyxwvu")
    assert maker.reply.ephemeral
    assert maker.reply.content is not None
    assert maker.reply.content.startswith("No manufacturer matches `Zyxwvu`.")
    klass = await filled.slash("cars", user=user, manufacturer="Ferrari", car_class="Gr.9")
    assert klass.reply.ephemeral
    assert klass.reply.content is not None
    assert klass.reply.content.startswith("`Gr.9` is not a car class. Classes: Gr.1, Gr.2, Gr.3")
    assert filled.gt.count() == 0


async def test_a_manufacturer_typed_by_name_is_guessed_and_said_so(filled: Harness) -> None:
    record = await filled.slash("cars", user=filled.member("ann"), manufacturer="ferari")
    assert record.reply.embed["title"] == "Ferrari"
    assert "closest manufacturer" in record.reply.embed["description"]


# --- /manufacturers, /regions, pages ------------------------------------------------------------------------


async def test_manufacturers_are_paginated_with_ids_and_only_the_owner_turns_pages(filled: Harness) -> None:
    owner, stranger = filled.member("owner"), filled.member("stranger")
    reply = (await filled.slash("manufacturers", user=owner)).reply
    assert reply.embed["title"] == "Manufacturers"
    assert "`3` Abarth" in reply.embed["description"]
    assert reply.embed["footer"]["text"] == "Page 1 of 3"

    await filled.driver.click(reply, "Next", user=owner)
    assert reply.embed["footer"]["text"] == "Page 2 of 3"
    assert "`131` Porsche — 16 cars" in reply.embed["description"]

    refused = await filled.driver.click(reply, "Next", user=stranger)
    assert refused.reply.content == NOT_YOURS
    assert refused.reply.ephemeral
    assert reply.embed["footer"]["text"] == "Page 2 of 3"
    assert filled.gt.count() == 0


async def test_regions_lists_the_active_codes(filled: Harness) -> None:
    record = await filled.slash("regions", user=filled.member("ann"))
    description = record.reply.embed["description"]
    assert "`jp` Japan" in description
    assert "`cn` China" in description
    assert "mx" not in description  # inactive
    assert filled.gt.count() == 0


async def test_about_shows_when_the_catalog_was_filled(filled: Harness) -> None:
    record = await filled.slash("about", user=filled.member("ann"))
    assert fields(record.reply.embed)["Car catalog"].startswith("updated <t:")


# --- language -----------------------------------------------------------------------------------------------


async def test_names_follow_the_users_discord_language_and_are_stored(filled: Harness) -> None:
    japanese = filled.member("yuki", locale="ja")
    first = await filled.slash("car", user=japanese, car="car1544")
    assert first.reply.embed["title"] == "フェラーリ 430 Scuderia '07"
    with speaking("ja"):  # the labels speak the user's language too
        manufacturer, names_note = (
            _("Manufacturer"),
            _("Names for region {locale} ({region})", locale="`jp`", region="Japan"),
        )
    assert fields(first.reply.embed)[manufacturer] == "フェラーリ"
    assert names_note in first.reply.embed["description"]
    assert first.deferred
    assert filled.gt.count() == 1

    filled.gt.reset_counts()
    again = await filled.slash("car", user=japanese, car="car1610")
    assert again.reply.embed["title"] == "フェラーリ 458 Italia GT3 '13"
    listing = await filled.slash("cars", user=japanese, manufacturer=str(FERRARI_ID))
    assert listing.reply.embed["title"] == "フェラーリ"
    assert filled.gt.count() == 0
    assert not again.deferred


async def test_the_locale_option_overrides_the_discord_language(filled: Harness) -> None:
    record = await filled.slash("car", user=filled.member("ann"), car="car1544", locale="CN")
    assert record.reply.embed["title"] == "法拉利 430 Scuderia '07"


async def test_a_language_without_an_active_region_gets_the_default_names(filled: Harness) -> None:
    # Latin American Spanish maps to Mexico, which GT Grid Stats lists as inactive.
    record = await filled.slash("car", user=filled.member("luis", locale="es-419"), car="car1544")
    assert record.reply.embed["title"] == "Ferrari 430 Scuderia '07"
    assert filled.gt.count() == 0


@pytest.mark.parametrize("locale", ["mx", "zz"])
async def test_an_inactive_or_unknown_locale_lists_the_valid_ones(filled: Harness, locale: str) -> None:
    record = await filled.slash("car", user=filled.member("ann"), car="car1544", locale=locale)
    assert record.reply.ephemeral
    assert record.reply.content is not None
    assert record.reply.content.startswith(
        f"`{locale}` is not an active GT Grid Stats region. Use one of: `br`"
    )
    assert "`jp`" in record.reply.content
    assert filled.gt.count() == 0


async def test_localized_manufacturer_list_is_fetched_once(filled: Harness) -> None:
    korean = filled.member("min", locale="ko")
    reply = (await filled.slash("manufacturers", user=korean)).reply
    with speaking("ko"):
        names_note = _("Names for region {locale} ({region})", locale="`kr`", region="South Korea")
        cars = ngettext("{number} car", "{number} cars", 14, number="14")
        last = _("Last")
    assert names_note in reply.embed["description"]
    await filled.driver.click(reply, last, user=korean)
    assert f"`{FERRARI_ID}` 페라리 — {cars}" in reply.embed["description"]
    assert filled.gt.count() == filled.gt.count("/api/assets/manufacturers/kr") == 1

    filled.gt.reset_counts()
    again = (await filled.slash("manufacturers", user=korean)).reply
    with speaking("ko"):
        first_page = _("Page {index} of {count}", index=1, count=3)
    assert again.embed["footer"]["text"] == first_page
    assert filled.gt.count() == 0


# --- no upstream calls once stored --------------------------------------------------------------------------


async def test_stored_catalog_answers_english_users_without_upstream_calls(filled: Harness) -> None:
    user = filled.member("ann", locale="en-GB")
    await filled.autocomplete("car", "car", user=user, car="porsche 911")
    await filled.autocomplete("cars", "manufacturer", user=user, manufacturer="toyo")
    await filled.autocomplete("cars", "car_class", user=user, manufacturer="78", car_class="")
    await filled.slash("car", user=user, car="car1544")
    await filled.slash("car", user=user, car="nissan gt-r")
    await filled.slash("cars", user=user, manufacturer="Ferrari", car_class="Gr.3")
    await filled.slash("manufacturers", user=user)
    assert filled.gt.count() == 0


# --- before the catalog is stored ---------------------------------------------------------------------------


async def test_an_empty_catalog_looks_a_car_up_by_identifier_once(harness: Harness) -> None:
    user = harness.member("ann")
    first = await harness.slash("car", user=user, car="car1544")
    assert first.deferred
    assert first.reply.embed["title"] == "Ferrari 430 Scuderia '07"
    assert first.reply.embed["image"]["url"] == IMAGE_URL.format(code=1544)
    assert harness.gt.count() == harness.gt.count("/api/assets/cars/car1544") == 1

    harness.gt.reset_counts()
    again = await harness.slash("car", user=user, car="car1544")
    assert again.reply.embed["title"] == "Ferrari 430 Scuderia '07"
    assert not again.deferred
    assert harness.gt.count() == 0


async def test_an_empty_catalog_explains_that_names_must_wait(harness: Harness) -> None:
    record = await harness.slash("car", user=harness.member("ann"), car="ferrari 430")
    assert record.reply.ephemeral
    assert record.reply.content is not None
    assert record.reply.content.startswith("The car catalog is still loading")
    assert "`car1544`" in record.reply.content
    assert harness.gt.count() == 0


async def test_an_empty_catalog_lists_a_manufacturers_cars_from_the_api(harness: Harness) -> None:
    record = await harness.slash("cars", user=harness.member("ann"), manufacturer="78", car_class="Gr.3")
    assert record.reply.embed["title"] == "Ferrari · Gr.3"
    assert record.reply.embed["description"].startswith("**2 cars** in class Gr.3")
    assert harness.gt.count() == harness.gt.count("/api/assets/manufacturer/78/gr3") == 1

    unknown = await harness.slash("cars", user=harness.member("ann"), manufacturer="999")
    assert unknown.reply.content == "GT Grid Stats has no manufacturer with the id `999`."


async def test_an_empty_catalog_fetches_manufacturers_and_regions_once(harness: Harness) -> None:
    user = harness.member("ann")
    makers = await harness.slash("manufacturers", user=user)
    assert "`78` Ferrari\n" in makers.reply.embed["description"]  # no car counts before the fill
    regions = await harness.slash("regions", user=user)
    assert "`jp` Japan" in regions.reply.embed["description"]
    harness.gt.reset_counts()
    await harness.slash("manufacturers", user=user)
    await harness.slash("regions", user=user)
    assert harness.gt.count() == 0


async def test_upstream_down_while_the_catalog_is_empty_is_a_clear_message(harness: Harness) -> None:
    harness.gt.fail(503, times=None)
    record = await harness.clock.run_until(harness.slash("car", user=harness.member("ann"), car="car1544"))
    assert (
        record.reply.content == "GT Grid Stats is not answering right now. Please try again in a few minutes."
    )
    assert not record.reply.embeds


async def test_upstream_down_for_a_new_language_shows_default_names_with_a_note(filled: Harness) -> None:
    filled.gt.fail(503, times=None)
    record = await filled.clock.run_until(
        filled.slash("car", user=filled.member("yuki", locale="ja"), car="car1544")
    )
    embed = record.reply.embed
    assert embed["title"] == "Ferrari 430 Scuderia '07"
    with speaking("ja"):
        unavailable = _(
            "Names for region {locale} could not be fetched just now, so the default names are shown.",
            locale="`jp`",
        )
    assert unavailable in embed["description"]


async def test_locale_autocomplete_offers_the_active_regions(filled: Harness) -> None:
    choices = await filled.autocomplete("car", "locale", user=filled.member("ann"), locale="jap")
    assert choices == [{"name": "jp — Japan", "value": "jp"}]
    everything = await filled.autocomplete("manufacturers", "locale", user=filled.member("ann"), locale="")
    assert {choice["value"] for choice in everything} >= {"jp", "cn", "kr", "de", "fr"}
    assert "mx" not in {choice["value"] for choice in everything}


async def test_a_car_with_no_localized_name_upstream_is_asked_about_once(filled: Harness) -> None:
    car = next(car for car in filled.gt.dataset.cars if car.gt7_code == "car1544")
    filled.gt.dataset.cars.remove(car)  # upstream no longer knows it, in any language
    japanese = filled.member("yuki", locale="ja")
    first = await filled.slash("car", user=japanese, car="car1544")
    assert "Ferrari 430 Scuderia '07" in first.reply.text()  # the stored default name
    asked = filled.gt.count()
    assert asked > 0
    again = await filled.slash("car", user=japanese, car="car1544")
    assert "Ferrari 430 Scuderia '07" in again.reply.text()
    assert filled.gt.count() == asked


# --- the background fill's lifetime -------------------------------------------------------------------------


@pytest.fixture
async def looping(make_harness: Callable[..., Awaitable[Harness]]) -> Harness:
    """A bot whose background loops run, the catalog's refresher among them."""
    return await make_harness(background_loops=True)


def refresher_of(harness: Harness) -> asyncio.Task[None]:
    # The extension is loaded as its own module object, so the cog is not an instance of an imported class.
    refresher = getattr(harness.bot.get_cog("Catalog"), "refresher", None)
    assert isinstance(refresher, asyncio.Task)
    return refresher


async def test_the_fill_waits_for_the_gateway_and_a_lookup_meanwhile_costs_one_call(looping: Harness) -> None:
    harness = looping
    # Logged in (as `python -m bot sync` does) but never connected: the refresher exists and waits.
    refresher = refresher_of(harness)
    assert not refresher.done()
    record = await harness.slash("car", user=harness.member("ann"), car="car1544")
    assert record.reply.embed["title"] == "Ferrari 430 Scuderia '07"
    assert [request.path for request in harness.gt.requests] == ["/api/assets/cars/car1544"]

    await harness.gateway_ready()
    await harness.clock.run_until(harness.bot.catalog.wait_until_filled(), limit=30 * 86_400)
    assert harness.gt.count("/api/assets/cars", method="GET") > 1


async def test_unloading_the_cog_stops_and_awaits_the_background_fill(looping: Harness) -> None:
    harness = looping
    await harness.gateway_ready()
    await harness.clock.run_until(harness.bot.catalog.wait_until_filled(), limit=30 * 86_400)
    refresher = refresher_of(harness)
    assert not refresher.done()  # asleep until the catalog is due again

    await harness.bot.remove_cog("Catalog")

    assert refresher.cancelled()


# --- only ASCII digits are ids ------------------------------------------------------------------------------


async def test_unicode_digits_are_not_a_car_id_while_the_catalog_loads(harness: Harness) -> None:
    record = await harness.slash("car", user=harness.member("ann"), car="١٥٤٤")  # Arabic-Indic 1544
    assert record.reply.ephemeral
    assert record.reply.content is not None
    assert record.reply.content.startswith("The car catalog is still loading, so `١٥٤٤` can't be searched")
    assert harness.gt.count() == 0


async def test_unicode_digits_are_not_a_manufacturer_id_while_the_catalog_loads(harness: Harness) -> None:
    record = await harness.slash("cars", user=harness.member("ann"), manufacturer="٧٨")  # Arabic-Indic 78
    assert record.reply.ephemeral
    assert record.reply.content is not None
    assert record.reply.content.startswith("The car catalog is still loading: choose a manufacturer by its")
    assert harness.gt.count() == 0


async def test_ascii_digits_still_look_a_car_up_while_the_catalog_loads(harness: Harness) -> None:
    record = await harness.slash("car", user=harness.member("ann"), car="1544")
    assert record.reply.embed["title"] == "Ferrari 430 Scuderia '07"
