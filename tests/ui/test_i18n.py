"""The bot in GT7's main languages: lookups and plurals, the user's language for answers, the server's for
public posts, localised command descriptions in the sync payload, and numbers written per locale."""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

import discord
import pytest
from babel.messages.catalog import Catalog
from discord import app_commands

from bot.errors import Action, NeedsManageServer
from bot.ui import catalogues, i18n
from bot.ui.errors import describe_error
from bot.ui.format import number, percent
from bot.ui.i18n import _, current_language, language_for, ngettext, speaking
from bot.ui.translator import CatalogueTranslator
from tests.conftest import Harness
from tests.standins.interactions import MANAGER_PERMISSIONS, FakeChannel, FakeGuild, FakeUser

SERVER_ONLY_JA = "このコマンドはサーバー内でのみ使えます。サーバーのチャンネルで使ってください。"
TRANSLATED_LOCALES = {"ja", "zh-CN", "zh-TW", "ko", "de", "fr", "es-ES", "es-419", "it", "pt-BR"}


# --- lookups ---------------------------------------------------------------------------------------


def test_messages_are_looked_up_in_the_current_language_and_filled() -> None:
    message = "You need the {permissions} permission to do that."
    assert _(message, permissions="X") == "You need the X permission to do that."
    with speaking("de"):
        assert _(message, permissions="X") == "Dafür brauchst du die Berechtigung „X“."
        with speaking("ja"):
            assert _(message, permissions="X") == "この操作には「X」の権限が必要です。"
        assert current_language() == "de"
    assert current_language() == "en"


def test_discord_locales_pick_the_catalogue_and_others_read_english() -> None:
    assert language_for(discord.Locale.japanese) == "ja"
    assert language_for("es-419") == language_for("es-ES") == "es"
    assert language_for(discord.Locale.taiwan_chinese) == "zh_Hant"
    assert language_for("pl") == "en"
    assert language_for(None) == "en"


def test_a_missing_message_reads_english_and_is_logged_once(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG, logger="bot.ui.i18n")
    message = "A message no catalogue has, for {who}."
    with speaking("fr"):
        assert _(message, who="you") == "A message no catalogue has, for you."
        assert _(message, who="me") == "A message no catalogue has, for me."
    assert caplog.text.count("no fr translation of 'A message no catalogue has") == 1


