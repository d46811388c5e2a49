"""Issue #13: the bot wherever the user is (user install, DMs, group DMs), the personal PSN ID, and /me
show|delete (privacy), through real interactions against the stand-ins."""

from __future__ import annotations

import asyncio

import discord
import pytest
from discord import app_commands

from bot.storage.users import registered_user_data
from bot.ui.replies import Reply
from tests.conftest import Harness
from tests.standins.discord_api import install_problems
from tests.standins.interactions import FakeGuild, FakeUser

NOT_IN_A_SERVER = "This command works only inside a server: please use it in one of the server's channels."


async def tables_with(harness: Harness, column: str) -> list[str]:
    rows = await harness.bot.database.fetch_all(
        "SELECT m.name FROM sqlite_master AS m JOIN pragma_table_info(m.name) AS c "
        "WHERE m.type = 'table' AND c.name = ?",
        (column,),
    )
    return [row[0] for row in rows]


async def rows_of_guild(harness: Harness, guild_id: int) -> dict[str, int]:
    counts = {}
    for table in await tables_with(harness, "guild_id"):
        row = await harness.bot.database.fetch_one(
            f'SELECT COUNT(*) FROM "{table}" WHERE guild_id = ?', (guild_id,)
        )
        assert row is not None
        counts[table] = int(row[0])
    return counts


async def every_user_id_column(harness: Harness) -> list[tuple[str, str]]:
    """Every column of the schema that holds a Discord user id: member_id, user_id, or *_by."""
    rows = await harness.bot.database.fetch_all(
        "SELECT m.name, c.name FROM sqlite_master AS m JOIN pragma_table_info(m.name) AS c "
        "WHERE m.type = 'table' AND (c.name IN ('member_id', 'user_id') OR c.name LIKE '%\\_by' ESCAPE '\\')"
    )
    return [(row[0], row[1]) for row in rows]


# --- install contexts in the command sync -------------------------------------------------------------


async def test_the_sync_says_where_each_command_may_be_installed_and_used(harness: Harness) -> None:
    await harness.bot.tree.sync()
    synced = {command["name"]: command for command in harness.discord.synced_commands[None]}
    assert not harness.discord.rejected
    for name in ("car", "cars", "manufacturers", "regions", "profile", "history", "compare", "about", "me"):
        assert synced[name]["integration_types"] == [0, 1], name
        assert synced[name]["contexts"] == [0, 1, 2], name
    for name in ("link", "unlink", "leaderboard", "standings", "league", "quota"):
        assert synced[name]["integration_types"] == [0], name
        assert synced[name]["contexts"] == [0], name
        assert synced[name]["dm_permission"] is False, name


def test_the_discord_stand_in_refuses_unknown_installation_types_and_contexts() -> None:
    assert install_problems([{"name": "ok", "integration_types": [0, 1], "contexts": None}]) == {}
    problems = install_problems(
        [
            {"name": "ok"},
            {"name": "bad", "integration_types": [2], "contexts": []},
            {"name": "x", "contexts": [1, 1]},
        ]
    )
    assert set(problems) == {"1", "2"}
    assert problems["1"]["integration_types"]["0"]["_errors"][0]["code"] == "ENUM_TYPE_COERCE"
    assert problems["1"]["contexts"]["_errors"][0]["code"] == "BASE_TYPE_BAD_LENGTH"
    assert problems["2"]["contexts"]["_errors"][0]["code"] == "SET_TYPE_ALREADY_CONTAINS_VALUE"


# --- DMs and group DMs ------------------------------------------------------------------------------------


async def test_car_works_in_a_dm(harness: Harness) -> None:
    await harness.clock.run_until(harness.bot.catalog.refresh())
    record = await harness.driver.dm_interaction("car", user=harness.member("ann"), car="car1544")
    assert not record.reply.ephemeral
    assert "1544" in record.reply.text()


async def test_profile_in_a_dm_answers_with_the_personal_psn_id(harness: Harness) -> None:
    harness.gt.dataset.add_driver("Dm_Driver", nickname="Dee")
    ann = harness.member("ann")
    done = await harness.driver.dm_interaction("me psn set", user=ann, psn_id="Dm_Driver")
    assert done.reply.ephemeral
    assert "`Dm_Driver`" in done.reply.text()
    record = await harness.driver.dm_interaction("profile", user=ann)
    assert record.reply.embed["title"].endswith("Dee"), record.reply.text()
    history = await harness.driver.dm_interaction("history", user=ann)
    assert "DR history" in history.reply.text()


async def test_profile_in_a_dm_without_a_personal_psn_says_how_to_set_one(harness: Harness) -> None:
    record = await harness.driver.dm_interaction("profile", user=harness.member("ann"))
    assert record.reply.ephemeral
    assert "/me psn set" in record.reply.text()
    assert harness.gt.count() == 0


