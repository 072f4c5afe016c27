"""JavaScript rendering with headless Chromium (``--dump-dom``), confined to the page's own host.

Chromium fetches sub-resources itself, outside the crawler's SSRF guard, so every host except the page's own is
mapped to NOTFOUND with ``--host-resolver-rules``: scripts on the page can reach its origin and nothing else.
"""

from __future__ import annotations

import asyncio
import logging
import shutil
import tempfile
from urllib.parse import urlsplit

log = logging.getLogger(__name__)


class RenderError(Exception):
    """Chromium is missing, crashed or timed out; the message says which."""


def resolver_rules(host: str, mapped_to: str | None) -> str:
    if mapped_to:
        return f"MAP {host} {mapped_to}, MAP * ~NOTFOUND"
    return f"MAP * ~NOTFOUND, EXCLUDE {host}"


async def render_dom(
    url: str,
    *,
    chromium: str,
    budget_ms: int = 3000,
    timeout: float = 30.0,  # noqa: ASYNC109 - the subprocess is killed on expiry
    user_agent: str | None = None,
    mapped_to: str | None = None,
) -> str:
    """The DOM after scripts ran (timers fast-forwarded by ``--virtual-time-budget``)."""
    binary = shutil.which(chromium) or (chromium if chromium.startswith("/") else None)
    if not binary:
        raise RenderError(
            f"Chromium not found at '{chromium}': install the 'chromium' package or set crawler.chromium_path"
        )
    host = urlsplit(url).hostname or ""
    profile = tempfile.mkdtemp(prefix="amia-chromium-")
    args = [
        binary,
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--no-first-run",
        "--log-level=3",
        f"--user-data-dir={profile}",
        f"--virtual-time-budget={budget_ms}",
        f"--host-resolver-rules={resolver_rules(host, mapped_to)}",
    ]
    if user_agent:
        args.append(f"--user-agent={user_agent}")
    args += ["--dump-dom", url]
    proc = await asyncio.create_subprocess_exec(
        *args, stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE, env={"HOME": profile}
    )
    try:
        out, err = await asyncio.wait_for(proc.communicate(), timeout)
    except TimeoutError as exc:
        proc.kill()
        await proc.wait()
        raise RenderError(f"Chromium did not finish rendering {url} within {timeout:g}s") from exc
    finally:
        await asyncio.to_thread(shutil.rmtree, profile, True)
    if proc.returncode != 0:
        tail = err.decode("utf-8", "replace").strip().splitlines()[-1:] or ["no output"]
        raise RenderError(f"Chromium exited with {proc.returncode}: {tail[0][:200]}")
    return out.decode("utf-8", "replace")
