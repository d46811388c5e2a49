"""/link and /unlink in words: linked, released, already linked, the relink prompt and its buttons, unlinked.
Models in, text out; every word through `_()`."""

from __future__ import annotations

from bot.services.driver_results import LinkDone
from bot.storage.links import Link
from bot.ui.format import code, timestamp
from bot.ui.i18n import N_, _

RELINK_NOT_YOURS = N_("Only the member who ran `/link` can answer this.")


def relink_labels() -> tuple[str, str]:
    return _("Confirm"), _("Cancel")


def linked_text(done: LinkDone, *, self_link: bool) -> str:
    driver = done.result.snapshot.driver
    name = driver.nickname or driver.psn_id
    if self_link:
        text = _("✅ You are now linked to **{name}** ({psn_id})", name=name, psn_id=code(driver.psn_id))
    else:
        text = _(
            "✅ {member} is now linked to **{name}** ({psn_id})",
            member=f"<@{done.link.member_id}>",
            name=name,
            psn_id=code(driver.psn_id),
        )
    if driver.dr:
        text += _(", DR {dr}", dr=driver.dr)
    text += "."
    if done.previous is not None and done.previous.psn_id.lower() != driver.psn_id.lower():
        text += " " + _("The previous link to {psn_id} was replaced.", psn_id=code(done.previous.psn_id))
    return text


def released_text(psn_id: str, member_id: int) -> str:
    return _(
        "{psn_id} was linked to {member}, who has left this server: that link was released.",
        psn_id=code(psn_id),
        member=f"<@{member_id}>",
    )


def already_linked_text(current: Link, target_id: int, *, self_link: bool) -> str:
    since = timestamp(current.linked_at, "D")
    if self_link:
        return _(
            "You are already linked to {psn_id} (since {since}).", psn_id=code(current.psn_id), since=since
        )
    return _(
        "{member} is already linked to {psn_id} (since {since}).",
        member=f"<@{target_id}>",
        psn_id=code(current.psn_id),
        since=since,
    )


def link_prompt_text(current: Link, target_id: int, psn_id: str, *, self_link: bool) -> str:
    values = {
        "current": code(current.psn_id),
        "since": timestamp(current.linked_at, "D"),
        "new": code(psn_id),
    }
    if self_link:
        return _("You are linked to {current} (since {since}). Replace it with {new}?", **values)
    return _(
        "{member} is linked to {current} (since {since}). Replace it with {new}?",
        member=f"<@{target_id}>",
        **values,
    )


def looking_up_text(psn_id: str) -> str:
    return _("Looking up {psn_id} on GT Grid Stats…", psn_id=code(psn_id))


def cancelled_text(psn_id: str) -> str:
    return _("Cancelled: the link to {psn_id} is unchanged.", psn_id=code(psn_id))


def no_answer_text(psn_id: str) -> str:
    return _("No answer: the link to {psn_id} is unchanged.", psn_id=code(psn_id))


def unlinked_text(psn_id: str, target_id: int, *, self_link: bool) -> str:
    if self_link:
        return _("You are no longer linked to {psn_id} in this server.", psn_id=code(psn_id))
    return _(
        "{member} is no longer linked to {psn_id} in this server.",
        member=f"<@{target_id}>",
        psn_id=code(psn_id),
    )