async def test_compare_in_a_dm_takes_psn_ids_and_explains_mentions(harness: Harness) -> None:
    harness.gt.dataset.add_driver("Alpha_One")
    harness.gt.dataset.add_driver("Beta_Two")
    ann = harness.member("ann")
    record = await harness.driver.dm_interaction("compare", user=ann, drivers="Alpha_One Beta_Two")
    assert "Alpha_One" in record.reply.text()
    assert "Beta_Two" in record.reply.text()
    mentioned = await harness.driver.dm_interaction("compare", user=ann, drivers=f"Alpha_One <@{ann.id}>")
    assert mentioned.reply.ephemeral
    assert "only known inside a server" in mentioned.reply.text()


async def test_profile_in_a_group_dm_uses_the_personal_psn_and_posts_nothing_itself(harness: Harness) -> None:
    harness.gt.dataset.add_driver("Group_Racer", nickname="Gee")
    ann = harness.member("ann")
    await harness.driver.dm_interaction("me psn set", user=ann, psn_id="Group_Racer")
    record = await harness.driver.private_channel_interaction("profile", user=ann)
    assert record.reply.embed["title"].endswith("Gee")
    assert harness.discord.channel_messages == {}


@pytest.mark.parametrize("command", ["link", "leaderboard", "league roster"])
async def test_server_only_commands_in_a_dm_say_where_to_use_them(harness: Harness, command: str) -> None:
    options = {"psn_id": "Some_One"} if command == "link" else {}
    record = await harness.driver.dm_interaction(command, user=harness.member("ann"), **options)
    assert record.reply.ephemeral
    assert record.reply.text() == NOT_IN_A_SERVER


# --- a server where the bot is only user-installed --------------------------------------------------------


async def test_a_user_install_only_server_stores_nothing_and_answers_through_the_interaction(
    harness: Harness,
) -> None:
    elsewhere = FakeGuild(name="No Bot Here")
    ann = FakeUser(guild=elsewhere, name="ann")
    harness.gt.dataset.add_driver("Visitor_One", nickname="Vee")
    refused = await harness.driver.user_install_interaction("link", user=ann, psn_id="Visitor_One")
    assert refused.reply.ephemeral
    assert "/link needs the bot in this server" in refused.reply.text()
    board = await harness.driver.user_install_interaction("leaderboard", user=ann)
    assert "/leaderboard needs the bot in this server" in board.reply.text()
    profile = await harness.driver.user_install_interaction("profile", user=ann, psn_id="Visitor_One")
    assert profile.reply.embed["title"].endswith("Vee")
    await harness.driver.user_install_interaction("me psn set", user=ann, psn_id="Visitor_One")
    own = await harness.driver.user_install_interaction("profile", user=ann)
    assert own.reply.embed["title"].endswith("Vee")
    member = await harness.driver.user_install_interaction(
        "profile", user=ann, member=FakeUser(guild=elsewhere, name="cat")
    )
    assert "servers the bot has been added to" in member.reply.text()
    about = await harness.driver.user_install_interaction("about", user=ann)
    assert "Linked members here" not in about.reply.text()
    # Nothing keyed by that server, anywhere in the database; the bot never posted in its channel.
    assert set((await rows_of_guild(harness, elsewhere.id)).values()) == {0}
    assert harness.discord.channel_messages == {}
    assert await harness.bot.personal.personal_psn(ann.id) is not None


async def test_an_expired_public_answer_where_the_bot_cannot_post_goes_by_dm(harness: Harness) -> None:
    release = asyncio.Event()

    @app_commands.command(name="late", description="answers after its token expired")
    @app_commands.allowed_installs(guilds=True, users=True)
    async def late(interaction: discord.Interaction) -> None:
        reply = Reply(interaction, private=False)
        await reply.defer()
        await release.wait()
        await reply.send("the late answer")

    harness.bot.tree.add_command(late)
    elsewhere = FakeGuild(name="No Bot Here")
    ann = FakeUser(guild=elsewhere, name="ann")
    task = asyncio.ensure_future(harness.driver.user_install_interaction("late", user=ann))
    await harness.discord.wait_for(lambda: any(r.deferred for r in harness.discord.interactions.values()))
    record = next(r for r in harness.discord.interactions.values() if r.deferred)
    harness.discord.expired_tokens.add(record.token)
    release.set()
    await task
    assert harness.discord.messages_in(elsewhere.channel_id) == []
    assert not any(
        call.path == f"/channels/{elsewhere.channel_id}/messages" for call in harness.discord.calls
    )
    dms = harness.discord.dms_to(ann.id)
    assert len(dms) == 1
    assert dms[0].content is not None
    assert "the late answer" in dms[0].content


