"""`invoke alert`: written, built, deployed and syndicated first, in one command."""

from __future__ import annotations

import functools
import json
import os
import shutil
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest

from announcements.sentences import sentences
from publishing.alert import AlertError, AlertResult, first_sentence, publish_alert
from publishing.author import CITY, AuthoringError, new_announcement, preview
from sandboxes import Sandboxes, start_all
from syndication.syndicate import Report
from syndication.text import X_MAX_LENGTH, x_length
from tests.conftest import NOW, ROOT, SITEURL, Site

# The build these tests make runs an hour after the alert is written, so the alert is live
# whatever day the tests run on: the alert's time is the clock's unless it is given.
BUILD_TIME = "2026-12-01T12:00:00-08:00"
ALERT_TIME = datetime(2026, 12, 1, 11, 0, tzinfo=CITY)


@pytest.mark.skipif(shutil.which("rsync") is None, reason="rsync is not installed")
def test_an_alert_goes_live_and_first_in_every_platforms_queue(site: Site) -> None:
    for day in (18, 19, 20):  # older announcements not yet syndicated
        site.add(f"2026-11-{day}-item", title=f"Item {day}", date=f"2026-11-{day} 09:00")
    site.add(
        "2026-11-17-lifted", title="Advisory lifted", date="2026-11-17 09:00", category="alert"
    )
    site.build(now=BUILD_TIME, cached=True)  # the site as it stood
    www = site.root / "www"
    said: list[str] = []
    with start_all() as boxes:
        env = {**boxes.env, "RECORDS_DIR": str(site.root / "records")}
        result = publish_alert(
            ROOT,
            site.content,
            site.output,
            "Boil water advisory for Sunningdale",
            "Boil tap water for one minute before drinking it. Bottled water is at the pool.",
            str(www),
            env,
            {"SITEURL": SITEURL, "BUILD_TIME": BUILD_TIME},
            say=said.append,
            now=ALERT_TIME,
        )
        first_tweet = min(boxes.twitter.tweets.values(), key=lambda t: int(t["id"]))
        first_post = min(boxes.facebook.posts.values(), key=lambda p: p["id"])
    assert result.source.name.endswith("-boil-water-advisory-for-sunningdale.md")
    home = (www / "index.html").read_text()
    urgent = home.split('id="urgent-heading"')[1].split("</section>")[0]
    assert "Boil water advisory for Sunningdale" in urgent
    assert (www / "announcements" / f"{result.source.stem}.html").is_file()
    assert result.url in first_tweet["entities"]["urls"][-1]["expanded_url"]
    assert first_post["link"] == result.url
    assert first_tweet["text"].startswith("URGENT: Boil water advisory for Sunningdale.")
    assert f"alert: live at {result.url}" in said
    assert any(line.startswith("alert: twitter: https://x.com/") for line in said)
    assert not result.report.failed
    # Fast: the build rendered the alert and the listings showing it, not the other pages.
    (keys,) = (site.root / ".output.cache").glob("*/pages.json")
    rendered = json.loads(keys.read_text())["rendered"]
    assert f"announcements/{result.source.stem}.html" in rendered and "index.html" in rendered
    assert "announcements/2026-11-18-item.html" not in rendered


@pytest.mark.skipif(shutil.which("rsync") is None, reason="rsync is not installed")
def test_an_alert_with_personal_information_is_not_published(site: Site) -> None:
    www = site.root / "www"
    with start_all() as boxes:
        env = {**boxes.env, "RECORDS_DIR": str(site.root / "records")}
        with pytest.raises(AuthoringError) as refused:
            publish_alert(
                ROOT,
                site.content,
                site.output,
                "Boil water advisory for Sunningdale",
                "Boil tap water before drinking it. Questions: call Jane Smith at "
                "250-555-0142 or jane.smith@gmail.com.",
                str(www),
                env,
                {"SITEURL": SITEURL, "BUILD_TIME": BUILD_TIME},
                say=lambda _: None,
                now=ALERT_TIME,
            )
        tweets, posts = list(boxes.twitter.tweets.values()), list(boxes.facebook.posts.values())
    live = [p for p in www.rglob("*.html") if "250-555-0142" in p.read_text()]
    assert live == [] and tweets == [] and posts == []
    assert not site.output.exists()  # not even built
    # Each finding as the lint gives it (file:line: rule), and what to do.
    message = str(refused.value)
    assert "-boil-water-advisory-for-sunningdale.md:9: error personal-phone: '250-555-0142'" in (
        message
    )
    assert ":9: error personal-email: 'jane.smith@gmail.com'" in message
    assert "run `invoke alert` again" in message
    # Not left in content/ to be committed and pushed: the same command, corrected, writes it.
    assert list((site.content / "announcements").glob("*-boil-water-*.md")) == []


@pytest.mark.skipif(shutil.which("rsync") is None, reason="rsync is not installed")
def test_a_false_positive_waived_in_the_body_is_waived_in_the_summary_too(site: Site) -> None:
    """The first sentence is also the summary, a field: a waiver written on its line in
    --body, as the refusal says to, must let the alert through, not refuse it there forever."""
    body = (
        "Call the Public Works after-hours line at 250-555-0147 if your tap water is brown. "
        "<!-- lint-ok personal-phone: the Public Works after-hours line -->\n\n"
        "Crews are on site."
    )
    with start_all() as boxes:
        env = {**boxes.env, "RECORDS_DIR": str(site.root / "records")}
        result = publish_alert(
            ROOT,
            site.content,
            site.output,
            "Brown water in Sunningdale",
            body,
            str(site.root / "www"),
            env,
            {"SITEURL": SITEURL, "BUILD_TIME": BUILD_TIME},
            say=lambda _: None,
            now=ALERT_TIME,
        )
        (tweet,) = boxes.twitter.tweets.values()
    assert not result.report.failed
    assert "after-hours line at 250-555-0147 if your tap water is brown." in tweet["text"]
    # The waiver stays out of what is published.
    assert "lint-ok" not in tweet["text"]


def test_an_alert_written_earlier_is_linted_again_and_kept(site: Site) -> None:
    """Written before the lint refused it (the policy changed since, say): it may be live,
    so it stays, and the message says how to finish it once corrected."""
    title, body = "Boil water advisory", "Boil tap water. Questions: jane.smith@gmail.com."
    www = site.root / "www"
    written = new_announcement(
        site.content,
        title,
        "alert",
        summary=first_sentence(body),
        urgent=True,
        body=body,
        status="published",
    )
    with pytest.raises(AuthoringError, match="personal-email") as refused:
        publish_alert(ROOT, site.content, site.output, title, body, str(www), {}, say=print)
    assert f"Nothing more was published: {written}, written by an earlier run" in str(refused.value)
    assert written.is_file() and not site.output.exists() and not www.exists()


def test_the_summary_is_the_first_sentence() -> None:
    assert first_sentence("Boil water now. Then wait") == "Boil water now."
    assert first_sentence("No full stop") == "No full stop."
    assert first_sentence("Boil water\nnow.\nThen wait") == "Boil water now."  # one line
    assert first_sentence("Is your water safe? Boil it first.") == "Is your water safe?"
    assert first_sentence("Boil it now! 2 minutes at least.") == "Boil it now!"


