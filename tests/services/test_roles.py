"""Rank roles as data: the class of a driver, the wanted roles, the diff and the checks before a change."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from bot.gtgridstats.models import Driver
from bot.services.roles import (
    MANAGE_ROLES,
    GuildRole,
    GuildRoles,
    Ladder,
    MappedRole,
    Problem,
    RoleMapping,
    diff,
    dr_class,
    validate,
    wanted,
)
from bot.storage.snapshots import DriverSnapshot

GUILD = 1
NOW = datetime(2026, 5, 1, tzinfo=UTC)


def snapshot(dr: str | None, points: int, sr: str | None = "S") -> DriverSnapshot:
    driver = Driver.model_validate({"PSN_ID": "p", "DR": dr, "SR": sr, "stats": {"dr_points": points}})
    return DriverSnapshot(id=1, driver=driver, first_fetched_at=NOW, fetched_at=NOW)


MAPPING = RoleMapping(
    GUILD,
    (
        *(MappedRole(Ladder.DR, name, 100 + index) for index, name in enumerate(Ladder.DR.classes)),
        *(MappedRole(Ladder.SR, name, 200 + index) for index, name in enumerate(Ladder.SR.classes)),
    ),
    sr_enabled=True,
)


@pytest.mark.parametrize(
    ("dr", "points", "expected"),
    [("A+", 10, "A+"), (None, 1_999, "E"), (None, 2_000, "D"), ("?", 49_999, "A"), (None, 50_000, "A+")],
)
def test_the_dr_class_is_upstreams_letter_else_the_band_of_the_points(
    dr: str | None, points: int, expected: str
) -> None:
    assert dr_class(snapshot(dr, points)) == expected


def test_wanted_is_the_role_of_each_current_class_and_nothing_when_unlinked() -> None:
    assert wanted(MAPPING, snapshot("B", 12_000, "A")) == {103, 204}
    assert wanted(MAPPING, None) == set()
    sr_off = RoleMapping(GUILD, MAPPING.roles, sr_enabled=False)
    assert wanted(sr_off, snapshot("B", 12_000, "A")) == {103}
    assert 204 not in sr_off.managed  # SR roles are left alone while SR is off


def test_the_diff_touches_only_managed_roles() -> None:
    change = diff(MAPPING, {105}, {104, 999, 204})
    assert change.add == {105}
    assert change.remove == {104, 204}
    assert not diff(MAPPING, {105}, {105, 999})


def roles(*extra: GuildRole, bot_permissions: int = MANAGE_ROLES) -> GuildRoles:
    bot_role = GuildRole(50, "GT Grid", position=10, permissions=bot_permissions, managed=True)
    everyone = GuildRole(GUILD, "@everyone", position=0)
    return GuildRoles(GUILD, {role.id: role for role in (bot_role, everyone, *extra)}, frozenset({50}))


def test_validate_names_every_role_the_bot_cannot_assign() -> None:
    state = roles(
        GuildRole(100, "Low", position=1),
        GuildRole(101, "High", position=11),
        GuildRole(102, "Bot", position=2, managed=True),
    )
    mapped = [
        MappedRole(Ladder.DR, "E", 100),
        MappedRole(Ladder.DR, "D", 101),
        MappedRole(Ladder.DR, "C", 102),
        MappedRole(Ladder.DR, "B", GUILD),
        MappedRole(Ladder.DR, "A", 777),
    ]
    problems = validate(state, mapped)
    assert [(p.problem, p.role_id) for p in problems] == [
        (Problem.ABOVE_BOT, 101),
        (Problem.MANAGED, 102),
        (Problem.EVERYONE, GUILD),
        (Problem.DELETED, 777),
    ]
    assert problems[0].bot_role_name == "GT Grid"
    assert problems[0].role_name == "High"
    assert [p.problem for p in validate(roles(bot_permissions=0), mapped)] == [Problem.NO_MANAGE_ROLES]
    assert validate(roles(GuildRole(100, "Low", position=1), bot_permissions=1 << 3), mapped[:1]) == []
