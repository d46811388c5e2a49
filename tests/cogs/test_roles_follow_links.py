"""Rank roles follow every way a link is made or erased: /me delete, the league sign-up modal (issue #11)."""

from __future__ import annotations

from tests.cogs.test_league_night import open_signups
from tests.cogs.test_roles import link, role_id, roles_of
from tests.conftest import Harness
from tests.standins.interactions import FakeChannel, FakeUser


async def test_me_delete_takes_the_managed_rank_roles_in_every_linked_server(harness: Harness) -> None:
    harness.discord.setup_roles(harness.guild.id)
    organiser = harness.member("org", manager=True)
    assert "Rank roles are set up" in (await harness.slash("roles setup create", user=organiser)).reply.text()
    guild_id = harness.guild.id
    helper = harness.discord.add_role(guild_id, "Helper", position=3)
    ann = harness.member("ann")
    harness.discord.add_member(guild_id, ann.user_payload())
    harness.discord.give_role(guild_id, ann.id, helper)
    await link(harness, ann, "Speedy_One", 31_000)
    dr_a = role_id(harness, "DR A")
    await harness.discord.wait_for(lambda: roles_of(harness, ann) == {dr_a, helper})

    question = await harness.driver.dm_interaction("me delete", user=ann)
    in_dms = FakeUser(guild=None, name="ann", id=ann.id)
    await harness.driver.click(question.reply, "Delete everything", user=in_dms)
    assert await harness.bot.links.get(guild_id, ann.id) is None
    # The managed role goes, as after /unlink; the member's other roles stay.
    await harness.discord.wait_for(lambda: roles_of(harness, ann) == {helper})


async def test_a_link_made_by_the_sign_up_modal_gives_the_rank_roles(harness: Harness) -> None:
    harness.discord.setup_roles(harness.guild.id)
    organiser = harness.member("org", manager=True)
    assert "Rank roles are set up" in (await harness.slash("roles setup create", user=organiser)).reply.text()
    channel = FakeChannel(harness.guild)
    board = await open_signups(harness, organiser, channel)
    harness.gt.dataset.add_driver("NewDriver", dr_points=31_000)
    newbie = harness.member("newbie")
    click = await harness.driver.click(board, "Join", user=newbie)
    assert click.modal is not None
    submitted = await harness.driver.submit_modal(click, {"gtgb:signup:1:psn_id": "newdriver"}, user=newbie)
    assert "You are on the grid" in submitted.reply.text()
    await harness.discord.wait_for(lambda: roles_of(harness, newbie) == {role_id(harness, "DR A")})
