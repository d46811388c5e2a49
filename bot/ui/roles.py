"""Every word of rank roles (/roles): role names, audit-log reasons, refusals, notices and progress."""

from __future__ import annotations

import discord

from bot.services.role_sync import OffDone, SetupDone, SyncResult
from bot.services.roles import (
    DiscordUnavailable,
    Ladder,
    NoSrRoles,
    NothingMapped,
    Pause,
    Problem,
    RoleMapping,
    RoleProblem,
    RolesError,
    RolesNotSetUp,
    RolesRefused,
    SyncRunning,
)
from bot.ui.format import BRAND_COLOUR, truncate
from bot.ui.i18n import _, ngettext
from bot.ui.replies import MESSAGE_CONTENT_LIMIT

MAX_PROBLEMS_SHOWN = 5


def role_name(ladder: Ladder, class_name: str) -> str:
    """The name of a role the bot creates ("DR A+", "SR S")."""
    if ladder is Ladder.DR:
        return _("DR {rank}", rank=class_name)
    return _("SR {rank}", rank=class_name)


def reason_apply() -> str:
    return _("Rank roles: the class of the member's linked GT7 driver")


def reason_setup() -> str:
    return _("Rank roles set up with /roles setup")


def reason_off() -> str:
    return _("Rank roles turned off with /roles off")


def _which(ladder: Ladder | None, class_name: str | None) -> str:
    if ladder is None or class_name is None:
        return ""
    return role_name(ladder, class_name)


def _role(problem: RoleProblem) -> str:
    name = discord.utils.escape_markdown(problem.role_name or "") if problem.role_name else None
    which = _which(problem.ladder, problem.class_name)
    if name:
        return _("**{name}** (mapped to {rank})", name=name, rank=which) if which else f"**{name}**"
    return _("the role mapped to {rank}", rank=which) if which else _("a mapped role")


def problem_text(problem: RoleProblem) -> str:
    """One refusal, naming the role and what to fix."""
    match problem.problem:
        case Problem.NO_MANAGE_ROLES:
            return _(
                "I need the Manage Roles permission: give it to my role in Server Settings → Roles, then "
                "try again."
            )
        case Problem.TOO_MANY_ROLES:
            return _(
                "This server has too many roles for me to create the rank roles (Discord allows 250): "
                "delete some, or map existing roles with `/roles setup map`."
            )
        case Problem.ABOVE_BOT:
            return _(
                "I can't assign {role}: it is not below my highest role ({bot_role}). In Server Settings → "
                "Roles, drag my role above it.",
                role=_role(problem),
                bot_role=f"**{discord.utils.escape_markdown(problem.bot_role_name or '?')}**",
            )
        case Problem.EVERYONE:
            return _("{role} is @everyone, which every member has: pick another role.", role=_role(problem))
        case Problem.MANAGED:
            return _(
                "{role} is managed by an integration (a bot or a subscription), so nobody can assign it: "
                "pick another role.",
                role=_role(problem),
            )
        case Problem.DELETED:
            return _(
                "{role} no longer exists: map another role with `/roles setup map`, or let me create them "
                "with `/roles setup create`.",
                role=_role(problem),
            )
        case Problem.FORBIDDEN:
            return _(
                "Discord refused me a change of {role}: check that I have Manage Roles and that my role is "
                "above it.",
                role=_role(problem),
            )


def refused_text(error: RolesRefused) -> str:
    lines = [problem_text(problem) for problem in error.problems[:MAX_PROBLEMS_SHOWN]]
    hidden = len(error.problems) - MAX_PROBLEMS_SHOWN
    if hidden > 0:
        lines.append(ngettext("…and {count} more role.", "…and {count} more roles.", hidden))
    return _("Nothing was changed.") + "\n" + "\n".join(f"• {line}" for line in lines)


def describe_roles_error(error: RolesError) -> str:
    match error:
        case RolesRefused():
            return refused_text(error)
        case RolesNotSetUp():
            return _(
                "Rank roles are not set up in this server: start with `/roles setup create` or "
                "`/roles setup map`."
            )
        case NothingMapped():
            return _("Give at least one role to map (one option per class).")
        case NoSrRoles():
            return _(
                "No SR roles are mapped yet: map them with `/roles setup map` (the `sr_…` options), "
                "then turn SR on."
            )
        case DiscordUnavailable():
            return _("Discord did not answer, so nothing was changed. Please try again in a few minutes.")
        case SyncRunning():
            return _("A sync of this server's rank roles is already running: its progress is in that reply.")
    return _("Rank roles could not be changed.")


def pause_notice(pause: Pause) -> str:
    """What the next organiser command says while updates are paused."""
    problem = RoleProblem(pause.problem, pause.role_id, None, pause.ladder, pause.class_name)
    return _(
        "⚠️ Rank roles are paused, so members' roles are not updated: {why} Then run `/roles sync` to resume.",
        why=problem_text(problem),
    )