@pytest.fixture
def plural_catalogues(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Any:
    """fr, de and ja catalogues with one plural message, in a throwaway locale folder."""
    forms: dict[str, tuple[str, ...]] = {
        "fr": ("{count} voiture", "{count} voitures"),
        "de": ("{count} Auto", "{count} Autos"),
        "ja": ("{count}台",),
    }
    for language, strings in forms.items():
        po = Catalog(locale=language)
        po.add(("{count} car", "{count} cars"), strings)
        catalogues._write(po, tmp_path / language / "LC_MESSAGES" / "messages.po")
    monkeypatch.setattr(i18n, "LOCALE_DIR", tmp_path)
    i18n.catalogue.cache_clear()
    yield
    i18n.catalogue.cache_clear()


@pytest.mark.usefixtures("plural_catalogues")
def test_plural_forms_follow_each_languages_rule() -> None:
    def cars(count: int) -> str:
        return ngettext("{count} car", "{count} cars", count)

    assert [cars(n) for n in (0, 1, 2)] == ["0 cars", "1 car", "2 cars"]
    with speaking("fr"):  # French: 0 and 1 are singular
        assert [cars(n) for n in (0, 1, 2)] == ["0 voiture", "1 voiture", "2 voitures"]
    with speaking("de"):
        assert [cars(n) for n in (0, 1, 2)] == ["0 Autos", "1 Auto", "2 Autos"]
    with speaking("ja"):  # one form for every count
        assert [cars(n) for n in (0, 1, 2)] == ["0台", "1台", "2台"]


def test_numbers_and_percentages_are_written_per_locale() -> None:
    assert (number(1_234_567), number(1234.5), percent(0.456)) == ("1,234,567", "1,234.50", "46%")
    with speaking("de"):
        assert (number(1_234_567), number(1234.5), percent(0.456)) == ("1.234.567", "1.234,50", "46\xa0%")
    with speaking("fr"):
        assert number(1_234_567) == "1\u202f234\u202f567"
    with speaking("pt_BR"):
        assert number(1234.5) == "1.234,50"
    with speaking("ja"):
        assert number(1_234_567) == "1,234,567"
    assert number(None) == "—"


# --- answers in the user's language ----------------------------------------------------------------


async def test_a_japanese_user_sees_errors_in_japanese(harness: Harness) -> None:
    in_dm = FakeUser(guild=None, name="dm_racer", locale="ja", permissions=MANAGER_PERMISSIONS)
    record = await harness.slash("league roster", user=in_dm)
    assert record.reply.content == SERVER_ONLY_JA
    assert record.reply.ephemeral

    member = harness.member("taro", locale="ja")
    other = harness.member("hanako")
    record = await harness.slash("unlink", user=member, member=other)
    english, _unexpected = describe_error(NeedsManageServer(Action.UNLINK))
    with speaking("ja"):
        japanese, _unexpected = describe_error(NeedsManageServer(Action.UNLINK))
    assert japanese != english  # the catalogue has it in Japanese
    assert record.reply.content == japanese
    assert record.reply.ephemeral

    # The next English user of the same bot still reads English: the language lives in the command's task.
    again = await harness.slash("unlink", user=harness.member("bob"), member=other)
    assert again.reply.content == english == "You need the Manage Server permission to unlink someone else."


# --- the slash commands' descriptions -------------------------------------------------------------


async def _sync(harness: Harness) -> dict[str, dict[str, Any]]:
    await harness.bot.tree.sync()  # the global sync (`python -m bot sync`)
    return {command["name"]: command for command in harness.discord.synced_commands[None]}


async def test_command_descriptions_and_choices_are_localised_in_the_sync_payload(harness: Harness) -> None:
    commands = await _sync(harness)
    car = commands["car"]
    assert set(car["description_localizations"]) == TRANSLATED_LOCALES
    assert car["description_localizations"]["ja"] == "GT7の車：画像、クラス、メーカー、各種コード。"
    assert car["description_localizations"]["es-419"] == car["description_localizations"]["es-ES"]
    assert car["description"] == "A GT7 car: picture, class, manufacturer and codes."
    (option, *_rest) = car["options"]
    assert option["name"] == "car"  # names stay English
    assert option["description_localizations"]["de"] == "Name, ID, Fahrzeugcode oder GT7-Code (z. B. car1544)"
    for command in commands.values():
        assert not command.get("name_localizations"), command["name"]
        assert all(not item.get("name_localizations") for item in command.get("options", []))
    sort = next(item for item in commands["leaderboard"]["options"] if item["name"] == "sort")
    wins = next(choice for choice in sort["choices"] if choice["value"] == "wins")
    assert wins["name"] == "Wins"
    assert wins["name_localizations"]["ja"] == "勝利数"
    assert wins["name_localizations"]["pt-BR"] == "Vitórias"
    league = commands["league"]
    assert league["description_localizations"]["ko"].startswith("리그 운영")
    setup = next(item for item in league["options"] if item["name"] == "setup")
    assert setup["description_localizations"]["fr"].startswith("Créer une ligue")
    assert harness.discord.rejected == []


async def test_a_translation_discord_would_refuse_is_left_out_and_the_sync_goes_through(
    harness: Harness, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    real = i18n.translation

    def too_long(message: str, language: str) -> str | None:
        return "ー" * 101 if message.startswith("A GT7 car") and language == "ja" else real(message, language)

    monkeypatch.setattr("bot.ui.translator.translation", too_long)
    commands = await _sync(harness)
    assert "ja" not in commands["car"]["description_localizations"]
    assert commands["car"]["description_localizations"]["de"].startswith("Ein GT7-Fahrzeug")
    assert "over 100 characters: English is shown" in caplog.text
    assert harness.discord.rejected == []


async def test_the_discord_standin_refuses_localizations_discord_refuses(harness: Harness) -> None:
    bad = [
        {
            "name": "car",
            "type": 1,
            "description": "A car.",
            "description_localizations": {"jp": "車", "de": "x" * 101},
            "name_localizations": {"ja": "車", "de": "Auto"},
        }
    ]
    application_id = harness.bot.application_id
    assert application_id is not None
    with pytest.raises(discord.HTTPException) as refused:
        await harness.bot.http.bulk_upsert_guild_commands(application_id, harness.guild.id, bad)
    assert refused.value.status == 400
    assert refused.value.code == 50035
    (rejection,) = harness.discord.rejected
    problems = rejection["errors"]["0"]
    assert set(problems["description_localizations"]) == {"jp", "de"}
    assert set(problems["name_localizations"]) == {"de"}  # names are lowercase where a script has case


async def test_the_translator_leaves_names_english() -> None:
    translator = CatalogueTranslator()
    location = app_commands.TranslationContextLocation
    wins = app_commands.locale_str("Wins")
    choice: app_commands.TranslationContextTypes = app_commands.TranslationContext(
        location.choice_name, app_commands.Choice(name="Wins", value=1)
    )
    other: app_commands.TranslationContextTypes = app_commands.TranslationContext(location.other, None)
    assert await translator.translate(wins, discord.Locale.japanese, choice) == "勝利数"
    assert await translator.translate(wins, discord.Locale.american_english, choice) is None
    assert await translator.translate(wins, discord.Locale.polish, choice) is None
    assert await translator.translate(wins, discord.Locale.japanese, other) is None


# --- public posts in the server's language ---------------------------------------------------------


def cache_guild(harness: Harness, guild: FakeGuild, preferred_locale: str) -> None:
    """GUILD_CREATE through discord.py's own parser: the bot then knows the server's preferred locale."""
    payload = {
        "id": str(guild.id),
        "name": guild.name,
        "preferred_locale": preferred_locale,
        "unavailable": False,
        "owner_id": "1",
        "roles": [],
        "emojis": [],
        "stickers": [],
        "features": [],
        "channels": [],
        "members": [],
        "member_count": 2,
    }
    harness.bot._connection.parse_guild_create(payload)


async def test_a_german_servers_league_post_speaks_german(harness: Harness) -> None:
    cache_guild(harness, harness.guild, "de")
    assert harness.bot.guild_language(harness.guild.id) == "de"
    channel = FakeChannel(harness.guild)
    organiser = harness.member("org", manager=True)  # an English-speaking organiser
    harness.gt.dataset.add_series(6161, "Nations Cup", {"alpha_one": (1, [(1, 1200, True), (2, 300, True)])})
    await harness.slash("league setup", user=organiser, name="Liga", series=6161, channel=channel)
    await harness.slash("league add", user=organiser, drivers="alpha_one")
    record = await harness.slash("league post", user=organiser)
    assert record.reply.content is not None
    assert record.reply.content.startswith("Posted the **Liga** standings")  # the organiser's answer: English
    (post,) = harness.discord.messages_in(channel.id)
    assert "**1.500**" in post.embeds[0]["description"]  # the public post: the server's language
    assert "1,500" not in post.embeds[0]["description"]


async def test_a_server_without_a_known_locale_posts_in_english(harness: Harness) -> None:
    assert harness.bot.guild_language(harness.guild.id) == "en"  # not in the cache
    cache_guild(harness, harness.guild, "pl")  # a language without a catalogue
    assert harness.bot.guild_language(harness.guild.id) == "en"
    assert harness.bot.guild_language(None) == "en"
