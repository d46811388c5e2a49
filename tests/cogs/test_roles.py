"""/roles through real interactions: rank roles given on /link, taken on /unlink, swapped on a refresh."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any, cast
from urllib.parse import unquote

import pytest

from bot.gtgridstats.models import Driver
from bot.storage.snapshots import DriverSnapshot, SnapshotStore
from cogs.roles import Roles
from tests.conftest import Harness
from tests.standins.discord_api import MANAGE_ROLES
from tests.standins.interactions import FakeUser

DR_NAMES = ["DR E", "DR D", "DR C", "DR B", "DR A", "DR A+"]
SR_NAMES = ["SR E", "SR D", "SR C", "SR B", "SR A", "SR S"]


def cog(harness: Harness) -> Roles:
    # The extension is loaded as its own module object, so the class is matched by name, not identity.
    found = harness.bot.get_cog("Roles")
    assert found is not None
    assert type(found).__name__ == Roles.__name__
    return cast(Roles, found)


def role_id(harness: Harness, name: str) -> int:
    return int(harness.discord.role_named(harness.guild.id, name)["id"])


def roles_of(harness: Harness, user: FakeUser) -> set[int]:
    return harness.discord.roles_of(harness.guild.id, user.id)


def member_changes(harness: Harness) -> list[tuple[str, int, int | None, int, str | None]]:
    return [change for change in harness.discord.role_changes if change[2] is not None]


async def link(harness: Harness, user: FakeUser, psn: str, dr_points: int, sr: str = "S") -> None:
    harness.gt.dataset.add_driver(psn, dr_points=dr_points, sr=sr)
    record = await harness.slash("link", user=user, psn_id=psn)
    assert "now linked to" in record.reply.text()


async def refreshed(harness: Harness, psn: str, dr: str, dr_points: int) -> list[DriverSnapshot]:
    """What a refresh cycle hands to `drivers_refreshed`: the driver's new snapshot, stored."""
    driver = Driver.model_validate({"PSN_ID": psn, "DR": dr, "SR": "S", "stats": {"dr_points": dr_points}})
    return await SnapshotStore(harness.bot.database).save([driver], datetime.now(UTC))


@pytest.fixture
def organiser(harness: Harness) -> FakeUser:
    harness.discord.setup_roles(harness.guild.id)
    return harness.member("org", manager=True)


async def test_setup_create_makes_class_roles_and_link_gives_exactly_the_class_roles(
    harness: Harness, organiser: FakeUser
) -> None:
    record = await harness.slash("roles setup create", user=organiser, sr=True)
    assert record.deferred
    assert record.reply.ephemeral
    assert "Rank roles are set up" in record.reply.text()
    assert "created 12 roles" in record.reply.text()
    roles = harness.discord.guild_roles[harness.guild.id]
    names = {role["name"] for role in roles.values()}
    assert set(DR_NAMES + SR_NAMES) <= names
    assert harness.discord.role_named(harness.guild.id, "DR A+")["color"] == 0xE53935
    assert harness.discord.role_named(harness.guild.id, "SR S")["color"] == 0xAB47BC
    created = [change for change in harness.discord.role_changes if change[0] == "POST"]
    assert len(created) == 12
    assert all(unquote(change[4] or "").startswith("Rank roles") for change in created)

    ann = harness.member("ann")
    await link(harness, ann, "Speedy_One", 31_000, sr="A")  # DR A, SR A
    want = {role_id(harness, "DR A"), role_id(harness, "SR A")}
    await harness.discord.wait_for(lambda: roles_of(harness, ann) == want)
    reasons = {unquote(change[4] or "") for change in member_changes(harness)}
    assert reasons == {"Rank roles: the class of the member's linked GT7 driver"}


async def test_setup_create_without_manage_roles_is_refused_and_creates_nothing(harness: Harness) -> None:
    harness.discord.setup_roles(harness.guild.id, bot_permissions=0x4C00)  # no Manage Roles
    organiser = harness.member("org", manager=True)
    record = await harness.slash("roles setup create", user=organiser)
    assert record.reply.ephemeral
    assert "Manage Roles permission" in record.reply.text()
    assert "Nothing was changed" in record.reply.text()
    assert len(harness.discord.guild_roles[harness.guild.id]) == 2  # @everyone and the bot's role
    assert await cog(harness).service.mapping(harness.guild.id) is None


