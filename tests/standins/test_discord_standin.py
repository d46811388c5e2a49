"""The Discord stand-in refuses what Discord documents it refuses, so a test catches what production would."""

from __future__ import annotations

from typing import Any

import httpx

from tests.standins.discord_api import DiscordStandin


def _modal(**item: Any) -> dict[str, Any]:
    text_input = {"type": 4, "style": 1, "label": "PSN", "custom_id": "psn", **item}
    return {
        "type": 9,
        "data": {
            "title": "Sign up",
            "custom_id": "m",
            "components": [{"type": 1, "components": [text_input]}],
        },
    }


async def test_an_empty_new_message_is_50006_and_an_edit_with_only_flags_is_not() -> None:
    async with DiscordStandin() as discord_api, httpx.AsyncClient() as http:
        empty = await http.post(f"{discord_api.base_url}/channels/5/messages", json={"content": ""})
        assert (empty.status_code, empty.json()["code"]) == (400, 50006)
        record = discord_api.register_interaction(1, "tok")
        said = await http.post(
            f"{discord_api.base_url}/interactions/1/tok/callback", json={"type": 4, "data": {}}
        )
        assert (said.status_code, said.json()["code"]) == (400, 50006)
        assert record.callbacks == []
        posted = await http.post(f"{discord_api.base_url}/channels/5/messages", json={"content": "hi"})
        message_id = posted.json()["id"]
        edited = await http.patch(
            f"{discord_api.base_url}/channels/5/messages/{message_id}", json={"flags": 4}
        )
        assert edited.status_code == 200
        assert [m.content for m in discord_api.messages_in(5)] == ["hi"]


async def test_over_ten_files_is_50035_and_over_the_upload_limit_is_413() -> None:
    async with DiscordStandin() as discord_api, httpx.AsyncClient() as http:
        url = f"{discord_api.base_url}/channels/5/messages"
        eleven = {f"files[{n}]": (f"{n}.png", b"x") for n in range(11)}
        many = await http.post(url, data={"payload_json": '{"content": "c"}'}, files=eleven)
        assert (many.status_code, many.json()["code"]) == (400, 50035)
        assert "files" in many.json()["errors"]
        big = {"files[0]": ("big.png", b"x" * (25 * 1024 * 1024 + 1))}
        large = await http.post(url, data={"payload_json": '{"content": "c"}'}, files=big)
        assert (large.status_code, large.json()["code"]) == (413, 40005)
        ten = {f"files[{n}]": (f"{n}.png", b"x") for n in range(10)}
        fine = await http.post(url, data={"payload_json": "{}"}, files=ten)
        assert fine.status_code == 200
        assert [len(m.attachments) for m in discord_api.messages_in(5)] == [10]


async def test_an_autocomplete_answer_over_the_choice_limits_is_50035() -> None:
    async with DiscordStandin() as discord_api, httpx.AsyncClient() as http:
        record = discord_api.register_interaction(1, "tok")
        url = f"{discord_api.base_url}/interactions/1/tok/callback"
        choices = [{"name": f"c{n}", "value": str(n)} for n in range(26)]
        too_many = await http.post(url, json={"type": 8, "data": {"choices": choices}})
        assert (too_many.status_code, too_many.json()["code"]) == (400, 50035)
        bad = [
            {"name": "", "value": "v"},
            {"name": "n" * 101, "value": "v" * 101},
            {"name": "ok", "value": 7},
        ]
        refused = await http.post(url, json={"type": 8, "data": {"choices": bad}})
        assert set(refused.json()["errors"]["choices"]) == {"0", "1"}
        assert set(refused.json()["errors"]["choices"]["1"]) == {"name", "value"}
        assert record.callbacks == []
        fine = await http.post(url, json={"type": 8, "data": {"choices": choices[:25]}})
        assert fine.status_code == 200
        assert len(record.choices) == 25


async def test_a_modal_text_input_outside_discords_limits_is_50035() -> None:
    async with DiscordStandin() as discord_api, httpx.AsyncClient() as http:
        cases: list[tuple[dict[str, Any], str]] = [
            ({"custom_id": ""}, "custom_id"),
            ({"custom_id": "c" * 101}, "custom_id"),
            ({"placeholder": "p" * 101}, "placeholder"),
            ({"max_length": 0}, "max_length"),
            ({"min_length": 5, "max_length": 3}, "min_length"),
        ]
        for number, (item, key) in enumerate(cases):
            discord_api.register_interaction(number, f"tok{number}")
            url = f"{discord_api.base_url}/interactions/{number}/tok{number}/callback"
            answer = await http.post(url, json=_modal(**item))
            assert (answer.status_code, answer.json()["code"]) == (400, 50035), item
            assert key in answer.json()["errors"]["components"]["0"], item
        record = discord_api.register_interaction(99, "ok")
        fine = await http.post(
            f"{discord_api.base_url}/interactions/99/ok/callback", json=_modal(min_length=3, max_length=16)
        )
        assert fine.status_code == 200
        assert record.modal is not None


async def test_a_refused_role_edit_is_not_recorded_as_a_change() -> None:
    async with DiscordStandin() as discord_api, httpx.AsyncClient() as http:
        discord_api.setup_roles(7)
        role_id = discord_api.add_role(7, "Gold", position=2)
        url = f"{discord_api.base_url}/guilds/7/roles/{role_id}"
        for name in ("", "n" * 101):
            refused = await http.patch(url, json={"name": name})
            assert (refused.status_code, refused.json()["code"]) == (400, 50035)
        assert discord_api.role_changes == []
        renamed = await http.patch(url, json={"name": "Platinum"})
        assert renamed.status_code == 200
        assert discord_api.role_named(7, "Platinum")["id"] == str(role_id)
        assert [change[0] for change in discord_api.role_changes] == ["PATCH"]


async def test_components_over_discords_limits_are_50035() -> None:
    def button(label: str = "Join", custom_id: str | None = "b") -> dict[str, Any]:
        item: dict[str, Any] = {"type": 2, "style": 1, "label": label}
        if custom_id is not None:
            item["custom_id"] = custom_id
        return item

    async with DiscordStandin() as discord_api, httpx.AsyncClient() as http:
        url = f"{discord_api.base_url}/channels/5/messages"
        refused = {
            "six rows": [{"type": 1, "components": [button()]} for _ in range(6)],
            "six buttons": [{"type": 1, "components": [button(custom_id=f"b{n}") for n in range(6)]}],
            "long label": [{"type": 1, "components": [button(label="x" * 81)]}],
            "no custom id": [{"type": 1, "components": [button(custom_id=None)]}],
            "long custom id": [{"type": 1, "components": [button(custom_id="x" * 101)]}],
        }
        for name, components in refused.items():
            answer = await http.post(url, json={"content": "c", "components": components})
            assert (answer.status_code, answer.json()["code"]) == (400, 50035), name
            assert "components" in answer.json()["errors"], name
        link = {"type": 2, "style": 5, "label": "Docs", "url": "https://example.com"}
        five = [{"type": 1, "components": [button(custom_id=f"b{n}") for n in range(5)]}]
        for components in (five * 5, [{"type": 1, "components": [link]}]):
            fine = await http.post(url, json={"content": "c", "components": components})
            assert fine.status_code == 200
        assert len(discord_api.messages_in(5)) == 2