# --- privacy: /me show and /me delete ---------------------------------------------------------------------


async def test_a_personal_psn_id_is_never_seen_by_a_server(harness: Harness) -> None:
    harness.gt.dataset.add_driver("Secret_Self")
    ann, bob = harness.member("ann"), harness.member("bob")
    await harness.driver.dm_interaction("me psn set", user=ann, psn_id="Secret_Self")
    board = await harness.slash("leaderboard", user=bob)
    assert "Nobody has linked a PSN ID in this server yet" in board.reply.text()
    profile = await harness.slash("profile", user=bob, member=ann)
    assert "has not linked a PSN ID in this server" in profile.reply.text()
    own = await harness.slash("profile", user=ann)
    assert "You have not linked your PSN ID in this server yet" in own.reply.text()
    compare = await harness.slash("compare", user=bob, drivers=f"{ann.mention} Other_One")
    assert "has not linked a PSN ID here" in compare.reply.text()
    for record in (board, profile, own, compare):
        assert "Secret_Self" not in record.reply.text()


async def fill_everything(harness: Harness, ann: FakeUser, bob: FakeUser) -> FakeGuild:
    other = FakeGuild(name="Second Server")
    for psn in ("Ann_Here", "Ann_There", "Bob_Here", "Ann_Self"):
        harness.gt.dataset.add_driver(psn)
    await harness.slash("link", user=ann, psn_id="Ann_Here")
    await harness.slash("link", user=FakeUser(guild=other, name="ann", id=ann.id), psn_id="Ann_There")
    await harness.slash("link", user=bob, psn_id="Bob_Here")
    await harness.driver.dm_interaction("me psn set", user=ann, psn_id="Ann_Self")
    await harness.driver.dm_interaction("me psn set", user=bob, psn_id="Bob_Here")
    await harness.bot.leagues.create(
        harness.guild.id, "Ann Cup", 1564, harness.guild.channel_id, ann.id, harness.clock.now()
    )
    bob_cup = await harness.bot.leagues.create(
        harness.guild.id, "Bob Cup", 1564, harness.guild.channel_id, bob.id, harness.clock.now()
    )
    # League night rows with Ann's id: a sign-up she opened and joined, a race she added and answered.
    now = harness.clock.now().isoformat()
    guild = harness.guild.id
    async with harness.bot.database.transaction() as connection:
        for opener in (ann.id, bob.id):
            cursor = await connection.execute(
                "INSERT INTO league_signups (guild_id, league_id, channel_id, opened_by, opened_at) "
                "VALUES (?, ?, ?, ?, ?)",
                (guild, bob_cup.id, harness.guild.channel_id, opener, now),
            )
            await connection.execute(
                "UPDATE league_signups SET closed_at = ? WHERE id = ?", (now, cursor.lastrowid)
            )
            for member, psn in ((ann.id, "Ann_Here"), (bob.id, "Bob_Here")):
                await connection.execute(
                    "INSERT INTO signup_entries (guild_id, signup_id, member_id, psn_id, joined_at) "
                    "VALUES (?, ?, ?, ?, ?)",
                    (guild, cursor.lastrowid, member, psn, now),
                )
            race = await connection.execute(
                "INSERT INTO league_races (guild_id, league_id, starts_at, duration_minutes, created_by, "
                "created_at) VALUES (?, ?, ?, 120, ?, ?)",
                (guild, bob_cup.id, now, opener, now),
            )
            for member, psn in ((ann.id, "Ann_Here"), (bob.id, "Bob_Here")):
                await connection.execute(
                    "INSERT INTO race_attendance (guild_id, race_id, psn_id, member_id, status, answered_at) "
                    "VALUES (?, ?, ?, ?, 'in', ?)",
                    (guild, race.lastrowid, psn, member, now),
                )
        await connection.execute(
            "INSERT INTO league_penalties (guild_id, league_id, psn_id, points, reason, given_by, given_at) "
            "VALUES (?, ?, 'Bob_Here', -5, 'Divebomb', ?, ?)",
            (guild, bob_cup.id, ann.id, now),
        )
        for member, psn in ((ann.id, "Ann_Here"), (bob.id, "Bob_Here")):
            await connection.execute(
                "INSERT INTO tracking_optouts (guild_id, member_id, created_at) VALUES (?, ?, ?)",
                (guild, member, now),
            )
            await connection.execute(
                "INSERT INTO tracking_announcements (guild_id, psn_id, rating, before_class, after_class, "
                "points_after, member_id, observed_at) VALUES (?, ?, 'dr', 'C', 'B', 10500, ?, ?)",
                (guild, psn, member, now),
            )
    return other