@pytest.mark.parametrize("case", ["above", "everyone", "managed", "no_manage_roles"])
async def test_setup_map_refuses_a_role_the_bot_cannot_assign_naming_it(harness: Harness, case: str) -> None:
    guild_id = harness.guild.id
    permissions = 0x4C00 if case == "no_manage_roles" else MANAGE_ROLES | 0x4C00
    harness.discord.setup_roles(guild_id, bot_permissions=permissions, bot_position=5)
    fine = harness.discord.add_role(guild_id, "Rookies", position=1)
    if case == "above":
        bad = harness.discord.add_role(guild_id, "Moderators", position=20)
    elif case == "managed":
        bad = harness.discord.add_role(guild_id, "Other Bot", position=2, managed=True)
    elif case == "everyone":
        bad = guild_id
    else:
        bad = harness.discord.add_role(guild_id, "Aliens", position=2)
    roles = harness.discord.guild_roles[guild_id]
    organiser = harness.member("org", manager=True)
    record = await harness.slash("roles setup map", user=organiser, dr_e=roles[fine], dr_a=roles[bad])
    text = record.reply.text()
    assert record.reply.ephemeral
    assert "Nothing was changed" in text
    expected = {
        "above": ["**Moderators** (mapped to DR A)", "drag my role above it", "**GT Grid**"],
        "everyone": ["@everyone", "pick another role"],
        "managed": ["**Other Bot**", "managed by an integration"],
        "no_manage_roles": ["Manage Roles permission"],
    }[case]
    for words in expected:
        assert words in text
    assert "Rookies" not in text
    assert await cog(harness).service.mapping(guild_id) is None
    assert not harness.discord.role_changes


async def test_unlink_removes_the_managed_roles_and_never_touches_other_roles(
    harness: Harness, organiser: FakeUser
) -> None:
    guild_id = harness.guild.id
    pro = harness.discord.add_role(guild_id, "Pro", position=2)
    rookie = harness.discord.add_role(guild_id, "Rookie", position=1)
    helper = harness.discord.add_role(guild_id, "Helper", position=3)
    roles = harness.discord.guild_roles[guild_id]
    record = await harness.slash(
        "roles setup map", user=organiser, dr_e=roles[rookie], dr_a=roles[pro], dr_a_plus=roles[pro]
    )
    assert "Rank roles are set up" in record.reply.text()
    ann = harness.member("ann")
    harness.discord.add_member(guild_id, ann.user_payload())
    harness.discord.give_role(guild_id, ann.id, helper)
    harness.discord.give_role(guild_id, ann.id, rookie)  # a managed role of a class she is not in
    await link(harness, ann, "Speedy_One", 31_000)
    await harness.discord.wait_for(lambda: roles_of(harness, ann) == {pro, helper})

    record = await harness.slash("unlink", user=ann)
    assert "no longer linked" in record.reply.text()
    await harness.discord.wait_for(lambda: roles_of(harness, ann) == {helper})
    touched = {change[3] for change in member_changes(harness)}
    assert helper not in touched


async def test_a_refresh_that_changes_the_class_swaps_the_role(harness: Harness, organiser: FakeUser) -> None:
    await harness.slash("roles setup create", user=organiser)
    ann = harness.member("ann")
    await link(harness, ann, "Speedy_One", 31_000)
    await harness.discord.wait_for(lambda: roles_of(harness, ann) == {role_id(harness, "DR A")})

    harness.bot.dispatch("drivers_refreshed", await refreshed(harness, "Speedy_One", "A+", 52_000))
    await harness.discord.wait_for(lambda: roles_of(harness, ann) == {role_id(harness, "DR A+")})

    before = len(member_changes(harness))
    await cog(harness).on_drivers_refreshed(await refreshed(harness, "Speedy_One", "A+", 52_100))
    assert len(member_changes(harness)) == before  # same class: nothing to change, no call made


async def test_a_deleted_role_pauses_with_a_notice_and_never_loops(
    harness: Harness, organiser: FakeUser
) -> None:
    guild_id = harness.guild.id
    await harness.slash("roles setup create", user=organiser)
    ann = harness.member("ann")
    await link(harness, ann, "Speedy_One", 31_000)
    await harness.discord.wait_for(lambda: roles_of(harness, ann) == {role_id(harness, "DR A")})
    deleted = role_id(harness, "DR A+")
    harness.discord.remove_role_from_guild(guild_id, deleted)

    await cog(harness).on_drivers_refreshed(await refreshed(harness, "Speedy_One", "A+", 52_000))
    mapping = await cog(harness).service.mapping(guild_id)
    assert mapping is not None
    assert mapping.pause is not None
    assert mapping.pause.role_id == deleted
    assert roles_of(harness, ann) == {role_id(harness, "DR A")}  # nothing half-done

    calls = len(harness.discord.calls)
    for points in (52_100, 52_200):
        await cog(harness).on_drivers_refreshed(await refreshed(harness, "Speedy_One", "A+", points))
    harness.bot.dispatch("link_changed", guild_id, ann.id)
    await cog(harness).on_link_changed(guild_id, ann.id)
    assert len(harness.discord.calls) == calls  # paused: not one more call to Discord

    status = await harness.slash("roles status", user=organiser)
    assert status.reply.ephemeral
    assert "Rank roles are paused" in status.reply.text()
    assert "the role mapped to DR A+ no longer exists" in status.reply.text()
    record = await harness.slash("roles sync", user=organiser)
    assert "no longer exists" in record.reply.text()  # the sync is refused until the role is replaced
    assert len(member_changes(harness)) == 1