@pytest.mark.parametrize(
    ("body", "summary"),
    [
        ("立即离开。然后等待。", "立即离开。"),  # no space after a CJK stop: CJK writes none
        ("立即离开。", "立即离开。"),  # ends in its own full stop: none added
        ("立即离开！然后等待。", "立即离开！"),
        ("有危险吗？立即离开。", "有危险吗？"),
        ("立即离开．然后等待．", "立即离开．"),  # the fullwidth full stop
        ("立即离开。 Then wait.", "立即离开。"),
        ("「立即离开。」然后等待。", "「立即离开。」"),  # the quote closes with the sentence
        ("什么？！然后等待。", "什么？！"),
        ("水深１．５ｍ。立即离开。", "水深１．５ｍ。"),  # between digits: a decimal point
        ("立即离开", "立即离开。"),  # CJK text gets the CJK full stop, not "."
        ("すぐに避難してください", "すぐに避難してください。"),
        ("Leave now 立即离开", "Leave now 立即离开。"),  # by its last character
        ("立即离开 Rossland Ave", "立即离开 Rossland Ave."),
    ],
)
def test_a_summary_in_chinese_or_japanese_ends_at_its_full_stop(body: str, summary: str) -> None:
    assert first_sentence(body) == summary


def test_sentences_end_at_a_cjk_stop_without_a_space() -> None:
    text = "立即离开。然后等待！ Boil it. Starting 8 a.m. Tuesday."
    assert [text[start:end] for start, end in sentences(text)] == [
        "立即离开。",
        "然后等待！",
        "Boil it.",
        "Starting 8 a.m. Tuesday.",
    ]


@pytest.mark.parametrize(
    "body", ["<!-- see map -->", "#", "---", "![](map.png)", "&nbsp;", "&#8203;", "   "]
)
def test_a_body_with_no_text_has_no_summary(body: str) -> None:
    # Not a lone "." for Facebook and X: the page shows no text, so there is no sentence.
    assert first_sentence(body) == ""


def test_the_summary_skips_a_block_with_no_text() -> None:
    assert first_sentence("&#8203;\n\nBoil tap water. Then wait.") == "Boil tap water."