async def test_me_show_lists_every_kind_of_row_about_the_user(harness: Harness) -> None:
    ann, bob = harness.member("ann", manager=True), harness.member("bob", manager=True)
    other = await fill_everything(harness, ann, bob)
    record = await harness.driver.dm_interaction("me show", user=ann)
    assert record.reply.ephemeral
    embed = record.reply.embed
    titles = [field["name"] for field in embed["fields"]]
    assert sorted(titles) == sorted(
        [
            "Personal PSN ID",
            "PSN ID links in servers",
            "Leagues you created",
            "Sign-ups you opened",
            "League sign-ups",
            "Races you added",
            "Race check-in answers",
            "Penalties you gave",
            "Driver news opt-outs",
            "Driver news about you",
        ]
    )
    text = record.reply.text()
    for shown in (
        "`Ann_Self`",
        "`Ann_Here`",
        "`Ann_There`",
        "`Ann Cup`",
        str(other.id),
        str(harness.guild.id),
    ):
        assert shown in text
    assert "Bob" not in text


async def test_me_delete_removes_every_row_of_the_user_and_leaves_other_users_rows(harness: Harness) -> None:
    ann, bob = harness.member("ann", manager=True), harness.member("bob", manager=True)
    await fill_everything(harness, ann, bob)
    columns = await every_user_id_column(harness)
    registered = {(column.table, column.column) for column in registered_user_data()}
    assert set(columns) <= registered, (
        f"user-id columns no storage module registered: {set(columns) - registered}"
    )

    async def count(user_id: int) -> dict[str, int]:
        counts = {}
        for table, column in columns:
            row = await harness.bot.database.fetch_one(
                f'SELECT COUNT(*) FROM "{table}" WHERE "{column}" = ?', (user_id,)
            )
            assert row is not None
            counts[f"{table}.{column}"] = int(row[0])
        return counts

    bob_before = await count(bob.id)
    assert all((await count(ann.id)).values())
    question = await harness.driver.dm_interaction("me delete", user=ann)
    assert question.reply.ephemeral
    assert "cannot be undone" in question.reply.text()
    # Someone else cannot press it (private refusal), and nothing is deleted.
    refused = await harness.driver.click(question.reply, "Delete everything", user=bob)
    assert refused.reply.ephemeral
    assert all((await count(ann.id)).values())
    await harness.driver.click(
        question.reply, "Delete everything", user=FakeUser(guild=None, name="ann", id=ann.id)
    )
    assert "were deleted or cleared" in (question.reply.content or "")
    assert set((await count(ann.id)).values()) == {0}
    assert await count(bob.id) == bob_before
    # The leagues stay with their server; only who created one is cleared.
    assert {league.name for league in await harness.bot.leagues.for_guild(harness.guild.id)} == {
        "Ann Cup",
        "Bob Cup",
    }
    # Snapshots of drivers nobody links or keeps any more are gone; Bob's stay.
    assert await harness.bot.drivers.snapshots.count("Ann_Here") == 0
    assert await harness.bot.drivers.snapshots.count("Ann_Self") == 0
    assert await harness.bot.drivers.snapshots.count("Bob_Here") > 0
    shown = await harness.driver.dm_interaction("me show", user=ann)
    assert "Nothing: the bot stores no data about you." in shown.reply.text()


async def test_me_delete_cancel_keeps_everything(harness: Harness) -> None:
    ann = harness.member("ann")
    harness.gt.dataset.add_driver("Keep_Me")
    await harness.driver.dm_interaction("me psn set", user=ann, psn_id="Keep_Me")
    question = await harness.driver.dm_interaction("me delete", user=ann)
    await harness.driver.click(question.reply, "Cancel", user=FakeUser(guild=None, name="ann", id=ann.id))
    assert question.reply.content == "Cancelled: nothing was deleted."
    assert await harness.bot.personal.personal_psn(ann.id) is not None


async def test_me_psn_set_refuses_a_malformed_psn_id_and_clear_removes_it(harness: Harness) -> None:
    ann = harness.member("ann")
    bad = await harness.driver.dm_interaction("me psn set", user=ann, psn_id="no spaces allowed")
    assert bad.reply.ephemeral
    assert "is not a valid PSN ID" in bad.reply.text()
    assert await harness.bot.personal.personal_psn(ann.id) is None
    await harness.slash("me psn set", user=ann, psn_id="Mine_Only")
    cleared = await harness.slash("me psn clear", user=ann)
    assert cleared.reply.ephemeral
    assert "`Mine_Only` is deleted" in cleared.reply.text()
    assert await harness.bot.personal.personal_psn(ann.id) is None
