"""Who may approve a draft of a given risk tier (``slack.approvers``).

An entry is a user id (``U…``/``W…``), ``*`` (anyone), ``owner`` (whoever asked for the draft), or a Slack user
group — by id (``S…``) or handle (``@sales-leads``) — whose members are read with ``usergroups.list`` and
``usergroups.users.list`` (scope ``usergroups:read``) and cached for a few minutes per workspace. Group lookups
fail closed: if Slack can't say who is in the group, nobody is approved through it, and the person is told why.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Any

from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

OWNER = "owner"
CACHE_SECONDS = 300.0


def is_group(entry: str) -> bool:
    return entry.startswith("@") or (entry.startswith("S") and entry[1:].isalnum() and entry.isupper())


def mention(entry: str, requester: str | None = None) -> str:
    """How an entry reads in a Slack message."""
    if entry == OWNER:
        return f"the requester <@{requester}>" if requester else "the requester"
    if entry.startswith("@"):
        return entry
    if is_group(entry):
        return f"<!subteam^{entry}>"
    return f"<@{entry}>"


@dataclass
class Verdict:
    allowed: bool
    problem: str | None = None  # a group that could not be checked, said plainly


@dataclass
class ApproverGroups:
    ttl: float = CACHE_SECONDS
    _members: dict[tuple[str, str], tuple[float, frozenset[str]]] = field(default_factory=dict)
    _handles: dict[str, tuple[float, dict[str, str]]] = field(default_factory=dict)  # team -> handle -> id

    async def allowed(
        self, user: str, entries: list[str], *, requester: str | None, client: AsyncWebClient | None
    ) -> Verdict:
        problems: list[str] = []
        for entry in entries:
            if entry == "*" or entry == user or (entry == OWNER and requester and user == requester):
                return Verdict(True)
            if not is_group(entry):
                continue
            if client is None:
                problems.append(f"{entry} is a Slack user group, which can only be checked in Slack")
                continue
            try:
                if user in await self.members(client, entry):
                    return Verdict(True)
            except LookupError as exc:
                problems.append(str(exc))
        return Verdict(False, "; ".join(problems) or None)

    async def members(self, client: AsyncWebClient, entry: str) -> frozenset[str]:
        team = _team(client)
        group_id = await self._group_id(client, team, entry) if entry.startswith("@") else entry
        cached = self._members.get((team, group_id))
        if cached and time.monotonic() - cached[0] < self.ttl:
            return cached[1]
        try:
            resp = await client.usergroups_users_list(usergroup=group_id)
        except SlackApiError as exc:
            raise LookupError(_explain(entry, exc)) from exc
        users = frozenset(str(u) for u in resp.get("users") or [])
        self._members[(team, group_id)] = (time.monotonic(), users)
        return users

    async def _group_id(self, client: AsyncWebClient, team: str, handle: str) -> str:
        cached = self._handles.get(team)
        if not cached or time.monotonic() - cached[0] >= self.ttl:
            try:
                resp = await client.usergroups_list()
            except SlackApiError as exc:
                raise LookupError(_explain(handle, exc)) from exc
            groups: list[dict[str, Any]] = resp.get("usergroups") or []
            cached = (time.monotonic(), {str(g.get("handle", "")).lower(): str(g["id"]) for g in groups})
            self._handles[team] = cached
        found = cached[1].get(handle[1:].lower())
        if found is None:
            raise LookupError(f"there is no user group {handle} in this workspace")
        return found


def _team(client: AsyncWebClient) -> str:
    """Cache key per workspace: several workspaces may name groups alike."""
    return str(client.default_params.get("team_id") or (client.token or "")[-12:])


def _explain(entry: str, exc: SlackApiError) -> str:
    error = exc.response.get("error") if exc.response is not None else "unknown"
    if error == "missing_scope":
        return f"I can't read the members of {entry}: the Slack app needs the usergroups:read scope"
    if error in ("no_such_subteam", "subteam_not_found"):
        return f"there is no user group {entry} in this workspace"
    return f"Slack would not tell me who is in {entry} ({error})"