def with_pause_notice(pause: Pause | None, message: str) -> str:
    """An organiser's answer, led by the pause notice while rank roles are paused; within Discord's limit."""
    if pause is not None:
        message = pause_notice(pause) + "\n" + message
    return truncate(message, MESSAGE_CONTENT_LIMIT)


def _mapped(mapping: RoleMapping, ladder: Ladder) -> str:
    roles = mapping.of(ladder)
    parts = [
        f"{role_name(ladder, name)} → <@&{roles[name].role_id}>" for name in ladder.classes if name in roles
    ]
    return "\n".join(parts) or _("(none)")


def setup_text(done: SetupDone) -> str:
    lines = [_("✅ Rank roles are set up.")]
    if done.created:
        lines.append(ngettext("I created {count} role.", "I created {count} roles.", done.created))
    if done.reused:
        lines.append(
            ngettext(
                "{count} role I made before was kept.", "{count} roles I made before were kept.", done.reused
            )
        )
    if done.deleted:
        lines.append(
            ngettext(
                "{count} role I had made and no longer use was deleted.",
                "{count} roles I had made and no longer use were deleted.",
                done.deleted,
            )
        )
    lines.append(
        _(
            "Run `/roles sync` to give every linked member their role now; links and refreshes keep "
            "them up to date."
        )
    )
    return "\n".join(lines)


def sr_text(done: SetupDone) -> str:
    if done.mapping.sr_enabled:
        return _(
            "✅ SR roles are on: members also get the role of their SR class. Run `/roles sync` to "
            "apply it now."
        )
    text = _("SR roles are off: they are no longer updated.")
    if done.deleted:
        text += " " + ngettext(
            "{count} SR role I had created was deleted.",
            "{count} SR roles I had created were deleted.",
            done.deleted,
        )
    return text


def off_text(done: OffDone, *, remove_created: bool) -> str:
    text = _("Rank roles are off: members' roles are no longer updated.")
    if remove_created:
        text += " " + ngettext(
            "{count} role I had created was deleted.",
            "{count} roles I had created were deleted.",
            done.removed,
        )
        if done.not_removed:
            text += " " + ngettext(
                "{count} could not be deleted (check my Manage Roles permission): delete it by hand.",
                "{count} could not be deleted (check my Manage Roles permission): delete them by hand.",
                done.not_removed,
            )
    else:
        text += " " + _(
            "The roles stay as they are; `/roles off remove_created:True` deletes those I created."
        )
    return text


def resumed() -> str:
    return _("▶️ Rank roles were paused; every mapped role checks out again, so they are resumed.")


def sync_started() -> str:
    return _("Syncing rank roles…")


def sync_started_text(was_paused: bool) -> str:
    """The sync's first progress line, led by the resumption when the mapping had been paused."""
    return resumed() + "\n" + sync_started() if was_paused else sync_started()


def sync_progress(done: int, total: int) -> str:
    return _("Syncing rank roles: {done} of {total} linked members checked…", done=done, total=total)


def sync_result(result: SyncResult) -> str:
    if result.paused is not None:
        return (
            _("The sync stopped after {done} of {total} members.", done=result.checked, total=result.total)
            + "\n"
            + pause_notice(result.paused)
        )
    if result.unavailable:
        return _(
            "The sync stopped after {done} of {total} members: Discord did not answer. Please try again in a "
            "few minutes.",
            done=result.checked,
            total=result.total,
        )
    text = ngettext(
        "✅ Rank roles synced: {count} linked member checked",
        "✅ Rank roles synced: {count} linked members checked",
        result.checked,
    )
    text += ", " + ngettext("{count} changed.", "{count} changed.", result.changed)
    if result.gone:
        text += " " + ngettext(
            "{count} is no longer in the server.", "{count} are no longer in the server.", result.gone
        )
    return text


def status_embed(mapping: RoleMapping | None) -> discord.Embed:
    embed = discord.Embed(title=_("Rank roles"), colour=BRAND_COLOUR)
    if mapping is None:
        embed.description = describe_roles_error(RolesNotSetUp())
        return embed
    if mapping.pause is not None:
        embed.description = pause_notice(mapping.pause)
    else:
        embed.description = _(
            "On: links, unlinks and every refresh of a linked driver update members' roles."
        )
    embed.add_field(name=_("DR classes"), value=_mapped(mapping, Ladder.DR), inline=True)
    sr_state = _("on") if mapping.sr_enabled else _("off")
    embed.add_field(
        name=_("SR classes ({state})", state=sr_state), value=_mapped(mapping, Ladder.SR), inline=True
    )
    return embed