async def test_sync_reapplies_to_every_linked_member_with_progress(
    harness: Harness, organiser: FakeUser
) -> None:
    members = [harness.member(f"racer{number}") for number in range(27)]
    for number, member in enumerate(members):
        await link(harness, member, f"Racer_{number}", 1_000 if number % 2 else 12_000)
    record = await harness.slash("roles setup create", user=organiser)
    assert "`/roles sync`" in record.reply.text()
    assert not member_changes(harness)  # set up, not yet applied

    sync = await harness.slash("roles sync", user=organiser)
    assert sync.deferred
    assert sync.callbacks[0]["data"]["flags"] & 64
    await cog(harness).drain()
    text = sync.reply.text()
    assert "27 linked members checked, 27 changed" in text
    assert sync.reply.edits >= 3  # started, 25 of 27, 27 of 27, then the result
    e, b = role_id(harness, "DR E"), role_id(harness, "DR B")
    for number, member in enumerate(members):
        assert roles_of(harness, member) == ({e} if number % 2 else {b})

    again = await harness.slash("roles sync", user=organiser)
    await cog(harness).drain()
    assert "27 linked members checked, 0 changed" in again.reply.text()


async def test_off_with_remove_created_deletes_the_bots_roles(harness: Harness, organiser: FakeUser) -> None:
    guild_id = harness.guild.id
    mine = harness.discord.add_role(guild_id, "Mine", position=1)
    await harness.slash("roles setup create", user=organiser)
    ann = harness.member("ann")
    await link(harness, ann, "Speedy_One", 31_000)
    await harness.discord.wait_for(lambda: roles_of(harness, ann) == {role_id(harness, "DR A")})

    record = await harness.slash("roles off", user=organiser, remove_created=True)
    assert "6 roles I had created were deleted" in record.reply.text()
    names = {role["name"] for role in harness.discord.guild_roles[guild_id].values()}
    assert not names & set(DR_NAMES)
    assert mine in harness.discord.guild_roles[guild_id]
    assert roles_of(harness, ann) == set()
    assert await cog(harness).service.mapping(guild_id) is None
    status = await harness.slash("roles status", user=organiser)
    assert "not set up" in status.reply.text()


async def test_off_keeps_the_roles_and_stops_updates(harness: Harness, organiser: FakeUser) -> None:
    await harness.slash("roles setup create", user=organiser)
    record = await harness.slash("roles off", user=organiser)
    assert "roles stay as they are" in record.reply.text()
    assert set(DR_NAMES) <= {role["name"] for role in harness.discord.guild_roles[harness.guild.id].values()}
    ann = harness.member("ann")
    await link(harness, ann, "Speedy_One", 31_000)
    await cog(harness).on_link_changed(harness.guild.id, ann.id)
    assert roles_of(harness, ann) == set()


async def test_roles_are_guild_only_and_default_to_manage_server(harness: Harness) -> None:
    command: Any = harness.bot.tree.get_command("roles")
    assert command is not None
    assert command.default_permissions.manage_guild
    record = await harness.driver.dm_interaction("roles status", user=harness.member("org", manager=True))
    assert "only inside a server" in record.reply.text()


async def test_sr_on_creates_the_sr_roles_and_off_deletes_them(harness: Harness, organiser: FakeUser) -> None:
    await harness.slash("roles setup create", user=organiser)
    ann = harness.member("ann")
    await link(harness, ann, "Speedy_One", 31_000, sr="B")
    await harness.discord.wait_for(lambda: roles_of(harness, ann) == {role_id(harness, "DR A")})

    record = await harness.slash("roles sr", user=organiser, state="on")
    assert "SR roles are on" in record.reply.text()
    assert set(SR_NAMES) <= {role["name"] for role in harness.discord.guild_roles[harness.guild.id].values()}
    sync = await harness.slash("roles sync", user=organiser)
    await cog(harness).drain()
    assert "1 changed" in sync.reply.text()
    assert roles_of(harness, ann) == {role_id(harness, "DR A"), role_id(harness, "SR B")}

    record = await harness.slash("roles sr", user=organiser, state="off")
    assert "6 SR roles I had created were deleted" in record.reply.text()
    assert roles_of(harness, ann) == {role_id(harness, "DR A")}


