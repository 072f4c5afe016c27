"""robots.txt behaviours from RFC 9309 and Google's reference parser tests (github.com/google/robotstxt)."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from knowledge.web.robots import RobotsTxt, product_token, robots_for_status


def allowed(robots: str, agent: str, url: str) -> bool:
    return RobotsTxt.parse(robots).allowed(agent, url)


def test_longest_match_wins_and_allow_wins_ties() -> None:
    robots = "user-agent: FooBot\nallow: /x/page.html\ndisallow: /x/\n"
    assert allowed(robots, "FooBot", "http://foo.bar/x/page.html")
    assert not allowed(robots, "FooBot", "http://foo.bar/x/other.html")
    tie = "user-agent: FooBot\ndisallow: /page\nallow: /page\n"
    assert allowed(tie, "FooBot", "http://foo.bar/page")
    tie_wild = "user-agent: FooBot\ndisallow: /page$\nallow: /page*\n"  # same length: allow wins
    assert allowed(tie_wild, "FooBot", "http://foo.bar/page")
    longer_disallow = "user-agent: FooBot\nallow: /\ndisallow: /folder/\n"
    assert not allowed(longer_disallow, "FooBot", "http://foo.bar/folder/x")


def test_wildcards_and_end_anchor() -> None:
    robots = "user-agent: FooBot\ndisallow: /*.pdf$\ndisallow: /fish*.php\nallow: /$\ndisallow: /\n"
    assert not allowed(robots, "FooBot", "http://foo.bar/docs/a.pdf")
    assert allowed(robots, "FooBot", "http://foo.bar/")
    assert not allowed(robots, "FooBot", "http://foo.bar/fishheads/catfish.php?x=1")
    only_pdf = "user-agent: FooBot\ndisallow: /*.pdf$\n"
    assert allowed(only_pdf, "FooBot", "http://foo.bar/a.pdf?download=1")
    assert allowed("user-agent: FooBot\ndisallow: /a$b\n", "FooBot", "http://foo.bar/a")  # '$' mid-pattern is literal
    assert not allowed("user-agent: FooBot\ndisallow: /a$b\n", "FooBot", "http://foo.bar/a$b")


def test_byte_order_mark_is_ignored() -> None:
    robots = "\ufeffUser-Agent: FooBot\nDisallow: /\n"
    assert not allowed(robots, "FooBot", "http://foo.bar/x")
    assert not RobotsTxt.parse(b"\xef\xbb\xbfUser-Agent: FooBot\nDisallow: /\n").allowed("FooBot", "http://x.y/z")


def test_unknown_directive_does_not_end_group() -> None:
    robots = "User-agent: FooBot\nFoo: bar\nUser-agent: BarBot\nDisallow: /private\n"
    assert not allowed(robots, "FooBot", "http://foo.bar/private")
    assert not allowed(robots, "BarBot", "http://foo.bar/private")
    sitemap_inside = "User-agent: FooBot\nSitemap: https://foo.bar/s.xml\nUser-agent: BarBot\nDisallow: /\n"
    assert not allowed(sitemap_inside, "FooBot", "http://foo.bar/x")


def test_rule_after_rules_opens_new_group_and_groups_merge() -> None:
    robots = "user-agent: FooBot\ndisallow: /a\nuser-agent: BarBot\ndisallow: /b\nuser-agent: FooBot\ndisallow: /c\n"
    assert not allowed(robots, "FooBot", "http://foo.bar/a")
    assert allowed(robots, "FooBot", "http://foo.bar/b")
    assert not allowed(robots, "FooBot", "http://foo.bar/c")


def test_user_agent_product_token_matching() -> None:
    robots = "User-agent: FooBot/2.1\nDisallow: /\nUser-agent: Bar Baz\nDisallow: /bar\n"
    assert not allowed(robots, "foobot", "http://foo.bar/x")  # case-insensitive, version dropped
    assert not allowed(robots, "FooBot/3.0 (+https://foo.bar/bot)", "http://foo.bar/x")  # our UA's first word
    assert not allowed(robots, "Bar", "http://foo.bar/bar")  # multi-word value: first word is the token
    assert allowed(robots, "Baz", "http://foo.bar/bar")
    assert product_token("AMIA-Research/0.1 (+https://x)") == "amia-research"


def test_specific_group_replaces_global_even_when_empty() -> None:
    robots = "user-agent: *\ndisallow: /\nuser-agent: FooBot\nallow: /nothing-here-matters\n"
    assert allowed(robots, "FooBot", "http://foo.bar/x")
    assert not allowed(robots, "OtherBot", "http://foo.bar/x")


def test_rules_before_any_user_agent_are_ignored_and_empty_disallow_allows() -> None:
    assert allowed("disallow: /\nuser-agent: FooBot\nallow: /x\n", "FooBot", "http://foo.bar/y")
    assert allowed("user-agent: *\ndisallow:\n", "FooBot", "http://foo.bar/y")


def test_line_endings_comments_typos_and_missing_colon() -> None:
    for eol in ("\n", "\r", "\r\n"):
        assert not allowed(f"User-agent: FooBot{eol}Disallow: /{eol}", "FooBot", "http://foo.bar/x")
    assert not allowed("useragent: FooBot # me\ndissallow: / # all\n", "FooBot", "http://foo.bar/x")
    assert not allowed("user-agent FooBot\ndisallow /\n", "FooBot", "http://foo.bar/x")
    assert allowed("user-agent FooBot\ndisallow / extra words\n", "FooBot", "http://foo.bar/x")


def test_percent_encoding_as_google() -> None:
    robots = "User-agent: FooBot\nDisallow: /foo/bar/ツ\n"
    assert not allowed(robots, "FooBot", "http://foo.bar/foo/bar/%E3%83%84")
    assert allowed(robots, "FooBot", "http://foo.bar/foo/bar/ツ")
    lower = "User-agent: FooBot\nDisallow: /foo/bar/%e3%83%84\n"
    assert not allowed(lower, "FooBot", "http://foo.bar/foo/bar/%E3%83%84")
    assert allowed("User-agent: FooBot\nDisallow: /foo/bar/%62%61%7A\n", "FooBot", "http://foo.bar/foo/bar/baz")


def test_index_html_allows_directory() -> None:
    robots = "User-Agent: *\nAllow: /allowed-slash/index.html\nDisallow: /\n"
    assert allowed(robots, "FooBot", "http://foo.com/allowed-slash/")
    assert allowed(robots, "FooBot", "http://foo.com/allowed-slash/index.html")
    assert not allowed(robots, "FooBot", "http://foo.com/allowed-slash/index.htm")
    assert not allowed(robots, "FooBot", "http://foo.com/anyother-url")


def test_query_is_part_of_path_and_fragment_is_not() -> None:
    robots = "user-agent: FooBot\ndisallow: /search?q=\n"
    assert not allowed(robots, "FooBot", "http://foo.bar/search?q=x#top")
    assert allowed(robots, "FooBot", "http://foo.bar/search")


def test_crawl_delay_and_sitemaps() -> None:
    robots = RobotsTxt.parse(
        "Sitemap: https://a.example/s1.xml\nuser-agent: FooBot\ncrawl-delay: 2.5\nuser-agent: BarBot\n"
        "disallow: /x\nSite-map: https://a.example/s2.xml\nuser-agent: *\ncrawl-delay: nonsense\n"
    )
    assert robots.crawl_delay("FooBot") == 2.5
    assert robots.crawl_delay("BarBot") == 2.5  # same group: crawl-delay did not end it
    assert robots.crawl_delay("Other") is None
    assert robots.sitemaps == ["https://a.example/s1.xml", "https://a.example/s2.xml"]


def test_parse_cap_500_kib() -> None:
    filler = "# " + "x" * 600_000 + "\n"
    assert allowed(filler + "user-agent: FooBot\ndisallow: /\n", "FooBot", "http://foo.bar/x")
    assert not allowed("user-agent: FooBot\ndisallow: /\n" + filler, "FooBot", "http://foo.bar/x")


@pytest.mark.parametrize(
    ("status", "expected"), [(200, False), (404, True), (403, True), (429, False), (500, False), (503, False)]
)
def test_http_status_policy(status: int, expected: bool) -> None:
    assert robots_for_status(status, b"user-agent: *\ndisallow: /\n").allowed("FooBot", "http://a.b/x") is expected


def test_unreachable_robots_disallows_all() -> None:
    decision = robots_for_status(None, None).decide("FooBot", "http://a.b/")
    assert not decision.allowed and "unreachable" in decision.reason


def test_pathological_pattern_is_fast() -> None:
    robots = "user-agent: *\ndisallow: /" + "*a" * 200 + "b\n"
    assert allowed(robots, "FooBot", "http://a.b/" + "a" * 3000)


def test_cli_jsonl_one_line_out_per_line_in() -> None:
    lines = [
        json.dumps(
            {"robots_txt": "user-agent: *\ndisallow: /private\n", "user_agent": "Foo", "url": "http://a.b/private/1"}
        ),
        "{not json",
        json.dumps({"robots_txt": "", "user_agent": "Foo"}),
        "",
        json.dumps({"robots_txt": "user-agent: *\ndisallow: /private\n", "user_agent": "Foo", "url": "http://a.b/pub"}),
    ]
    proc = subprocess.run(
        [sys.executable, "-c", "import sys; from bot.commands.robots import handle; sys.exit(handle(None, None))"],
        input="\n".join(lines) + "\n",
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    out = [json.loads(x) for x in proc.stdout.splitlines()]
    assert len(out) == 5
    assert out[0] == {"allowed": False}
    assert "not valid JSON" in out[1]["error"]
    assert "url" in out[2]["error"]
    assert "error" in out[3]
    assert out[4] == {"allowed": True}


def test_google_path_extraction() -> None:
    from knowledge.web.robots import path_of

    assert path_of("http://a.com") == "/"
    assert path_of("http://a.com?x=1") == "/?x=1"
    assert path_of("http://a.com/p;x?q#f") == "/p;x?q"
    assert path_of("foo.bar/x") == "/x"
    assert path_of("//a.com/b") == "/b"
    assert path_of("http://a.com#frag/x") == "/"


def test_several_agents_in_one_group_and_star_with_trailing_text() -> None:
    robots = "User-agent: FooBot\nUser-agent: BarBot\nDisallow: /shared\n\nUser-agent: * extra\nDisallow: /all\n"
    assert not allowed(robots, "FooBot", "http://a.b/shared")
    assert not allowed(robots, "BarBot", "http://a.b/shared")
    assert allowed(robots, "FooBot", "http://a.b/all")  # a specific group replaces '*'
    assert not allowed(robots, "BazBot", "http://a.b/all")


def test_malformed_robots_is_harmless() -> None:
    garbage = RobotsTxt.parse(b"\x00\xff\xfe<html><body>Not a robots file</body></html>\n:::\n\x00disallow")
    assert garbage.allowed("FooBot", "http://a.b/anything")
    assert RobotsTxt.parse("").allowed("FooBot", "http://a.b/") and RobotsTxt.parse("").sitemaps == []