@pytest.mark.parametrize(
    "body", ["", "  ", "<!-- see map -->", "#", "---", "![](map.png)", "&nbsp;", "&#8203;"]
)
def test_invoke_alert_refuses_a_body_with_no_text_before_writing(
    body: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Only a comment, an empty heading, a rule or an image without alt text: the page and the
    posts would say nothing but the title ("URGENT: Evacuation order. ."). Refused (exit 2)
    before anything is written, as a missing --body is."""
    from invoke.context import Context
    from invoke.exceptions import Exit

    import tasks

    def written(*args: object, **kwargs: object) -> None:
        raise AssertionError("an alert with no text was written")

    monkeypatch.setattr(tasks, "publish_alert", written)
    monkeypatch.setattr(tasks.os, "chdir", lambda path: None)
    monkeypatch.setenv("DEPLOY_URL", str(tmp_path / "www"))
    monkeypatch.setenv("RECORDS_DIR", str(tmp_path / "records"))
    monkeypatch.delenv("RECORDS_REMOTE", raising=False)
    with pytest.raises(Exit) as stopped:
        tasks.alert(Context(), "Evacuation order for Rossland Avenue", body=body)
    assert stopped.value.code == 2
    assert "say what people must do" in str(stopped.value.message)
    assert not (tmp_path / "www").exists() and not (tmp_path / "records").exists()


@pytest.mark.parametrize(
    ("body", "summary"),
    [
        (
            "**Boil water advisory for Sunningdale**\n\nDo not drink the tap water. Boil it.",
            "Boil water advisory for Sunningdale.",
        ),
        (
            "- Do not drink the tap water\n- Boil it for one minute\n\nMore to follow.",
            "Do not drink the tap water.",
        ),
        (
            "## Do not drink the tap water\n\nBoil it for one minute. Then let it cool.",
            "Do not drink the tap water.",
        ),
        ("Do not drink\nthe tap water\n\nBoil it first.", "Do not drink the tap water."),
    ],
)
def test_an_alert_summary_never_runs_two_blocks_together(body: str, summary: str) -> None:
    # A heading, a bold line or a list item ends where its block ends, full stop or not; a
    # line break inside a paragraph is only where it was wrapped.
    assert first_sentence(body) == summary


@pytest.mark.parametrize(
    "body",
    [
        "Starting 8 a.m. Tuesday, residents of Sunningdale must boil tap water before drinking it.",
        "Crews flush water mains in Glenmerry from Nov. 30; tap water may be discoloured.",
        "Bay Ave. is closed between Cedar and Pine until further notice.",
        "Traffic is detoured along Columbia Ave. North of the bridge until Dec. 2 at 5 p.m.",
        "BAY AVE. CLOSED FROM 8 A.M. TO 5 P.M. FOR WATER MAIN REPAIR.",
        "VICTORIA ST. BRIDGE CLOSED UNTIL NOV. 30.",
        "Bay Ave. is closed (8 a.m. to 5 p.m.) Tuesday and Wednesday for paving.",
    ],
)
def test_the_summary_is_not_cut_at_an_abbreviation(body: str) -> None:
    # One sentence each: the whole of it is the summary Facebook and X get.
    assert first_sentence(body) == body


def test_the_summary_ends_at_a_sentence_after_an_abbreviation() -> None:
    body = (
        "Starting 8 a.m. Tuesday, residents of Sunningdale must boil tap water. "
        "Bottled water is at the Aquatic Centre on Bay Ave. from noon."
    )
    assert first_sentence(body) == (
        "Starting 8 a.m. Tuesday, residents of Sunningdale must boil tap water."
    )
    assert first_sentence('Crews say "boil it." Then wait.') == 'Crews say "boil it."'
    assert first_sentence("Stay out of the sun. Drink water.") == "Stay out of the sun."
    assert first_sentence("BOIL YOUR WATER. DO NOT DRINK IT.") == "BOIL YOUR WATER."


@pytest.mark.parametrize(
    "body",
    [
        "Do not drink the tap water for 24[^1] hours. Boil it first.\n\n[^1]: From 8 a.m.",
        "[^1]: From 8 a.m.\n\nDo not drink the tap water for 24[^1] hours. Boil it first.",
    ],
)
def test_an_alert_summary_leaves_out_footnote_markers(body: str) -> None:
    # A footnote's reference is its number in superscript; as text it joined the word before
    # ("for 241 hours" on Facebook, X and the page's lead), and its note is no part of the text.
    assert first_sentence(body) == "Do not drink the tap water for 24 hours."


def test_the_summary_of_a_body_in_markdown_is_its_first_sentence_as_text(site: Site) -> None:
    """`--body` is Markdown (the page's text); the summary Facebook and X show is text."""
    body = "**Do not drink the tap water.** Boil it for one minute. Bottled water is at the pool."
    assert first_sentence(body) == "Do not drink the tap water."
    assert first_sentence("See [the map](https://trail.ca/map). Then wait.") == "See the map."
    path = new_announcement(  # as `invoke alert` writes it
        site.content,
        "Boil water advisory for Sunningdale",
        "alert",
        summary=first_sentence(body),
        urgent=True,
        body=body,
        status="published",
        now=datetime(2026, 11, 24, 9, 0, tzinfo=CITY),
    )
    posts = preview(path, site.content, SITEURL)["platforms"]
    assert posts["twitter"]["text"].startswith("URGENT: Boil water advisory for Sunningdale. Do")
    assert "**" not in posts["twitter"]["text"] and "**" not in posts["facebook"]["message"]
    assert "Bottled water" not in posts["facebook"]["message"]  # the first sentence only


# X's post of an alert: "URGENT: " 8, the title, ". " 2, the summary, then the guidelines and
# the link, 68 (each link counts 23). With this 49-character summary, a title of 153 fills
# X's 280 exactly.
INSTRUCTION = "Boil tap water for one minute before drinking it."
LONG_TITLE = (
    "Boil water advisory for Sunningdale, Glenmerry, Shaver's Bench, Tadanac, West Trail, "
    "East Trail, Miral Heights, Waneta, Rivervale, Oasis, Casino, Annable"
)


@pytest.mark.skipif(shutil.which("rsync") is None, reason="rsync is not installed")
def test_an_alert_whose_title_fills_x_exactly_is_posted_with_its_whole_instruction(
    site: Site,
) -> None:
    assert len(LONG_TITLE) == 153
    with start_all() as boxes:
        env = {**boxes.env, "RECORDS_DIR": str(site.root / "records")}
        publish_alert(
            ROOT, site.content, site.output, LONG_TITLE, INSTRUCTION, str(site.root / "www"),
            env, {"SITEURL": SITEURL, "BUILD_TIME": BUILD_TIME}, say=print, now=ALERT_TIME,
        )  # fmt: skip
        (tweet,) = boxes.twitter.tweets.values()
    assert f"{LONG_TITLE}. {INSTRUCTION}\n" in tweet["text"]
    assert x_length(tweet["text"]) == X_MAX_LENGTH  # the limit reached, not passed


def test_an_alert_whose_title_would_push_its_instruction_out_of_x_is_refused_unwritten(
    site: Site,
) -> None:
    """X would cut the post's end, the alert's first sentence: what people must do. Refused
    before anything is written, naming the title and how much to cut from it."""
    title = LONG_TITLE.replace("Casino, Annable", "Casino and Annable")  # 3 more
    with pytest.raises(AuthoringError) as refused:
        publish_alert(
            ROOT, site.content, site.output, title, INSTRUCTION, str(site.root / "www"), {},
            {"SITEURL": SITEURL, "BUILD_TIME": BUILD_TIME}, say=print, now=ALERT_TIME,
        )  # fmt: skip
    message = str(refused.value)
    assert message.startswith("the title is too long for X with the alert's first sentence")
    assert f"counts {X_MAX_LENGTH + 3} as X counts, over X's limit of {X_MAX_LENGTH}" in message
    assert "shorten the title by at least 3 characters as X counts them (it counts 156)" in (
        message
    )
    assert "Nothing was published and nothing was written" in message
    assert list((site.content / "announcements").glob("*-boil-water-*.md")) == []
    assert not site.output.exists()


def boil_water_alert(site: Site, env: dict[str, str], say: Callable[[str], None]) -> AlertResult:
    """`invoke alert` for a boil water advisory, deployed into the site's folder `www`."""
    return publish_alert(
        ROOT,
        site.content,
        site.output,
        "Boil water advisory for Sunningdale",
        "Boil tap water for one minute before drinking it.",
        str(site.root / "www"),
        env,
        {"SITEURL": SITEURL, "BUILD_TIME": BUILD_TIME},
        say=say,
        now=ALERT_TIME,
    )


@pytest.mark.skipif(shutil.which("rsync") is None, reason="rsync is not installed")
def test_an_alert_not_on_every_platform_says_which_and_what_to_do(site: Site) -> None:
    said: list[str] = []
    with start_all(daily_post_limit=0) as boxes:  # X's daily post limit is used up
        env = {
            **{k: v for k, v in boxes.env.items() if not k.startswith("YOUTUBE_")},
            "RECORDS_DIR": str(site.root / "records"),
        }
        result = boil_water_alert(site, env, said.append)
        tweets = list(boxes.twitter.tweets.values())
    assert tweets == [] and result.not_posted == ("twitter",)
    assert f"alert: live at {result.url}" in said
    assert any(line.startswith("alert: facebook: https://") for line in said)
    (told,) = [line for line in said if line.startswith("alert: NOT on twitter")]
    assert "daily" in told and "`invoke syndicate` posts it after 20" in told
    assert f"`invoke preview {result.source}`" in told  # the text, to post it by hand now
    assert not [line for line in said if line.startswith("alert: not on youtube")]  # no video


@pytest.mark.skipif(shutil.which("rsync") is None, reason="rsync is not installed")
@pytest.mark.parametrize(
    ("unset", "not_posted", "told"),
    [  # incomplete: set up, but not working; none given: not used from this machine
        (
            ("FACEBOOK_PAGE_ACCESS_TOKEN",),
            ("facebook",),
            "alert: NOT on facebook: skipped, missing FACEBOOK_PAGE_ACCESS_TOKEN; set what is "
            "missing and run `invoke syndicate`",
        ),
        (
            ("FACEBOOK_PAGE_ID", "FACEBOOK_PAGE_ACCESS_TOKEN"),
            (),
            "alert: not on facebook: no credentials for it on this machine (missing "
            "FACEBOOK_PAGE_ID, FACEBOOK_PAGE_ACCESS_TOKEN); the first run that has them posts it",
        ),
    ],
)
def test_an_alert_says_a_platform_without_credentials_did_not_get_it(
    site: Site, unset: tuple[str, ...], not_posted: tuple[str, ...], told: str
) -> None:
    said: list[str] = []
    with start_all() as boxes:
        env = {k: v for k, v in boxes.env.items() if k not in unset}
        result = boil_water_alert(
            site, {**env, "RECORDS_DIR": str(site.root / "records")}, said.append
        )
    assert result.not_posted == not_posted
    assert [line for line in said if line.startswith(told)], said


def test_invoke_alert_exits_3_naming_the_platforms_an_alert_is_not_on(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, checkout: Checkout
) -> None:
    from invoke.context import Context
    from invoke.exceptions import Exit

    import tasks

    def published(*args: object, **kwargs: object) -> AlertResult:
        source = checkout.site.add("2026-11-24-boil-water", category="alert", urgent="true")
        return AlertResult(source, "https://trail.ca/a.html", Report(), ("twitter",))

    monkeypatch.setattr(tasks, "publish_alert", published)
    monkeypatch.setenv("DEPLOY_URL", "/srv/www/trail")
    monkeypatch.setenv("RECORDS_DIR", str(tmp_path / "records"))  # held by the run
    monkeypatch.delenv("RECORDS_REMOTE", raising=False)
    with pytest.raises(Exit) as stopped:
        tasks.alert(Context(), "Boil water advisory", body="Boil tap water.")
    assert stopped.value.code == 3
    assert "live on the site, but not on twitter" in str(stopped.value.message)


@pytest.mark.skipif(shutil.which("rsync") is None, reason="rsync is not installed")
def test_an_alert_run_again_after_a_failure_finishes_it_and_publishes_it_once(
    site: Site,
) -> None:
    site.add("2026-11-18-item", title="Item", date="2026-11-18 09:00")
    overrides = {"SITEURL": SITEURL, "BUILD_TIME": BUILD_TIME}
    title = "Boil water advisory for Sunningdale"
    body = "Boil tap water for one minute before drinking it. Bottled water is at the pool."
    www = str(site.root / "www")
    with start_all() as boxes:
        env = {**boxes.env, "RECORDS_DIR": str(site.root / "records")}

        def alert(deploy_url: str, env: dict[str, str]) -> AlertResult:
            return publish_alert(
                ROOT,
                site.content,
                site.output,
                title,
                body,
                deploy_url,
                env,
                overrides,
                print,
                ALERT_TIME,
            )

        with pytest.raises(AlertError) as deploy_failed:  # DEPLOY_URL is the web address
            alert("https://trail.ca", env)
        (source,) = (site.content / "announcements").glob("*-boil-water-*.md")
        assert f"The alert is written in {source}" in str(deploy_failed.value)
        assert "run `invoke deploy`, then `invoke syndicate`" in str(deploy_failed.value)
        with pytest.raises(AlertError) as syndication_failed:  # deployed; X refuses the post
            alert(www, {**env, "TWITTER_ACCESS_TOKEN_SECRET": "wrong-secret"})
        assert f"The alert is written in {source}" in str(syndication_failed.value)
        assert "run `invoke syndicate` (or" in str(syndication_failed.value)
        result = alert(www, env)  # the same command again, as the message says
        tweets = [t for t in boxes.twitter.tweets.values() if "Boil water" in t["text"]]
        posts = [p for p in boxes.facebook.posts.values() if p["link"] == result.url]
    assert result.source == source
    assert list((site.content / "announcements").glob("*-boil-water-*.md")) == [source]
    assert (site.root / "www" / "announcements" / f"{source.stem}.html").is_file()
    assert len(tweets) == 1 and len(posts) == 1
    assert not result.report.failed


@pytest.mark.skipif(shutil.which("rsync") is None, reason="rsync is not installed")
def test_an_alert_run_again_prints_the_links_of_posts_an_earlier_run_made(site: Site) -> None:
    """README: it "prints the live URL and the post links"; run again after X failed, the
    Facebook post the first run made is linked too, not only what the second run posted."""
    first: list[str] = []
    again: list[str] = []
    with start_all() as boxes:
        env = {
            **{k: v for k, v in boxes.env.items() if not k.startswith("YOUTUBE_")},
            "RECORDS_DIR": str(site.root / "records"),
        }
        boxes.twitter.inject(
            "server_error", method="POST", path=r"^/2/tweets$", times=10**6, status=503
        )
        with pytest.raises(AlertError, match="its post failed on twitter"):
            boil_water_alert(site, env, first.append)
        with boxes.twitter.lock:  # X answers again
            boxes.twitter.faults.clear()
        result = boil_water_alert(site, env, again.append)
        posts = list(boxes.facebook.posts.values())
        tweets = list(boxes.twitter.tweets.values())
    (posted,) = [line for line in first if line.startswith("alert: facebook: https://")]
    assert posted in again
    assert any(line.startswith("alert: twitter: https://x.com/") for line in again)
    assert len(posts) == 1 and len(tweets) == 1
    assert not result.report.failed


@pytest.mark.skipif(shutil.which("rsync") is None, reason="rsync is not installed")
def test_an_older_announcement_failing_does_not_make_the_alert_fail(site: Site) -> None:
    """The alert goes out first everywhere; an announcement still pending from before, posted
    in the same run, fails on Facebook. That is said, with what retries it, but the alert is
    not called failed: it is on every platform."""
    site.add("2026-11-18-pool-hours", title="Pool hours", date="2026-11-18 09:00")
    said: list[str] = []
    with start_all() as boxes:
        env = {**boxes.env, "RECORDS_DIR": str(site.root / "records")}
        # The alert's post (the first) goes through; every later one is refused, not retried.
        boxes.facebook.inject(
            "server_error", method="POST", path=r"/feed$", after=1, times=10**6, status=400
        )
        result = boil_water_alert(site, env, said.append)
        posts = list(boxes.facebook.posts.values())
    assert [p["link"] for p in posts] == [result.url]
    assert result.report.failed and result.not_posted == ()
    assert any(line.startswith("alert: facebook: https://") for line in said)
    (told,) = [line for line in said if "2026-11-18-pool-hours" in line and "alert:" in line]
    assert told.startswith("alert: not the alert: facebook: failed 2026-11-18-pool-hours")
    assert "`invoke syndicate` tries it again" in told


@pytest.mark.skipif(shutil.which("rsync") is None, reason="rsync is not installed")
def test_an_alert_whose_ledger_cannot_be_written_says_how_to_finish_it(
    site: Site, monkeypatch: pytest.MonkeyPatch
) -> None:
    from tests.test_syndication_engine import full_disk

    ledger = site.root / "records" / "syndication" / "ledger.jsonl"
    with start_all() as boxes:
        env = {**boxes.env, "RECORDS_DIR": str(site.root / "records")}
        with full_disk(monkeypatch, ledger), pytest.raises(AlertError) as stopped:
            boil_water_alert(site, env, print)
        assert boxes.facebook.posts == {}  # not sent before its intent is on record
    (source,) = (site.content / "announcements").glob("*-boil-water-*.md")
    assert str(stopped.value).startswith(
        f"{ledger}: not written (No space left on device); the file is as it was before\n"
        f"The alert is written in {source} but not yet everywhere."
    )
    assert "run `invoke syndicate` (or" in str(stopped.value)


@pytest.mark.skipif(shutil.which("rsync") is None, reason="rsync is not installed")
def test_the_same_alert_run_again_after_midnight_is_not_posted_twice(site: Site) -> None:
    title = "Boil water advisory for Sunningdale"
    body = "Boil tap water for one minute before drinking it. Bottled water is at the pool."
    overrides = {"SITEURL": SITEURL, "BUILD_TIME": "2026-12-01T00:30:00-08:00"}
    with start_all() as boxes:
        env = {**boxes.env, "RECORDS_DIR": str(site.root / "records")}

        def alert(deploy_url: str, now: datetime) -> AlertResult:
            return publish_alert(
                ROOT,
                site.content,
                site.output,
                title,
                body,
                deploy_url,
                env,
                overrides,
                say=lambda _: None,
                now=now,
            )

        with pytest.raises(AlertError):  # the deploy target is wrong at 23:58...
            alert("https://trail.ca", datetime(2026, 11, 30, 23, 58, tzinfo=CITY))
        result = alert(str(site.root / "www"), datetime(2026, 12, 1, 0, 3, tzinfo=CITY))
        posts = list(boxes.facebook.posts.values())  # ...fixed, run again at 00:03
    files = sorted(p.name for p in (site.content / "announcements").glob("*.md"))
    assert files == ["2026-11-30-boil-water-advisory-for-sunningdale.md"]
    assert [p["link"] for p in posts] == [result.url]


def stopped_at_the_deploy(
    site: Site, title: str, body: str, overrides: dict[str, str], now: datetime | None = None
) -> None:
    """`invoke alert` run with a target that is no deploy target (a web address): it writes
    and builds the alert, then stops at the deploy, saying how to finish."""
    with pytest.raises(AlertError, match="run `invoke deploy`"):
        publish_alert(
            ROOT,
            site.content,
            site.output,
            title,
            body,
            "https://trail.ca",
            {},
            overrides,
            say=lambda _: None,
            now=now,
        )


def test_an_alert_of_the_same_title_days_later_is_a_new_alert(site: Site) -> None:
    title, body = "Boil water advisory for Sunningdale", "Boil tap water."
    for day in (27, 30):  # issued again, three days later: not a rerun of the first
        stopped_at_the_deploy(
            site, title, body, {"SITEURL": SITEURL}, datetime(2026, 11, day, 9, 0, tzinfo=CITY)
        )
    assert sorted(p.name[:10] for p in (site.content / "announcements").glob("*.md")) == [
        "2026-11-27",
        "2026-11-30",
    ]


@pytest.mark.parametrize(
    ("title", "body"),
    [
        (
            "Boil water advisory for Sunningdale",
            "Boil tap water for one minute\nbefore drinking it. Bottled water is at the pool.",
        ),
        (
            "Boil water advisory\nfor Sunningdale",
            "Boil tap water for one minute before drinking it. Bottled water is at the pool.",
        ),
    ],
)
def test_the_same_alert_run_again_carries_on_when_its_title_or_body_has_a_line_break(
    site: Site, title: str, body: str
) -> None:
    overrides = {"SITEURL": SITEURL, "BUILD_TIME": BUILD_TIME}
    for _ in range(2):  # the deploy fails (a web address is no target), then the same again
        # The second run gets past the alert's file and stops at the deploy again (AlertError),
        # rather than refusing its own file as "another text" (AuthoringError).
        stopped_at_the_deploy(site, title, body, overrides, ALERT_TIME)
    (source,) = (site.content / "announcements").glob("*-boil-water-*.md")
    assert 'summary: "Boil tap water for one minute before drinking it."\n' in source.read_text()


def test_the_alert_file_says_it_is_published_without_a_note_to_publish_it(site: Site) -> None:
    title = "Boil water advisory for Sunningdale"
    stopped_at_the_deploy(site, title, "Boil tap water.", {"SITEURL": SITEURL})  # written
    (source,) = (site.content / "announcements").glob("*-boil-water-*.md")
    assert "\nstatus: published\n" in source.read_text()


def test_an_alert_is_not_carried_on_over_a_different_file_of_the_same_name(site: Site) -> None:
    title = "Boil water advisory for Sunningdale"
    today = datetime.now(CITY).strftime("%Y-%m-%d")
    existing = new_announcement(site.content, title, "public-notice", date=f"{today} 08:00")
    with pytest.raises(AuthoringError, match=f"{existing}: already exists with another text"):
        publish_alert(
            ROOT, site.content, site.output, title, "Boil tap water.", "unused", {}, say=print
        )
    assert not site.output.exists()  # nothing built, let alone deployed


def test_an_alert_from_the_cecs_machine_is_put_on_record_where_ci_looks(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, checkout: Checkout
) -> None:
    """CI reads the ledger from RECORDS_REMOTE: an alert posted from elsewhere must be there,
    failed or not, or CI's next run would post it again."""
    from invoke.context import Context
    from invoke.exceptions import Exit

    import tasks

    done: list[str] = []

    def publish(*args: object, **kwargs: object) -> None:
        done.append("publish")
        raise AlertError("deploy stopped")

    monkeypatch.setattr(tasks, "publish_alert", publish)
    monkeypatch.setattr(tasks, "pull", lambda c: done.append("pull"))
    monkeypatch.setattr(tasks, "push", lambda c: done.append("push"))
    monkeypatch.setenv("DEPLOY_URL", "/srv/www/trail")
    monkeypatch.setenv("RECORDS_DIR", str(tmp_path / "records"))  # held by the run
    monkeypatch.setenv("RECORDS_REMOTE", "git@example.org:city/records.git")
    with pytest.raises(Exit):
        tasks.alert(Context(), "Boil water advisory", body="Boil tap water.")
    assert done == ["pull", "publish", "push"]
    monkeypatch.delenv("RECORDS_REMOTE")
    done.clear()
    with pytest.raises(Exit):
        tasks.alert(Context(), "Boil water advisory", body="Boil tap water.")
    assert done == ["publish"]  # no remote: the records stay in RECORDS_DIR


def test_alert_stops_on_an_unusable_variable_before_publishing(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """README: a value that cannot be used "stops the command before it does anything, naming
    the variable (exit 2)": not after the alert is written, built and deployed."""
    from invoke.context import Context
    from invoke.exceptions import Exit

    import tasks

    done: list[str] = []

    def publish(*args: object, **kwargs: object) -> None:
        done.append("written, built, deployed")  # what publish_alert does before syndicating
        raise AlertError("syndicate: the settings are refused only now")

    monkeypatch.setattr(tasks, "publish_alert", publish)
    monkeypatch.setattr(tasks.os, "chdir", lambda path: None)
    monkeypatch.setenv("DEPLOY_URL", "/srv/www/trail")
    monkeypatch.delenv("RECORDS_REMOTE", raising=False)
    for name, value in (
        ("TWITTER_API_URL", "ftp://api.x.com"),
        ("RECORDS_DIR", str(ROOT / "output" / "records")),
    ):
        with monkeypatch.context() as env:
            env.setenv(name, value)
            with pytest.raises(Exit) as stopped:
                tasks.alert(Context(), "Boil water advisory", body="Boil tap water.")
        assert done == [], f"{name}: the alert was written, built and deployed first"
        assert stopped.value.code == 2 and name in str(stopped.value.message)


def test_invoke_alert_refuses_an_unusable_deploy_url_before_writing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """README: exit 2 on "a variable that cannot be used ... (before anything is written)": a
    DEPLOY_URL the deploy refuses (the site's address, not a place to put it) is refused
    before the alert is written and built, not at its deploy step."""
    from invoke.context import Context
    from invoke.exceptions import Exit

    import tasks

    def written(*args: object, **kwargs: object) -> None:
        raise AssertionError("the alert was written and built before DEPLOY_URL was checked")

    monkeypatch.setattr(tasks, "publish_alert", written)
    monkeypatch.setattr(tasks.os, "chdir", lambda path: None)
    monkeypatch.setenv("DEPLOY_URL", "https://trail.ca")  # the site's address, not a place
    monkeypatch.setenv("RECORDS_DIR", str(tmp_path / "records"))
    monkeypatch.delenv("RECORDS_REMOTE", raising=False)
    with pytest.raises(Exit) as stopped:
        tasks.alert(Context(), "Boil water advisory", body="Boil tap water.")
    assert stopped.value.code == 2
    assert str(stopped.value.message).startswith("alert: DEPLOY_URL: 'https://trail.ca'")


def test_an_alert_with_an_unusable_setting_is_not_written(site: Site) -> None:
    """publish_alert itself reads the platforms' settings before writing: refused only at
    syndication, the alert would be live on the site and on no platform."""
    from syndication.config import ConfigError

    www = site.root / "www"
    with pytest.raises(ConfigError, match="TWITTER_API_URL"):
        publish_alert(
            ROOT,
            site.content,
            site.output,
            "Boil water advisory for Sunningdale",
            "Boil tap water.",
            str(www),
            {"TWITTER_API_URL": "ftp://api.x.com", "RECORDS_DIR": str(site.root / "records")},
            {"SITEURL": SITEURL},
            say=lambda _: None,
        )
    assert list((site.content / "announcements").glob("*-boil-water-*.md")) == []
    assert not site.output.exists() and not www.exists()


@pytest.mark.skipif(shutil.which("rsync") is None, reason="rsync is not installed")
def test_an_alert_the_build_holds_back_is_reported_not_taken_for_live(site: Site) -> None:
    """A BUILD_TIME before the alert's own time schedules it: nothing is live to point at."""
    with pytest.raises(AlertError, match="the build did not publish it"):
        publish_alert(
            ROOT,
            site.content,
            site.output,
            "Boil water advisory for Sunningdale",
            "Boil tap water.",
            str(site.root / "www"),
            {"RECORDS_DIR": str(site.root / "records")},
            {"SITEURL": SITEURL, "BUILD_TIME": "2026-11-24T12:00:00-08:00"},
            say=lambda _: None,
            now=datetime(2026, 11, 30, 9, 0, tzinfo=CITY),
        )


class Checkout:
    """The CEC's clone of the site's repository (`Repo`, with a Site's content in it, committed
    and pushed to a bare `origin`), its git config signing each commit with the CEC's key,
    made the project `invoke alert` runs in."""

    def __init__(self, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
        import tasks
        from tests.test_records_sync import remote
        from tests.test_verify_history import Repo, git

        self.repo = Repo(tmp_path)
        self.site = Site(self.repo.path)
        self.origin = remote(tmp_path / "origin")
        self.git = functools.partial(git, self.repo.path)
        for name, value in {
            "user.name": "cec",
            "user.email": "cec@trail.ca",
            "user.signingkey": str(self.repo.key("cec")),
            "commit.gpgsign": "true",
        }.items():
            self.git("config", name, value)
        self.git("add", "content")
        self.git("commit", "-q", "-m", "The site's content")
        self.git("remote", "add", "origin", self.origin)
        self.git("push", "-q", "-u", "origin", "main")
        monkeypatch.setattr(tasks, "ROOT", self.repo.path)
        monkeypatch.setattr(tasks.os, "chdir", lambda path: None)

    def clone(self, folder: Path) -> Path:
        """A clone of `origin` as it is now: what CI's next run checks out."""
        from tests.test_verify_history import git

        git(folder.parent, "clone", "-q", self.origin, str(folder))
        return folder

    def on_origin(self, path: Path) -> list[str]:
        """The commits on origin's main that touched `path` (a file of the checkout)."""
        relative = str(path.relative_to(self.repo.path))
        return self.git("log", "--format=%s", "origin/main", "--", relative).splitlines()


@pytest.fixture
def checkout(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Checkout:
    return Checkout(tmp_path, monkeypatch)


def alert_in(
    checkout: Checkout, sandboxes: Sandboxes, monkeypatch: pytest.MonkeyPatch
) -> Callable[[], None]:
    """`invoke alert` for a boil water advisory in the CEC's checkout, deploying into `www`
    and posting to the Facebook sandbox, at 11:00 on the test builds' day."""
    from invoke.context import Context

    import tasks

    root = checkout.repo.path
    env = {
        **{k: v for k, v in sandboxes.env.items() if k.startswith("FACEBOOK")},
        "DEPLOY_URL": str(root.parent / "www"),
        "RECORDS_DIR": str(root.parent / "records"),
    }
    for name in (*sandboxes.env, "RECORDS_REMOTE"):
        monkeypatch.delenv(name, raising=False)
    for name, value in env.items():
        monkeypatch.setenv(name, value)

    def published(
        root: Path, content: Path, output: Path, title: str, body: str, url: str, env: Any
    ) -> AlertResult:
        return publish_alert(
            ROOT,  # the project's settings and policy; the content is the checkout's
            content,
            output,
            title,
            body,
            url,
            env,
            {"SITEURL": SITEURL, "BUILD_TIME": NOW},
            say=print,
            now=datetime(2026, 11, 24, 11, 0, tzinfo=CITY),
        )

    monkeypatch.setattr(tasks, "publish_alert", published)
    return lambda: tasks.alert(
        Context(),
        "Boil water advisory for Sunningdale",
        body="Boil tap water for one minute before drinking it.",
    )


def ci_run(checkout: Checkout, sandboxes: Sandboxes) -> tuple[Path, Report]:
    """CI's next scheduled run: build what origin's main holds, deploy it, syndicate it."""
    from publishing.build import build_site
    from publishing.deploy import deploy
    from syndication.config import load_settings
    from syndication.runner import syndicate

    root = checkout.repo.path.parent
    ci = checkout.clone(root / "ci")
    overrides = {"PATH": str(ci / "content"), "SITEURL": SITEURL, "BUILD_TIME": NOW}
    built = build_site(ROOT / "publishconf.py", ci / "output", overrides)
    deploy(built.output, str(root / "www"), say=lambda _: None)
    facebook = {k: v for k, v in sandboxes.env.items() if k.startswith("FACEBOOK")}
    settings = load_settings({**facebook, "RECORDS_DIR": str(root / "records")})
    report = syndicate(built.output / "syndication.json", ci / "content", settings)
    return root / "www", report


@pytest.mark.skipif(shutil.which("rsync") is None, reason="rsync is not installed")
def test_the_next_ci_run_keeps_an_alert_live_until_its_file_is_committed(
    checkout: Checkout, sandboxes: Sandboxes, monkeypatch: pytest.MonkeyPatch
) -> None:
    """`invoke alert` commits the alert's file (signed, by the CEC's git config) and pushes
    it: CI's next run builds it from main, and neither takes the page down nor fails to find
    it on the site; nor posts it again."""
    alert_in(checkout, sandboxes, monkeypatch)()
    (source,) = (checkout.site.content / "announcements").glob("*-boil-water-*.md")
    assert checkout.on_origin(source) == ["Alert: Boil water advisory for Sunningdale"]
    commit = checkout.git(
        "cat-file", "-p", checkout.git("log", "-1", "--format=%H", "--", str(source))
    )
    assert "\nauthor cec <cec@trail.ca>" in commit and "-----BEGIN SSH SIGNATURE-----" in commit
    www, report = ci_run(checkout, sandboxes)
    assert (www / "announcements" / f"{source.stem}.html").is_file()
    assert not report.failed, report.results
    assert len(sandboxes.facebook.posts) == 1


@pytest.mark.skipif(shutil.which("rsync") is None, reason="rsync is not installed")
def test_an_alert_whose_file_cannot_be_pushed_says_how_to_finish_and_carries_on_when_run_again(
    checkout: Checkout, sandboxes: Sandboxes, monkeypatch: pytest.MonkeyPatch
) -> None:
    from invoke.exceptions import Exit

    import tasks
    from tests.test_verify_history import git

    alert = alert_in(checkout, sandboxes, monkeypatch)
    publishing, pushed = tasks.publish_alert, list[Path]()

    def colleague_pushes_meanwhile(*args: Any) -> AlertResult:
        """A colleague pushes while the alert is published: after its checks, before its own
        push (a checkout behind its upstream is refused before anything is written)."""
        if not pushed:
            other = checkout.clone(checkout.repo.path.parent / "colleague")
            (other / "README.md").write_text("City of Trail\n")
            git(other, "add", "README.md")
            git(other, "-c", "user.name=emp", "-c", "user.email=emp@trail.ca", "commit", "-qm", "x")
            git(other, "push", "-q")
            pushed.append(other)
        return publishing(*args)

    monkeypatch.setattr(tasks, "publish_alert", colleague_pushes_meanwhile)
    with pytest.raises(Exit) as stopped:
        alert()
    (source,) = (checkout.site.content / "announcements").glob("*-boil-water-*.md")
    message = str(stopped.value.message)
    assert stopped.value.code == 1
    assert message.startswith(f"alert: the alert is live, but its file {source} is not on ")
    assert "CI's next run builds origin/main without it and would take the alert off" in message
    assert "finish now with `git pull --rebase && git push`" in message
    assert (checkout.repo.path.parent / "www" / "announcements" / f"{source.stem}.html").exists()
    checkout.git("pull", "-q", "--rebase")  # the cause fixed; the same command again
    alert()
    assert checkout.on_origin(source) == ["Alert: Boil water advisory for Sunningdale"]
    assert len(sandboxes.facebook.posts) == 1


@pytest.mark.skipif(shutil.which("rsync") is None, reason="rsync is not installed")
def test_an_alert_whose_records_cannot_be_pushed_commits_its_file_and_says_to_run_it_again(
    checkout: Checkout, sandboxes: Sandboxes, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The alert is live and posted, but RECORDS_REMOTE refuses the records at the very end:
    its file is committed all the same (the site's repository has what is live), not pushed
    (the CI run its push starts would not know the posts and would post it again), and the
    command fails saying to run it again; run again, it pushes both and posts nothing."""
    from invoke.exceptions import Exit

    from archive.git import pull_archive
    from syndication.ledger import Ledger
    from tests.test_records_sync import remote

    alert = alert_in(checkout, sandboxes, monkeypatch)
    records_remote = remote(checkout.repo.path.parent / "records-remote")
    refuse = Path(records_remote) / "hooks" / "pre-receive"
    refuse.write_text("#!/bin/sh\necho 'the records server is read-only today' >&2\nexit 1\n")
    refuse.chmod(0o755)
    monkeypatch.setenv("RECORDS_REMOTE", records_remote)
    with pytest.raises(Exit) as stopped:
        alert()
    (source,) = (checkout.site.content / "announcements").glob("*-boil-water-*.md")
    message = str(stopped.value.message)
    assert stopped.value.code == 1, message
    assert "the records server is read-only today" in message
    assert f"alert: the alert is live and its file {source} is committed" in message
    assert "run this same `invoke alert` again to push the records" in message
    assert checkout.git("status", "--porcelain", "--", str(source)) == ""
    assert checkout.git("log", "--format=%s", "--", str(source)).splitlines() == [
        "Alert: Boil water advisory for Sunningdale"
    ]
    assert checkout.on_origin(source) == []  # not before CI can know it is posted
    assert len(sandboxes.facebook.posts) == 1

    refuse.unlink()  # the cause fixed; the same command again
    alert()
    assert checkout.on_origin(source) == ["Alert: Boil water advisory for Sunningdale"]
    assert len(sandboxes.facebook.posts) == 1  # not posted again
    pull_archive(ci := checkout.repo.path.parent / "ci-records", records_remote)
    assert (source.stem, "facebook") in Ledger.in_records(ci).records()  # CI knows it


@pytest.mark.parametrize(
    "when", ["before writing", "after writing", "committed earlier", "at the push"]
)
def test_an_alert_interrupted_says_where_it_stands_and_to_run_it_again(
    checkout: Checkout, sandboxes: Sandboxes, monkeypatch: pytest.MonkeyPatch, when: str
) -> None:
    """Ctrl-C during the deploy or syndication: the file is written but not committed, and
    the site may or may not have the alert. It says so, naming the file, and that the same
    command run again finishes it (exit 130, as a shell's for Ctrl-C)."""
    from invoke.exceptions import Exit

    import tasks

    alert = alert_in(checkout, sandboxes, monkeypatch)
    title, body = (
        "Boil water advisory for Sunningdale",
        "Boil tap water for one minute before drinking it.",
    )
    content = checkout.site.content

    def interrupted(*args: object, **kwargs: object) -> AlertResult:
        if when == "before writing":
            raise KeyboardInterrupt
        source = new_announcement(
            content, title, "alert", summary=first_sentence(body), urgent=True, body=body,
            status="published",
        )  # fmt: skip
        if when == "after writing":  # as in the deploy or syndication
            raise KeyboardInterrupt
        if when == "committed earlier":  # by a run whose push did not happen; this one stops
            checkout.git("add", str(source))
            checkout.git("commit", "-q", "-m", "Alert: Boil water advisory for Sunningdale")
            raise KeyboardInterrupt
        return AlertResult(source, "https://trail.ca/a.html", Report())

    def push_interrupted(*args: object, **kwargs: object) -> None:
        raise KeyboardInterrupt

    monkeypatch.setattr(tasks, "publish_alert", interrupted)
    monkeypatch.setattr(tasks, "put_on_branch", push_interrupted)
    with pytest.raises(Exit) as stopped:
        alert()
    message = str(stopped.value.message)
    assert stopped.value.code == 130
    assert "run this same `invoke alert` command again" in message
    written = list((content / "announcements").glob("*-boil-water-*.md"))
    if when == "before writing":
        assert written == []
        assert message.startswith("alert: interrupted before the alert was written")
        return
    (source,) = written
    assert f"alert: interrupted. The alert is written in {source}, which " in message
    assert "posts nothing twice" in message
    if when == "after writing":
        assert "which is not committed;" in message
        assert checkout.git("status", "--porcelain", "--", str(source)).startswith("??")
    else:
        assert "which is committed, if not yet on origin/main;" in message
        assert checkout.on_origin(source) == []


def test_the_alert_never_shows_a_token_in_the_upstream_it_names(checkout: Checkout) -> None:
    """`git push -u https://cec:TOKEN@…` sets branch.main.remote to that URL, token and all;
    the messages name the upstream without it, whether the push fails or is made."""
    from publishing.alert import put_on_branch
    from publishing.commit import branch_to_commit_on

    secret = "ghp_SECRET123"
    url = f"https://cec:{secret}@git.invalid/site.git"
    checkout.git("config", "branch.main.remote", url)
    branch = branch_to_commit_on(checkout.repo.path)
    source = checkout.site.add("2026-11-24-boil-water-advisory")
    said: list[str] = []
    with pytest.raises(AlertError) as refused:  # git.invalid cannot be reached
        put_on_branch(checkout.repo.path, source, "Boil water", branch, say=said.append)
    assert "is not on https://***@git.invalid/site.git/main" in str(refused.value)
    checkout.git("config", f"url.{checkout.origin}.insteadOf", url)  # now it reaches origin
    put_on_branch(checkout.repo.path, source, "Boil water", branch, say=said.append)
    checkout.git("fetch", "-q", "origin")  # a push to a URL leaves origin/main as it was
    assert checkout.on_origin(source) == ["Alert: Boil water"]
    assert f"alert: {source} is on https://***@git.invalid/site.git/main" in said
    assert secret not in str(refused.value) + "\n".join(said)


@pytest.mark.parametrize(
    ("unusable", "said"),
    [
        (lambda c: shutil.rmtree(c.repo.path / ".git"), "is not a git work tree"),
        (lambda c: c.git("checkout", "-q", "--detach"), "is not on a branch"),
        (lambda c: c.git("branch", "--unset-upstream"), "has no upstream to push to"),
        (lambda c: c.git("config", "commit.gpgsign", "false"), "commits made here are not signed"),
    ],
)
def test_an_alert_whose_file_could_not_be_committed_and_pushed_is_not_written(
    checkout: Checkout, monkeypatch: pytest.MonkeyPatch, unusable: Any, said: str
) -> None:
    unusable(checkout)
    assert said in refused_before_writing(checkout, monkeypatch)


def test_the_alert_refuses_a_branch_ci_does_not_publish(
    checkout: Checkout, monkeypatch: pytest.MonkeyPatch
) -> None:
    """On a review branch pushed to origin/winter-notices, the alert's file would never reach
    main, which CI builds: its next run would take the live alert off the site."""
    checkout.git("switch", "-q", "-c", "winter-notices")
    checkout.git("push", "-q", "-u", "origin", "winter-notices")
    message = refused_before_writing(checkout, monkeypatch)
    assert "origin/winter-notices" in message and "CI publishes main" in message


def test_the_alert_refuses_a_checkout_holding_other_changes_not_committed(
    checkout: Checkout, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The alert's build publishes content/ as it is: a draft left published and uncommitted
    would go live and be posted with it, then be taken off by CI's next run."""
    notes = checkout.repo.path / "content" / "announcements" / "2026-11-24-council-notes.md"
    notes.write_text("---\ntitle: Council notes (work in progress)\n---\nNot yet.\n")
    message = refused_before_writing(checkout, monkeypatch)
    assert "not committed: content/announcements/2026-11-24-council-notes.md" in message
    assert "commit them (signed), or stash or remove them" in message


def test_the_alert_refuses_a_checkout_that_lacks_what_was_published_since(
    checkout: Checkout, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """CI published an announcement pushed from elsewhere: a deploy of this checkout's build
    would take its page off the site."""
    from tests.test_verify_history import git

    elsewhere = checkout.clone(tmp_path / "elsewhere")
    git(elsewhere, "-c", "commit.gpgsign=false", "commit", "-q", "--allow-empty", "-m", "CI")
    git(elsewhere, "push", "-q", "origin", "main")
    message = refused_before_writing(checkout, monkeypatch)
    assert "lacks 1 commit of origin/main" in message and "git pull --rebase" in message


def test_an_upstream_that_cannot_be_fetched_is_told_apart_from_one_up_to_date(
    checkout: Checkout,
) -> None:
    from publishing.commit import branch_to_commit_on, commits_behind

    branch = branch_to_commit_on(checkout.repo.path)
    assert commits_behind(checkout.repo.path, branch) == 0
    checkout.git("remote", "set-url", "origin", str(checkout.repo.path.parent / "gone.git"))
    assert commits_behind(checkout.repo.path, branch) is None


def test_an_ssh_upstream_is_fetched_without_a_prompt_and_with_a_bounded_wait(
    checkout: Checkout, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """An unlocked key's passphrase or a host key no one accepts would hold an urgent alert:
    ssh is told not to ask and to give up on a host that does not answer."""
    from publishing.commit import FETCH_CONNECT_TIMEOUT, branch_to_commit_on, commits_behind

    bin_dir, called = tmp_path / "bin", tmp_path / "ssh-args"
    bin_dir.mkdir()
    (bin_dir / "ssh").write_text(f'#!/bin/sh\necho "$@" > {called}\nexit 255\n')
    (bin_dir / "ssh").chmod(0o755)
    monkeypatch.setenv("PATH", f"{bin_dir}:{os.environ['PATH']}")
    for name in ("GIT_SSH_COMMAND", "GIT_SSH"):
        monkeypatch.delenv(name, raising=False)
    checkout.git("remote", "set-url", "origin", "ssh://git@git.invalid/site.git")
    branch = branch_to_commit_on(checkout.repo.path)
    assert commits_behind(checkout.repo.path, branch) is None  # not fetched: said, goes on
    assert f"-o BatchMode=yes -o ConnectTimeout={FETCH_CONNECT_TIMEOUT}" in called.read_text()


def test_an_earlier_run_of_the_same_alert_left_uncommitted_is_not_another_change(
    checkout: Checkout,
) -> None:
    """Running an interrupted alert again finishes it: its own file is not in the way."""
    from publishing.alert import changes_besides_the_alert
    from publishing.author import new_announcement

    title, body = "Boil water advisory", "Boil tap water."
    when = datetime(2026, 11, 24, 11, 0, tzinfo=CITY)
    new_announcement(
        checkout.repo.path / "content", title, "alert", summary="Boil tap water.", urgent=True,
        body=body, status="published", now=when,
    )  # fmt: skip
    assert changes_besides_the_alert(checkout.repo.path, title, body, when) == []
    other = changes_besides_the_alert(checkout.repo.path, "Road closed", body, when)
    assert other == ["content/announcements/2026-11-24-boil-water-advisory.md"]


def refused_before_writing(checkout: Checkout, monkeypatch: pytest.MonkeyPatch) -> str:
    """`invoke alert`'s message in `checkout`, which it must refuse (exit 2) before writing."""
    from invoke.context import Context
    from invoke.exceptions import Exit

    import tasks

    def written(*args: object, **kwargs: object) -> None:
        raise AssertionError("the alert was written before its commit was known to be possible")

    monkeypatch.setattr(tasks, "publish_alert", written)
    monkeypatch.setenv("DEPLOY_URL", str(checkout.repo.path.parent / "www"))
    monkeypatch.setenv("RECORDS_DIR", str(checkout.repo.path.parent / "records"))
    monkeypatch.delenv("RECORDS_REMOTE", raising=False)
    with pytest.raises(Exit) as stopped:
        tasks.alert(Context(), "Boil water advisory", body="Boil tap water.")
    message = str(stopped.value.message)
    assert stopped.value.code == 2 and "nothing was written" in message
    return message