async def test_sr_on_without_sr_roles_in_a_mapped_setup_says_how_to_map_them(
    harness: Harness, organiser: FakeUser
) -> None:
    pro = harness.discord.add_role(harness.guild.id, "Pro", position=2)
    await harness.slash(
        "roles setup map", user=organiser, dr_a=harness.discord.guild_roles[harness.guild.id][pro]
    )
    record = await harness.slash("roles sr", user=organiser, state="on")
    assert record.reply.ephemeral
    assert "No SR roles are mapped yet" in record.reply.text()
    no_setup = await harness.slash("roles off", user=harness.member("other_org", manager=True))
    assert "not set up" not in no_setup.reply.text()  # this guild is set up: off works


@pytest.mark.parametrize(
    ("failure", "shown"),
    [
        ((404, 10011, "Unknown Role"), "no longer exists"),
        ((403, 50013, "Missing Permissions"), "Discord refused"),
    ],
)
async def test_discord_refusing_a_change_pauses_the_mapping(
    harness: Harness, organiser: FakeUser, failure: tuple[int, int, str], shown: str
) -> None:
    await harness.slash("roles setup create", user=organiser)
    harness.discord.role_change_error = failure
    ann = harness.member("ann")
    await link(harness, ann, "Speedy_One", 31_000)
    await cog(harness).on_link_changed(harness.guild.id, ann.id)
    mapping = await cog(harness).service.mapping(harness.guild.id)
    assert mapping is not None
    assert mapping.pause is not None
    status = await harness.slash("roles status", user=organiser)
    assert "Rank roles are paused" in status.reply.text()
    assert shown in status.reply.text()


def tracking_cog(harness: Harness) -> Any:
    found = harness.bot.get_cog("Tracking")
    assert found is not None
    return found


async def test_a_server_with_rank_roles_is_refreshed_in_the_background_and_its_roles_follow(
    harness: Harness, organiser: FakeUser
) -> None:
    # No driver news in this server: only the rank roles want its drivers fresh.
    ann = harness.member("ann")
    await link(harness, ann, "Speedy_One", 31_000)
    assert await harness.bot.refresh.wanted() == []
    await harness.slash("roles setup create", user=organiser)
    assert [driver.psn_id for driver in await harness.bot.refresh.wanted()] == ["Speedy_One"]
    await harness.slash("roles sync", user=organiser)
    await cog(harness).drain()
    await harness.discord.wait_for(lambda: roles_of(harness, ann) == {role_id(harness, "DR A")})

    harness.gt.dataset.add_driver("Speedy_One", dr_points=52_000)  # A -> A+
    harness.clock.advance(31 * 60)
    harness.gt.reset_counts()
    result = await harness.clock.run_until(tracking_cog(harness).refresh_once())
    assert result.error is None
    assert [r.path for r in harness.gt.requests if r.path.startswith("/api/racers/")]
    await harness.discord.wait_for(lambda: roles_of(harness, ann) == {role_id(harness, "DR A+")})


async def test_rank_roles_turned_off_no_longer_want_the_servers_drivers(
    harness: Harness, organiser: FakeUser
) -> None:
    await link(harness, harness.member("ann"), "Speedy_One", 31_000)
    await harness.slash("roles setup create", user=organiser)
    assert len(await harness.bot.refresh.wanted()) == 1
    await harness.slash("roles off", user=organiser)
    assert await harness.bot.refresh.wanted() == []


async def test_roles_setup_and_link_wake_the_background_refresh(
    harness: Harness, organiser: FakeUser
) -> None:
    wake = harness.bot.refresh.wake_event
    wake.clear()
    await harness.slash("roles setup create", user=organiser)
    assert wake.is_set()
    wake.clear()
    await link(harness, harness.member("ann"), "Speedy_One", 31_000)
    assert wake.is_set()


async def test_reloading_the_roles_cog_registers_its_servers_once(
    harness: Harness, organiser: FakeUser
) -> None:
    await link(harness, harness.member("ann"), "Speedy_One", 31_000)
    await harness.slash("roles setup create", user=organiser)
    await harness.bot.reload_extension("cogs.roles")
    wanted = await harness.bot.refresh.wanted()
    assert [(driver.psn_id, driver.servers) for driver in wanted] == [("Speedy_One", 1)]
    assert len(harness.bot.refresh._sources) == 2  # the tracking servers and the (reloaded) roles servers


def test_an_answer_while_paused_leads_with_the_notice_and_stays_within_discords_limit() -> None:
    from bot.services.roles import Pause, Problem
    from bot.ui import roles as words

    shown = words.with_pause_notice(Pause(Problem.NO_MANAGE_ROLES), "x" * 2_500)
    assert shown.startswith("⚠️ Rank roles are paused")
    assert len(shown) == 2_000
    assert shown.endswith("…")
    assert words.with_pause_notice(None, "Done.") == "Done."
    assert words.sync_started_text(True).startswith("▶️ Rank roles were paused")
    assert words.sync_started_text(False) == "Syncing rank roles…"
