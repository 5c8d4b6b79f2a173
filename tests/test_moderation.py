"""Moderation by the policy: measured on the labelled set, applied through the real clients."""

from __future__ import annotations

import dataclasses
import json
import os
import shutil
import subprocess
import sys
from datetime import datetime
from pathlib import Path

import pytest
from invoke.context import Context
from invoke.exceptions import Exit

import tasks
from archive.collect import collect
from archive.comments import REMOVED_WITH_DELETED_POST, CommentArchive
from archive.index import FILES, search
from checks.lint import LintConfigError
from checks.lint import Policy as LintPolicy
from moderation.classifier import (
    CATEGORIES,
    ModerationPolicy,
    PolicyError,
    _patterns,
    classify,
)
from moderation.evaluate import load_labelled, scores
from moderation.log import ANSWER_LOST, ModerationLog
from moderation.report import write_report
from moderation.run import CLASSIFIER, DecisionError, decide, moderate_collected
from publishing.status import waiting
from sandboxes import Sandboxes
from syndication.base import PlatformError
from syndication.config import Settings, load_settings
from syndication.runner import make_platforms
from tests.conftest import ROOT, Site

POLICY = ModerationPolicy.load(ROOT / "policy")
NOW = datetime.fromisoformat("2026-11-24T12:00:00-08:00")
# Regression guards, measured on moderation/evaluation/comments.txt. Relevance (off_topic) is
# the hardest call and only ever goes to review, so its bar is lower.
THRESHOLDS = dict.fromkeys(CATEGORIES, (0.9, 0.85)) | {"off_topic": (0.5, 0.4)}


def test_the_evaluation_set_is_large_and_covers_every_category() -> None:
    items = load_labelled()
    assert len(items) >= 200
    for category in CATEGORIES:
        assert sum(category in i.labels for i in items) >= 5, category
    assert sum(not i.labels for i in items) >= 80  # hard negatives: criticism, quotes, places


def test_precision_and_recall_per_category_meet_the_bar() -> None:
    items = load_labelled()
    decisions = [classify(i.id, i.text, i.post_text, POLICY) for i in items]
    for category, score in scores(items, decisions).items():
        precision, recall = THRESHOLDS[category]
        assert score.precision >= precision, (category, score)
        assert score.recall >= recall, (category, score)


def test_legitimate_criticism_is_never_hidden_and_mostly_kept() -> None:
    clean = [i for i in load_labelled() if not i.labels]
    actions = [classify(i.id, i.text, i.post_text, POLICY).action for i in clean]
    assert "hide" not in actions
    assert actions.count("keep") / len(actions) >= 0.95


def test_the_usernames_x_puts_at_the_start_of_a_reply_are_not_read_as_what_it_says() -> None:
    """X starts a reply with the @usernames it answers ("@jordan_park @CityofTrail Will it…?"):
    with them, a question to the City read as about nothing, and an aside as about the park."""
    for item in load_labelled():
        plain = classify(item.id, item.text, item.post_text, POLICY)
        for addressed in (f"@CityofTrail {item.text}", f"@jordan_park @CityofTrail {item.text}"):
            assert classify(item.id, addressed, item.post_text, POLICY) == plain, addressed


WATER_POST = "Crews flush water mains in Glenmerry next week. Tap water may be discoloured."


@pytest.mark.parametrize(
    "text",
    [
        "Health Canada on discoloured tap water: https://www.canada.ca/en/health-canada/"
        "services/water.html and HealthLink BC: https://www.healthlinkbc.ca/water-quality",
        "Noooooooooo, not again https://www.cbc.ca/news/canada/british-columbia",
    ],
    ids=["health-authorities", "emphasis-and-the-news"],
)
def test_relevant_links_are_not_hidden_as_spam(text: str) -> None:
    # The policy removes spam or *irrelevant* links: an outside link alone is for a person.
    assert classify("c1", text, WATER_POST, POLICY).action == "review"


RAILING_POST = "The Esplanade railing project is complete."
BRIDGE = (
    "Victoria Street Bridge deck repairs begin September 14. Single-lane traffic on weeknights."
)


def test_an_enthusiastic_congratulation_is_not_hidden_as_spam() -> None:
    decision = classify(
        "c1", "Congratulations, you finally finished the railing!!!!!!!!", RAILING_POST, POLICY
    )
    assert decision.action != "hide"
    # Congratulating is not spam wording without a prize ("Congratulations, you won...").
    assert "Congratulations, you" not in decision.evidence.get("spam", {}).get("matched", [])


@pytest.mark.parametrize(
    ("text", "post"),
    [
        (
            "Congratulations, you won the provincial title!!!!!!!! Trail is so proud",
            "The City congratulates the Trail Smoke Eaters on winning the BCHL championship.",
        ),
        (
            "The toy giveaway at the arena was the best one yet, thank you all!!!!!!!!",
            "Thank you to everyone who came to the Christmas toy giveaway at the Trail Memorial "
            "Centre.",
        ),
        (
            "Follow me down to the Esplanade tonight, the railing looks amaaaaaaaaazing",
            RAILING_POST,
        ),
    ],
    ids=["championship", "community-giveaway", "stretched-word"],
)
def test_emphasis_beside_a_common_spam_word_is_not_hidden(text: str, post: str) -> None:
    # Repeated characters are how people cheer as much as how spam shouts: never enough, with
    # one spam word, for a hide before a person has looked.
    assert classify("c1", text, post, POLICY).action == "review"


@pytest.mark.parametrize(
    "text",
    [
        "Congratulations, you won a $500 gift card! Claim it at www.xmas-winner.xyz",
        "Congratulations, you have been selected!!!!!!!! www.prize-now.shop",
        "Earn $500 a day while you wait at the detour www.quick-cash.biz",
        "Make money online while the bridge is closed!! www.easy-income.io",
        "Crypto giveaway! Claim your free BTC at https://bit.ly/x",
    ],
)
def test_a_spam_pitch_with_a_link_is_still_hidden_as_spam(text: str) -> None:
    decision = classify("c1", text, RAILING_POST, POLICY)
    assert decision.action == "hide" and decision.categories == ("spam",)


@pytest.mark.parametrize(
    "text",
    [
        "I have photos of the pothole damage on the bridge, DM me and follow me on the Trail "
        "potholes page.",
        "Lost dog near the Victoria Street bridge this morning! DM me if you see her, or follow "
        "me for updates.",
        "I have video of the crash on the bridge, DM me. Story here: "
        "https://www.trailtimes.ca/news/bridge-crash",
        "Click here for the story on the crash: https://www.trailtimes.ca/news/bridge-crash",
    ],
    ids=["two-calls", "lost-dog", "call-and-news-link", "click-here-for-the-news"],
)
def test_calls_to_act_without_spam_wording_go_to_a_person_not_hidden(text: str) -> None:
    # Residents ask to be messaged, followed or to click too: a call makes spam strong only
    # with spam wording to act on, and a news link beside it is no spam wording.
    decision = classify("c1", text, BRIDGE, POLICY)
    assert decision.action == "review" and decision.categories == ("spam",), decision.evidence


def test_click_here_to_win_a_prize_at_an_outside_site_is_hidden_as_spam() -> None:
    # "Click here" asks the reader to act, as "click the link" does: with a prize to win, and
    # beside a link to a site no policy allows, it is spam.
    text = "Click here to win a free iPhone http://win-prize.example"
    decision = classify("c1", text, BRIDGE, POLICY)
    assert decision.action == "hide" and decision.categories == ("spam",), decision.evidence
    assert "Click here" in decision.evidence["spam"]["matched"]


@pytest.mark.parametrize(
    "text",
    [
        "click here for the bylaw: https://trail.ca/bylaws",
        "Click the link for the bylaw: https://www.trail.ca/bylaws",
    ],
)
def test_a_call_to_click_through_to_the_citys_own_site_is_kept(text: str) -> None:
    # The City asks residents to click its own links: sending them there is no spam.
    assert classify("c1", text, BRIDGE, POLICY).action == "keep"


BUDGET = "Council adopts the 2027 budget. Property taxes rise 4 per cent; Bay Avenue stays closed."


@pytest.mark.parametrize(
    "text",
    [
        "Councillors earn $40,000 a year and all they do is make money off parking tickets.",
        "Stop the giveaway to consultants! They earn $200 an hour while residents pay more.",
        "The mayor treats our taxes like crypto, just trying to make money.",
    ],
)
def test_criticism_of_council_spending_is_never_hidden_as_spam(
    site: Site, sandboxes: Sandboxes, text: str
) -> None:
    # Spam wording is also how residents criticise spending: without a link to an unrelated
    # site or a call to act (a prize, "click the link"), it is for a person, never a hide.
    site.add("2026-11-20-budget", title="2027 budget adopted", summary=BUDGET)
    settings = site.syndicate_to(sandboxes)
    comment = sandboxes.facebook.add_comment(next(iter(sandboxes.facebook.posts)), text)
    collect(settings, site.content, say=lambda _: None)
    moderate_collected(settings, site.content, POLICY, say=lambda _: None)
    assert sandboxes.facebook.comments[comment]["is_hidden"] is False
    assert ModerationLog(site.root / "records").statuses()[("facebook", comment)].awaiting_review


@pytest.mark.parametrize(
    "text",
    [
        "Councillors earn $40,000 a year and want a raise?! DM me to sign the petition against it.",
        "Stop the giveaway to consultants! Follow me, we're organizing a delegation to Council.",
        "They want to invest our reserves in crypto. Follow me for updates on the petition.",
    ],
    ids=["pay-and-petition", "giveaway-and-delegation", "crypto-and-petition"],
)
def test_criticism_of_spending_with_a_call_to_join_the_writer_is_not_hidden(text: str) -> None:
    # Residents' words for spending with "DM me" or "follow me" and no link: a resident
    # gathering others (a petition, a delegation), with no site to send them to. A person
    # judges it; only spam's pitch, or a call beside an outside link, makes it a hide.
    decision = classify("c1", text, BUDGET, POLICY)
    assert decision.action == "review" and decision.categories == ("spam",), decision.evidence


@pytest.mark.parametrize(
    "text",
    [
        "Councillors earn $40,000 a year and all they do is make money off parking tickets. "
        "https://www.trailtimes.ca/news/council-pay-raise",
        "The City will make money off the bridge tolls, see https://www.castlegarnews.com/news",
    ],
)
def test_criticism_of_spending_citing_the_news_goes_to_a_person_not_hidden(text: str) -> None:
    # Residents' words for spending are spam's too, and the link may be their source: a person
    # judges it. Only wording spam alone uses ("earn $500 a day") is hidden beside a link.
    decision = classify("c1", text, BUDGET, POLICY)
    assert decision.action == "review" and decision.categories == ("spam",), decision.evidence


@pytest.mark.parametrize(
    "text",
    [
        "Stop the giveaway to consultants! https://www.trailtimes.ca/news/council-budget",
        "Council wants to put our reserves into crypto? https://www.trailtimes.ca/news/reserves",
    ],
)
def test_a_giveaway_or_crypto_beside_a_news_link_goes_to_a_person_not_hidden(text: str) -> None:
    # "Giveaway" and "crypto" are what residents call spending too, and the link their source:
    # only with spam's pitch (a free BTC to claim) or a call to act are they spam to hide.
    decision = classify("c1", text, BUDGET, POLICY)
    assert decision.action == "review" and decision.categories == ("spam",), decision.evidence


@pytest.mark.parametrize(
    "link",
    [
        "https://www.trail.ca.",
        "https://www.trail.ca,",
        "www.trail.ca!",
        "https://www.trail.ca./budget-2027.pdf",
        "https://www.trail.ca:443/budget-2027.pdf",  # the port is not part of the site's name
    ],
)
def test_a_trail_ca_link_ending_a_sentence_is_still_the_citys_own_site(link: str) -> None:
    # The punctuation ends the sentence, not the link, nor the City's domain.
    text = (
        "Councillors earn $40,000 a year and all they do is make money off parking tickets. "
        f"It's all in the budget at {link} Look it up"
    )
    decision = classify("c1", text, BUDGET, POLICY)
    assert decision.action == "review"
    assert not [m for m in decision.evidence["spam"]["matched"] if "trail.ca" in m]


@pytest.mark.parametrize("link", ["http://[", "https://[::1", "http://www.trail.ca:99999/"])
def test_a_link_no_browser_could_open_is_judged_not_a_crash(link: str) -> None:
    """One mistyped address must not stop the moderation of every comment after it."""
    decision = classify("c1", f"Councillors earn $40,000 a year, see {link}", BUDGET, POLICY)
    assert decision.action == "review" and decision.categories == ("spam",)


def test_x_criticism_linking_trail_ca_is_not_hidden_and_is_archived_as_written(
    site: Site, sandboxes: Sandboxes
) -> None:
    """X shows every link as t.co (a domain no policy allows): read as the author wrote it,
    the same comment is judged the same on X as on Facebook, and archived as written."""
    criticism = (
        "Councillors earn $40,000 a year and all they do is make money off parking tickets. "
        "See page 12: https://www.trail.ca/budget-2027.pdf"
    )
    site.add("2026-11-20-budget", title="2027 budget adopted", summary=BUDGET)
    settings = site.syndicate_to(sandboxes)
    fb = sandboxes.facebook.add_comment(next(iter(sandboxes.facebook.posts)), criticism)
    x = sandboxes.twitter.add_reply(next(iter(sandboxes.twitter.tweets)), criticism)
    collect(settings, site.content, say=lambda _: None)
    moderate_collected(settings, site.content, POLICY, say=lambda _: None)
    assert sandboxes.facebook.comments[fb]["is_hidden"] is False
    assert x not in sandboxes.twitter.hidden
    assert ModerationLog(site.root / "records").statuses()[("twitter", x)].awaiting_review
    archived = CommentArchive(site.root / "records").state()[("twitter", x)].text
    assert archived == f"@CityofTrail {criticism}"


@pytest.mark.parametrize(
    ("text", "category", "action"),
    [
        ("What a load of bullshit.", "derogatory", "hide"),
        ("You're all idiots at City Hall.", "derogatory", "review"),
        ("Vote for Smith for mayor!", "political", "review"),
        ("Earn $500 a day with bitcoin http://bit.ly/x", "spam", "hide"),
        ("Our shop offers 20% off, book now www.tirez.com", "commercial", "review"),
        ("The gate code to the reservoir is 4471.", "public_safety", "review"),
        ("Full movie free download here.", "ip_violation", "review"),
        ("Selling weed by the gazebo tonight.", "illegal", "review"),
        ("Go back to your own country.", "discriminatory", "review"),
    ],
)
def test_each_category_with_its_evidence_and_clause(text: str, category: str, action: str) -> None:
    decision = classify("c1", text, "Holiday light-up at Gyro Park", POLICY)
    assert category in decision.categories and decision.action == action
    evidence = decision.evidence[category]
    assert evidence["matched"] and evidence["reason"] and evidence["clause"]


@pytest.mark.parametrize(
    "text",
    [
        "Just drive around the barriers at night, no cops check after midnight.",
        "Park in the fire lane at the arena, nobody will catch you on game night.",
        "Selling w33d by the Esplanade, DM me.",
        "Buy1ng c0ke behind the Cominco Arena is easy.",
    ],
)
def test_illegal_activity_in_other_words_or_disguised_goes_to_a_person(text: str) -> None:
    # "No one will check" said of the police or said as "nobody", and the drug spelt with
    # digits for letters, still urge what the law forbids.
    decision = classify("c1", text, BRIDGE, POLICY)
    assert "illegal" in decision.categories and decision.action == "review", decision.evidence


@pytest.mark.parametrize(
    ("text", "action"),
    [
        ("De La Cruz is a retard.", "hide"),  # a name's "De La" is no French sentence
        ("LE BUS EST EN RETARD ENCORE", "review"),  # French in capitals is still French
    ],
)
def test_a_names_particles_do_not_make_an_english_sentence_french(text: str, action: str) -> None:
    decision = classify("c1", text, BRIDGE, POLICY)
    assert decision.action == action and "discriminatory" in decision.categories, decision.evidence


@pytest.mark.parametrize(
    "text",
    [
        "Nobody will catch the bus if it leaves at 6am.",
        "No cops check the speed on Victoria St, someone will get hurt.",
        "No one will check on seniors during the heat wave.",
    ],
)
def test_saying_no_one_checks_or_catches_is_no_breach_urged(text: str) -> None:
    """A bus missed, a complaint of speeding unchecked, a worry for seniors: none urges what
    the law forbids."""
    decision = classify("c1", text, BRIDGE, POLICY)
    assert "illegal" not in decision.categories, decision.evidence


@pytest.mark.parametrize(
    ("text", "wrong"),
    [
        ("This closure will hurt the businesses on Bay Avenue.", "public_safety"),
        ("Kill the project now, this budget is a disaster.", "public_safety"),
        ("Your rate hike is going to hurt those of us on fixed incomes.", "public_safety"),
        ("Please vote in the municipal election on October 17.", "political"),
        ("Vote no on the borrowing referendum!", "political"),
        ("The sidewalk on Bay Avenue is cracked in three places, who fixes this?", "ip_violation"),
        ("They steal our money every year with these taxes.", "illegal"),
    ],
)
def test_everyday_criticism_is_not_evidence_of_a_policy_breach(text: str, wrong: str) -> None:
    assert wrong not in classify("c1", text, BUDGET, POLICY).categories


@pytest.mark.parametrize(
    "typed",
    [
        "Immigrants don't belong here.",
        "Muslims can't be trusted with this project.",
        "Don't pay your parking ticket on Bay Avenue.",
        "Let's steal a few of those fittings tonight.",
        "Elect Emile Tremblay",
        "Vote for Emile on Saturday.",
    ],
)
def test_a_comment_typed_on_a_phone_is_classified_as_typed_on_a_pc(typed: str) -> None:
    on_a_pc = classify("c1", typed, BUDGET, POLICY)
    assert on_a_pc.action == "review"
    # A phone's keyboard types "’" for "'"; a name has its accent, which a Mac may save as
    # the letter and a combining accent.
    on_a_phone = typed.replace("'", "\u2019").replace("Emile", "Émile")
    decomposed = on_a_phone.replace("É", "E\u0301")
    for variant in (on_a_phone, decomposed):
        decision = classify("c1", variant, BUDGET, POLICY)
        assert (decision.categories, decision.action) == (on_a_pc.categories, "review"), variant


@pytest.mark.parametrize(
    "text",
    [
        "Women shouldn't be on council, they can't handle budgets.",
        "Immigrants should not be hired by the City.",
        "Muslims shouldn't run for council in Trail.",
        "Those old people shouldn't be in charge of the budget.",
    ],
)
def test_keeping_a_protected_group_out_of_office_or_work_is_discrimination(text: str) -> None:
    # Saying a group's people should not hold office, run, vote or be hired excludes them for
    # who they are: a person reviews it.
    decision = classify("c1", text, BUDGET, POLICY)
    assert "discriminatory" in decision.categories and decision.action == "review", decision


@pytest.mark.parametrize(
    "text",
    [
        "Seniors shouldn't have to walk across the bridge in the snow, where is the shuttle?",
        "All seniors should get free transit while the bridge is closed.",
        "Women shouldn't have to walk home in the dark along the detour, add lights.",
        "Those disabled people can't cross with the ramp closed, please fix it.",
        "Seniors shouldn't be on the bridge sidewalk in the snow, run a shuttle.",
        "Immigrants should be hired by the City, it needs the workers.",
    ],
)
def test_speaking_up_for_a_protected_group_is_not_discrimination(text: str) -> None:
    decision = classify("c1", text, BRIDGE, POLICY)
    assert "discriminatory" not in decision.categories, decision.evidence


@pytest.mark.parametrize(
    "text",
    [
        "I didn't vote for this mayor to waste money on a bridge.",
        "Nobody will vote for this council again after this bridge fiasco.",
        "Vote No on the borrowing referendum!",
        "I didn't vote for Smith for mayor and now look at this bridge.",
        "Thanks for council approving the bridge lights.",
        "I didn't vote for Smith for mayor.",
        "Applications for council committees close Friday.",
    ],
)
def test_criticism_of_council_and_a_referendum_vote_do_not_promote_a_candidate(
    text: str,
) -> None:
    decision = classify("c1", text, BRIDGE, POLICY)
    assert "political" not in decision.categories, decision.evidence


@pytest.mark.parametrize(
    "text",
    [
        "Vote Singh!",
        "Vote for me for council this October.",
        "vote for my neighbour Jo for mayor",
        "Kerr 4 council! He'll fix Glenmerry's roads.",
        "Tremblay for mayor.",
        "elect jane doe for mayor",
        "V0te Kerr on Oct 17",
    ],
)
def test_a_candidate_named_or_not_is_still_promoted(text: str) -> None:
    assert "political" in classify("c1", text, BRIDGE, POLICY).categories


@pytest.mark.parametrize(
    "text",
    [
        "Merci aux équipes qui travaillent la nuit!",
        "Est-ce que le trottoir restera ouvert pour les piétons?",
        "Encore des travaux sur le pont? Six semaines de bouchons, c'est ridicule.",
    ],
)
def test_a_french_comment_on_the_post_is_not_off_topic(text: str) -> None:
    assert "off_topic" not in classify("c1", text, BRIDGE, POLICY).categories


BUS = "BC Transit route changes between Trail, Rossland and Warfield start January 5."


@pytest.mark.parametrize(
    "text",
    [
        "LE BUS EST ENCORE EN RETARD ce matin à Warfield. Pas fiable du tout.",
        "Le bus de Rossland était en retard de 20 minutes, encore.",
        "Encore du retard sur la ligne de Glenmerry, c'est la troisième fois cette semaine.",
    ],
)
def test_a_french_word_spelt_as_a_listed_english_word_is_not_hidden(text: str) -> None:
    # The word lists are English: "retard" is a slur there, and in French a delay. In a
    # sentence written in French a person reads the match; the classifier does not hide it.
    decision = classify("c1", text, BUS, POLICY)
    assert decision.action == "review", decision.evidence
    assert decision.evidence["discriminatory"]["strong"] is False


@pytest.mark.parametrize(
    ("text", "category", "word"),
    [
        ("The mayor is a f*cking joke.", "derogatory", "fucking"),
        ("What a f***ing disaster this budget is.", "derogatory", "fucking"),
        ("What a load of sh1t, council are a bunch of b@stards", "derogatory", "shit"),
        ("f u c k this council", "derogatory", "fuck"),
        ("S H I T show as usual at City Hall", "derogatory", "shit"),
        ("Only a r3tard would approve this budget.", "discriminatory", "retard"),
        ("Council are a bunch of 1d10ts", "derogatory", "idiots"),
    ],
)
def test_a_listed_word_disguised_goes_to_a_person(text: str, category: str, word: str) -> None:
    # Spelt with symbols or digits for letters, or letter by letter, a listed word is still
    # the word: a person reads it (the disguise may be a false match, so never a hide).
    decision = classify("c1", text, BUS, POLICY)
    assert decision.action == "review" and category in decision.categories, decision.evidence
    assert word in decision.evidence[category]["matched"]


@pytest.mark.parametrize(
    "text",
    [
        "The 4.9% hike costs us $500 a year, 3rd year in a row, B.C. Transit or not.",
        "Bus 21 at 4pm from Glenmerry is always full, U S A style traffic on the bridge.",
        "Route *5 changes Jan 5 (see the map*).",
        "The new Rossland route gets **** from me, five stars if it ran Sundays.",
    ],
)
def test_digits_symbols_and_initials_are_not_read_as_a_disguised_word(text: str) -> None:
    assert classify("c1", text, BUS, POLICY).action == "keep"


def test_a_slur_in_an_english_sentence_is_still_hidden() -> None:
    decision = classify("c1", "Only a retard would approve this bus schedule.", BUS, POLICY)
    assert decision.action == "hide" and decision.categories == ("discriminatory",)


def test_words_with_accents_are_read_whole() -> None:
    # An off-topic comment's evidence is its words: "fêtes", never "tes".
    text = "Vivement les fêtes de fin d'année en Provence, j'adore cette saison"
    matched = classify("c1", text, BRIDGE, POLICY).evidence["off_topic"]["matched"]
    assert "fêtes" in matched and "année" in matched and "tes" not in matched


@pytest.mark.parametrize(
    ("text", "wanted"),
    [
        ("Dave Miller, 1234 Hazelwood Drive. You know what to do.", "1234 Hazelwood Drive"),
        ("Dave Miller, 1234 Côté Crescent. You know what to do.", "1234 Côté Crescent"),
        ("The councillor's home is at 88 Cedar Ave, let's all show up tonight.", "88 Cedar Ave"),
        ("His cell is 250-555-0199 and he's the idiot who approved this budget.", "2505550199"),
        ("Text him on 250\u00a0555\u20110199, he approved this budget.", "2505550199"),  # as pasted
        (
            "Email him, jean-françois.tremblay@shaw.ca, he approved this budget.",
            "jean-françois.tremblay@shaw.ca",
        ),
        ("Write to zoë@bücher.de (his wife), she approved this budget.", "zoë@bücher.de"),
        ("His home number is 368-5555, he approved this budget.", "3685555"),  # local
        ("Text him on +44 7700 900123, he approved this budget.", "+447700900123"),  # overseas
    ],
)
def test_a_private_persons_address_or_phone_is_put_before_a_reviewer(
    text: str, wanted: str
) -> None:
    decision = classify("c1", text, BUDGET, POLICY)
    assert decision.action != "keep"
    assert wanted in decision.evidence["personal_information"]["matched"]


@pytest.mark.parametrize(
    ("text", "wanted"),
    [
        ("MY HOUSE AT 1205 ÉMILE STREET FLOODED AGAIN", "1205 ÉMILE STREET"),
        ("MY HOUSE AT 1205 E\u0301MILE STREET FLOODED AGAIN", "1205 ÉMILE STREET"),  # a Mac's É
        ("HE LIVES AT 12 O'NEIL CRESCENT, GO ASK HIM", "12 O'NEIL CRESCENT"),
    ],
)
def test_an_address_shouted_in_capitals_is_put_before_a_reviewer(text: str, wanted: str) -> None:
    # Written in capitals, a home's address is as much someone's as "1205 Émile Street".
    decision = classify("c1", text, BUDGET, POLICY)
    assert decision.action != "keep"
    assert wanted in decision.evidence["personal_information"]["matched"]


@pytest.mark.parametrize(
    "text",
    [
        "Call City Hall at 250-364-1262 or write to info@trail.ca about the budget.",
        "Call City Hall at 364-1262 about the budget.",  # its number as Trail writes it
        "Bylaw No. 2024-1234 sets the 2026-2027 budget: $250-1000 more, from 10:30-11:30.",
        "Bring your questions on the budget to City Hall, 1394 Pine Ave.",
        "BRING YOUR QUESTIONS ON THE BUDGET TO CITY HALL, 1394 PINE AVENUE!",
    ],
)
def test_the_citys_own_contacts_in_a_comment_are_not_personal_information(text: str) -> None:
    decision = classify("c1", text, BUDGET, POLICY)
    assert decision.action == "keep" and "personal_information" not in decision.evidence


@pytest.mark.parametrize(
    "text",
    [
        "Thanks to Teck for the lights, 20% off at the Teck store!",
        "Smoke Eaters tickets on sale, book now at www.trailsmokeeaters.com/tickets",
    ],
)
def test_sponsors_are_not_commercial_promotion(text: str) -> None:
    decision = classify("c1", text, "Holiday light-up at Gyro Park", POLICY)
    assert "commercial" not in decision.categories


@pytest.mark.parametrize(
    "text",
    [
        "Season tickets 20% off, book now at https://trailsmokeeaters.com/tickets",
        "Season tickets 20% off, book now at HTTPS://WWW.TrailSmokeEaters.COM/tickets?seat=a1",
        "Season tickets 20% off, book now at https://shop.trailsmokeeaters.com/",
        "Season tickets 20% off, book now at trailsmokeeaters.com/tickets",  # no scheme
        "Season tickets 20% off, book now! https://trailsmokeeaters.com/tickets",  # link alone
        "Grants for small business, book today at https://www.ourtrust.org/grants",
    ],
)
def test_promotion_with_a_link_only_to_a_sponsors_site_is_not_commercial(text: str) -> None:
    # A link to a sponsor's domain (or a subdomain of it) names the sponsor as its name would,
    # so not even a policy hiding commercial promotion hides it.
    hiding = dataclasses.replace(POLICY, hide_allowed=POLICY.hide_allowed | {"commercial"})
    decision = classify("c1", text, WATER_POST, hiding)
    assert "commercial" not in decision.categories and decision.action != "hide"


@pytest.mark.parametrize(
    "link",
    [
        "https://trailsmokeeaters.com.example.net/tickets",  # the sponsor's name, another site
        "trailsmokeeaters.com.example.net/tickets",
        "trailsmokeeaters.com.evil.ca/tickets",  # no scheme, a host the pattern has no ending of
        "trailsmokeeaters.com-evil.ca/tickets",  # no scheme, a host going on past the name
        "https://nottrailsmokeeaters.com/tickets",
        "https://www.trail.ca/trailsmokeeaters.com",  # an allowed site, not a sponsor's
        "https://trailsmokeeaters.com/tickets and https://www.kootenaysports.shop",
        "https://trailsmokeeaters.com/tickets, or at kootenaysports.com",
    ],
)
def test_a_link_to_a_look_alike_or_another_business_beside_a_sponsors_stays_commercial(
    link: str,
) -> None:
    decision = classify("c1", f"Season tickets 20% off, book now at {link}", WATER_POST, POLICY)
    assert "commercial" in decision.categories and decision.action == "review"


@pytest.mark.parametrize(
    "text",
    [
        # The sponsor's link is in another sentence: it does not cover this one's business.
        "Joe's Plumbing, 20% off all week. Tickets at https://trailsmokeeaters.com/tickets",
        # The writer's own business, whatever sponsor's site is linked beside it.
        "Our shop offers 20% off Smoke Eaters jerseys, see https://trailsmokeeaters.com",
    ],
)
def test_a_sponsors_link_does_not_exempt_another_business_from_commercial(text: str) -> None:
    decision = classify("c1", text, WATER_POST, POLICY)
    assert "commercial" in decision.categories and decision.action == "review"


@pytest.mark.parametrize(
    ("cheer", "link"),
    [
        ("Go Smoke Eaters! ", " at www.kootenaysports.shop"),
        ("Smoke Eaters fans: ", " at www.kootenaysports.shop"),  # one sentence, another's site
        ("Go Smoke Eaters! ", ""),  # the sponsor in another sentence
        ("Thanks Teck for the rink lights. ", ""),
        ("Smoke Eaters fans: ", ""),  # one sentence: the shop is the writer's, not the sponsor's
    ],
)
def test_naming_a_sponsor_does_not_exempt_another_business_from_commercial(
    cheer: str, link: str
) -> None:
    ad = "Our shop offers 20% off all hockey gear, book now" + link
    alone = classify("c1", ad, WATER_POST, POLICY)
    assert alone.action == "review"
    cheered = classify("c2", cheer + ad, WATER_POST, POLICY)
    assert "commercial" in cheered.categories and cheered.action == "review"
    assert cheered.evidence["commercial"] == alone.evidence["commercial"]


@pytest.mark.parametrize(
    "text",
    [
        "Our shop offers 20% off all hockey gear for Teck employees, book now",
        "We sell Smoke Eaters jerseys at the best prices in town.",
        "DM me for a discount on Columbia Basin Trust grant applications, I write them for hire.",
    ],
)
def test_a_business_promoting_itself_in_a_sentence_naming_a_sponsor_is_commercial(
    text: str,
) -> None:
    # Naming a sponsor covers promoting the sponsor, not the writer's own shop beside it.
    decision = classify("c1", text, WATER_POST, POLICY)
    assert "commercial" in decision.categories and decision.action == "review"


@pytest.mark.parametrize(
    ("name", "old", "new", "message"),
    [
        (  # would silently turn hiding off
            "moderation.yml",
            "spam: hide",
            "spam: hidden",
            "categories.spam: expected review or hide",
        ),
        (
            "moderation.yml",
            "categories:",
            "category:",
            "category: unknown; expected categories or allowed_domains",
        ),
        (
            "moderation.yml",
            "  spam: hide",
            "  scam: hide",
            "categories.scam: unknown; expected one of " + ", ".join(CATEGORIES),
        ),
        (  # would make each letter a sponsor name
            "sponsors.yml",
            "also: [Teck]",
            "also: Teck",
            "sponsors[0].also: expected a list of other names",
        ),
        (
            "sponsors.yml",
            "domains: [ourtrust.org]",
            "domains: ourtrust.org",
            "sponsors[2].domains: expected a list of domains",
        ),
        (
            "sponsors.yml",
            "- name: Teck Trail Operations",
            "- title: Teck Trail Operations",
            "sponsors[0].title: unknown; expected name, also or domains",
        ),
    ],
    ids=[
        "hidden-not-hide",
        "misspelt-setting",
        "unknown-category",
        "scalar-also",
        "scalar-domains",
        "misspelt-field",
    ],
)
def test_a_malformed_moderation_policy_names_the_file_the_field_and_what_was_expected(
    tmp_path: Path, name: str, old: str, new: str, message: str
) -> None:
    policy = tmp_path / "policy"
    shutil.copytree(ROOT / "policy", policy)
    text = (policy / name).read_text()
    assert old in text
    (policy / name).write_text(text.replace(old, new, 1))
    with pytest.raises(PolicyError) as error:
        ModerationPolicy.load(policy)
    assert str(error.value) == f"{policy / name}: {message}"


def test_a_word_list_the_city_adds_counts_in_moderation_as_in_the_lint(tmp_path: Path) -> None:
    # policy/wordlists/README.md: the lists are shared by the lint and comment moderation.
    policy = tmp_path / "policy"
    shutil.copytree(ROOT / "policy", policy)
    (policy / "wordlists" / "local.txt").write_text(
        "# Insults residents reported, added 2026-11.\ndouchebag\n"
    )
    assert "douchebag" in LintPolicy.load(policy).words  # never published in an announcement
    decision = classify(
        "c1",
        "The mayor is a douchebag",
        "Road closure on Bay Avenue",
        ModerationPolicy.load(policy),
    )
    # Evidence of a derogatory remark, for a person to decide on, as an insult is.
    assert (decision.action, decision.categories) == ("review", ("derogatory",))


def test_a_word_list_removed_stops_moderation_and_the_lint_naming_it(tmp_path: Path) -> None:
    # Its words would otherwise be dropped from both, with nothing to say so.
    policy = tmp_path / "policy"
    shutil.copytree(ROOT / "policy", policy)
    (policy / "wordlists" / "slurs.txt").unlink()
    expected = f"{policy / 'wordlists' / 'slurs.txt'}: not found"
    with pytest.raises(PolicyError, match=f"^{expected}"):
        ModerationPolicy.load(policy)
    with pytest.raises(LintConfigError, match=f"^{expected}"):
        LintPolicy.load(policy)


def test_a_category_set_twice_in_moderation_yml_is_refused(tmp_path: Path) -> None:
    policy = tmp_path / "policy"
    shutil.copytree(ROOT / "policy", policy)
    moderation = policy / "moderation.yml"
    # The office narrows spam to review at the end of the list, leaving `spam: hide` above:
    # YAML keeps the last, with nothing to show that the file says both.
    moderation.write_text(
        moderation.read_text().replace(
            "  ip_violation: review\n", "  ip_violation: review\n  spam: review\n"
        )
    )
    with pytest.raises(PolicyError) as error:
        ModerationPolicy.load(policy)
    assert str(error.value) == (
        f"{moderation}:17: spam: given a second time (first on line 14); write it once, "
        "as only the last would count"
    )


def test_a_policy_file_that_is_not_valid_yaml_is_named_by_its_line_on_one_line(
    tmp_path: Path,
) -> None:
    """As a content file's front matter is: `file:line: not valid YAML (problem)`, not
    PyYAML's own report over several lines, quoting the file as "<unicode string>"."""
    policy = tmp_path / "policy"
    shutil.copytree(ROOT / "policy", policy)
    moderation, lint = policy / "moderation.yml", policy / "lint.yml"
    moderation.write_text(moderation.read_text().replace("  spam: hide\n", " spam: hide\n"))
    with pytest.raises(PolicyError) as error:
        ModerationPolicy.load(policy)
    assert str(error.value) == (
        f"{moderation}:14: not valid YAML (expected <block end>, but found '<block mapping start>')"
    )
    lint.write_text(
        lint.read_text().replace("  personal-card: error\n", "  personal-card: [error\n")
    )
    with pytest.raises(LintConfigError) as refused:
        LintPolicy.load(policy)
    assert str(refused.value) == f"{lint}:6: not valid YAML (expected ',' or ']', but got ':')"
    lint.write_text("rules:\n  link-text: warning\a\n")  # a bell pasted from a terminal
    with pytest.raises(LintConfigError) as refused:
        LintPolicy.load(policy)
    assert str(refused.value) == (
        f"{lint}:2: not valid YAML (character #x0007: special characters are not allowed)"
    )
    # A line separator pasted into a comment ends a line for YAML (whose "for links" then
    # stands before "rules:"), not for an editor: the line named is the editor's.
    lint.write_text("# Rules\u2028for links\nrules:\n  link-text: warning\n")
    with pytest.raises(LintConfigError) as refused:
        LintPolicy.load(policy)
    assert str(refused.value).startswith(f"{lint}:2: not valid YAML")
    # A quotation mark not closed: YAML reads on to the end of the file for the closing one,
    # and says so there; the line named is the one it opens on.
    lint.write_text("rules:\n  link-text: 'warning\n  personal-card: error\n\n# The end\n")
    with pytest.raises(LintConfigError) as refused:
        LintPolicy.load(policy)
    assert str(refused.value) == (
        f"{lint}:2: not valid YAML (the ' on this line is not closed; close it, or remove it)"
    )


def test_invoke_moderate_shows_a_malformed_policy_without_a_traceback(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    shutil.copytree(ROOT / "policy", tmp_path / "policy")
    moderation = tmp_path / "policy" / "moderation.yml"
    moderation.write_text(moderation.read_text().replace("spam: hide", "spam: hidden"))
    monkeypatch.setattr(tasks, "ROOT", tmp_path)
    with pytest.raises(Exit) as stopped:
        tasks.moderate(Context())
    assert stopped.value.code == 2
    assert stopped.value.message == (
        f"moderate: {moderation}: categories.spam: expected review or hide"
    )


@pytest.mark.parametrize(
    ("mistake", "problem"),
    [
        (
            "cp1252",
            ":{line}: encoding: byte 0xe9 is not UTF-8; save the file with the UTF-8 encoding",
        ),
        ("saved-as-yaml", ": not found; moderation.yaml is there: name it moderation.yml"),
    ],
    ids=["cp1252", "saved-as-yaml"],
)
def test_an_unreadable_moderation_policy_stops_moderate_naming_the_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, mistake: str, problem: str
) -> None:
    shutil.copytree(ROOT / "policy", tmp_path / "policy")
    if mistake == "cp1252":  # Notepad's "ANSI" (Windows-1252)
        named = tmp_path / "policy" / "sponsors.yml"
        line = len(named.read_bytes().splitlines()) + 1
        named.write_bytes(named.read_bytes() + b"  - name: Caf\xe9 Dolce\n")
        problem = problem.format(line=line)
    else:
        named = tmp_path / "policy" / "moderation.yml"
        named.rename(named.with_suffix(".yaml"))
    monkeypatch.setattr(tasks, "ROOT", tmp_path)
    with pytest.raises(Exit) as stopped:  # not a UnicodeDecodeError or FileNotFoundError
        tasks.moderate(Context())
    assert stopped.value.code == 2
    assert stopped.value.message == f"moderate: {named}{problem}"


def test_moderate_classifies_a_jsonl_file(tmp_path: Path) -> None:
    source, target = tmp_path / "comments.jsonl", tmp_path / "decisions.jsonl"
    source.write_text(
        json.dumps({"id": "a", "text": "Fuck this", "post_text": "Snow clearing"})
        + "\n"
        + json.dumps(
            {
                "id": "b",
                "text": "When is my street plowed?",
                "post_text": "Snow",
                "author": "A resident",
            }
        )
        + "\n"
    )
    run = subprocess.run(
        [
            sys.executable,
            "-m",
            "invoke",
            "moderate",
            "--input",
            str(source),
            "--output",
            str(target),
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    assert run.returncode == 0, run.stderr
    lines = [json.loads(line) for line in target.read_text().splitlines()]
    assert [(d["id"], d["action"], d["categories"]) for d in lines] == [
        ("a", "hide", ["derogatory"]),
        ("b", "keep", []),
    ]
    assert lines[0]["evidence"]["derogatory"]["clause"].startswith("Slanderous or derogatory")


def test_collected_comments_are_moderated_and_a_reviewers_hide_is_applied_and_logged(
    site: Site, sandboxes: Sandboxes
) -> None:
    site.add("2026-11-20-flushing")
    settings = site.syndicate_to(sandboxes)
    post = next(iter(sandboxes.facebook.posts))
    tweet = next(iter(sandboxes.twitter.tweets))
    rude = sandboxes.facebook.add_comment(post, "Shitty pipes, shitty service.")
    critic = sandboxes.facebook.add_comment(post, "Third flushing this year. Poor planning.")
    ad = sandboxes.twitter.add_reply(tweet, "We offer plumbing, free estimate, book now!")
    collect(settings, site.content, say=lambda _: None)

    counts = moderate_collected(settings, site.content, POLICY, say=lambda _: None)
    assert counts == {"keep": 1, "review": 1, "hide": 1, "failed": 0, "held": 0, "refused": 0}
    assert sandboxes.facebook.comments[rude]["is_hidden"] is True
    assert sandboxes.facebook.comments[critic]["is_hidden"] is False
    statuses = ModerationLog(site.root / "records").statuses()
    assert statuses[("twitter", ad)].awaiting_review
    # Moderating again classifies nothing new.
    assert moderate_collected(settings, site.content, POLICY, say=lambda _: None) == {
        "keep": 0,
        "review": 0,
        "hide": 0,
        "failed": 0,
        "held": 0,
        "refused": 0,
    }

    with pytest.raises(DecisionError, match="--reason"):
        decide(settings, site.content, f"twitter:{ad}", "hide", " ", "Records Officer")
    result = decide(
        settings,
        site.content,
        f"twitter:{ad}",
        "hide",
        "Advertises a business on the City's post",
        "Communications Coordinator",
        "commercial",
    )
    assert result == "applied"
    assert ad in sandboxes.twitter.hidden
    events = list(ModerationLog(site.root / "records").chain.events())
    last = events[-1]
    assert (last["kind"], last["decision"], last["who"], last["category"]) == (
        "decision",
        "hide",
        "Communications Coordinator",
        "commercial",
    )
    assert last["clause"].startswith("Promotion of commercial services")
    assert last["reason"] == "Advertises a business on the City's post" and last["time"]

    report = write_report(site.root / "records").read_text()
    assert (
        "Comment moderation report" in report
        and "Shitty pipes" not in report.split("Review queue")[1].split("Decisions taken")[0]
    )
    assert "Advertises a business" in report
    # Hidden comments are not mistaken for deleted ones on the next collection.
    totals, _ = collect(settings, site.content, say=lambda _: None)
    assert sum(t.deleted for t in totals.values()) == 0


def test_an_automatic_hide_is_recorded_under_the_category_that_allowed_it(
    site: Site, sandboxes: Sandboxes
) -> None:
    site.add("2026-11-20-flushing")
    settings = site.syndicate_to(sandboxes)
    post = next(iter(sandboxes.facebook.posts))
    # Political (review only) comes first in the policy's order; strong spam allows the hide.
    comment = sandboxes.facebook.add_comment(
        post, "Vote Smith for council! Bitcoin giveaway, earn $500 a day at www.quick-cash.biz"
    )
    collect(settings, site.content, say=lambda _: None)
    moderate_collected(settings, site.content, POLICY, say=lambda _: None)
    assert sandboxes.facebook.comments[comment]["is_hidden"] is True
    classification, _, decision = ModerationLog(site.root / "records").chain.events()
    assert classification["categories"] == ["political", "spam"]
    assert decision["version"] == 1  # the version classified
    assert (decision["category"], decision["clause"], decision["reason"]) == (
        "spam",
        "Spam or irrelevant external links",
        "spam wording or links to unrelated sites",
    )


SPAM = "Bitcoin giveaway, earn $500 a day at www.quick-cash.biz"


def spam_collected(site: Site, sandboxes: Sandboxes) -> tuple[Settings, str]:
    """An announcement on Facebook with a spam comment, collected: (settings, its id)."""
    site.add("2026-11-20-flushing")
    settings = site.syndicate_to(sandboxes)
    post = next(iter(sandboxes.facebook.posts))
    spam = sandboxes.facebook.add_comment(post, SPAM)
    collect(settings, site.content, say=lambda _: None)
    return settings, spam


def test_the_decisions_name_the_announcement_and_post_their_comment_is_on(
    site: Site, sandboxes: Sandboxes, tmp_path: Path
) -> None:
    """The retention schedule may keep the decisions about a comment longer than its lines:
    the decisions then still say which announcement and post it was on, so that a search,
    an FOI package and a legal hold on the announcement find them (not who wrote it: that
    stays with the comment's own lines)."""
    settings, spam = spam_collected(site, sandboxes)
    moderate_collected(settings, site.content, POLICY, say=lambda _: None)
    post = next(iter(sandboxes.facebook.posts))
    kept = tmp_path / "kept-records"  # the decisions alone, the comment's lines disposed of
    (kept / FILES["moderation"]).parent.mkdir(parents=True)
    shutil.copy(site.root / "records" / FILES["moderation"], kept / FILES["moderation"])
    filed = [(r.comment_id, r.announcement, r.post_id, r.commenter) for r in search(kept, "")]
    assert filed == [(spam, "2026-11-20-flushing", post, "")] * 2  # classified, hidden
    log = ModerationLog(site.root / "records").chain.events()
    assert {json.dumps(e, sort_keys=True) for e in log if "A resident" in json.dumps(e)} == set()


def test_a_hide_the_platform_refused_is_not_recorded_as_hidden_and_is_retried(
    site: Site, sandboxes: Sandboxes
) -> None:
    settings, spam = spam_collected(site, sandboxes)
    sandboxes.facebook.inject("server_error", method="POST", path=spam, status=503)
    run = subprocess.run(
        [sys.executable, "-m", "invoke", "moderate"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
        env={**os.environ, **sandboxes.env, "RECORDS_DIR": str(site.root / "records")},
    )
    assert run.returncode == 1, run.stdout + run.stderr
    assert f"moderate: facebook:{spam}: hide failed: " in run.stdout
    assert "1 decision(s) failed on the platform" in run.stderr
    assert "tried again on the next run" in run.stderr
    log = ModerationLog(site.root / "records")
    assert sandboxes.facebook.comments[spam]["is_hidden"] is False
    assert log.hidden() == frozenset()  # still visible, so not recorded as hidden
    assert "503" in str(log.statuses()[("facebook", spam)].failed)

    said: list[str] = []
    counts = moderate_collected(settings, site.content, POLICY, say=said.append)
    assert counts == {"keep": 0, "review": 0, "hide": 1, "failed": 0, "held": 0, "refused": 0}
    assert said == ["moderate: 0 kept, 0 for review, 1 hidden"]
    assert sandboxes.facebook.comments[spam]["is_hidden"] is True
    assert log.hidden() == {("facebook", spam)}
    # Retried without classifying again; once applied, never again.
    assert [(e["kind"], e.get("result", "")[:7]) for e in log.chain.events()] == [
        ("classification", ""),
        ("intent", ""),
        ("decision", "failed:"),
        ("intent", ""),
        ("decision", "applied"),
    ]
    assert moderate_collected(settings, site.content, POLICY, say=lambda _: None)["hide"] == 0


def test_a_hide_lost_to_a_crash_before_it_was_applied_is_applied_on_the_next_run(
    site: Site, sandboxes: Sandboxes
) -> None:
    settings, spam = spam_collected(site, sandboxes)
    log = ModerationLog(site.root / "records")
    log.classified("facebook", 1, classify(spam, SPAM, "", POLICY))
    # ...and the run stopped there.
    moderate_collected(settings, site.content, POLICY, say=lambda _: None)
    assert sandboxes.facebook.comments[spam]["is_hidden"] is True
    assert [e["kind"] for e in log.chain.events()] == ["classification", "intent", "decision"]


class Killed(BaseException):
    """Stands in for kill -9: nothing after it runs."""


def _killed(*_: object, **__: object) -> None:
    raise Killed


def test_a_youtube_hide_applied_just_before_a_crash_is_not_recorded_as_the_authors_deletion(
    site: Site, sandboxes: Sandboxes, monkeypatch: pytest.MonkeyPatch
) -> None:
    site.add("2026-11-21-tour", title="Tour the bridge deck", video=site.add_video())
    settings = site.syndicate_to(sandboxes)
    spam = sandboxes.youtube.add_comment(
        next(iter(sandboxes.youtube.videos)), SPAM, "Sam Fictional"
    )
    collect(settings, site.content, say=lambda _: None)
    with monkeypatch.context() as patched:
        # Killed once YouTube has rejected the comment, before the result is written.
        patched.setattr(ModerationLog, "decided", _killed)
        with pytest.raises(Killed):
            moderate_collected(settings, site.content, POLICY, say=lambda _: None)
    snippet = sandboxes.youtube.threads[spam]["snippet"]["topLevelComment"]["snippet"]
    assert snippet["moderationStatus"] == "rejected"
    # The next `invoke publish`: collect, then moderate.
    totals, _ = collect(settings, site.content, say=lambda _: None)
    counts = moderate_collected(settings, site.content, POLICY, say=lambda _: None)
    records = site.root / "records"
    assert not CommentArchive(records).state()[("youtube", spam)].deleted
    assert totals["youtube"].deleted == 0
    assert counts == {"keep": 0, "review": 0, "hide": 1, "failed": 0, "held": 0, "refused": 0}
    log = ModerationLog(records)
    assert log.hidden() == {("youtube", spam)}
    assert log.statuses()[("youtube", spam)].decided_by == "classifier (policy/moderation.yml)"


@pytest.mark.parametrize("status", [500, 503])
def test_a_youtube_hide_whose_answer_was_lost_is_not_recorded_as_the_authors_deletion(
    site: Site, sandboxes: Sandboxes, status: int
) -> None:
    """YouTube rejected the comment, then answered 5xx: whether it did is not known, so the
    hide is a failure tried again, and the comment, left out of YouTube's listings, is one the
    City may have hidden, never its author's deletion (nor its replies removed with it)."""
    site.add("2026-11-21-tour", title="Tour the bridge deck", video=site.add_video())
    settings = site.syndicate_to(sandboxes)
    video = next(iter(sandboxes.youtube.videos))
    spam = sandboxes.youtube.add_comment(video, SPAM, "Sam Fictional")
    collect(settings, site.content, say=lambda _: None)
    sandboxes.youtube.inject(
        "server_error_after_write", method="POST", path="setModerationStatus", status=status
    )
    said: list[str] = []
    counts = moderate_collected(settings, site.content, POLICY, say=said.append)
    assert counts["failed"] == 1 and counts["hide"] == 0
    snippet = sandboxes.youtube.threads[spam]["snippet"]["topLevelComment"]["snippet"]
    assert snippet["moderationStatus"] == "rejected"
    records = site.root / "records"
    log = ModerationLog(records)
    assert str(log.statuses()[("youtube", spam)].failed).startswith(ANSWER_LOST)
    assert log.hidden() == frozenset() and log.maybe_hidden() == {("youtube", spam)}
    totals, _ = collect(settings, site.content, say=lambda _: None)
    assert not CommentArchive(records).state()[("youtube", spam)].deleted
    assert totals["youtube"].deleted == 0
    # The next run sends the hide again: applied, and recorded so.
    again = moderate_collected(settings, site.content, POLICY, say=lambda _: None)
    assert again == {"keep": 0, "review": 0, "hide": 1, "failed": 0, "held": 0, "refused": 0}
    assert log.hidden() == {("youtube", spam)}


def test_a_hide_whose_answer_was_lost_stays_maybe_hidden_when_the_comment_is_classified_again(
    site: Site, sandboxes: Sandboxes, tmp_path: Path
) -> None:
    """Classified again under a policy that no longer hides spam, the comment YouTube may have
    rejected is still one the City may have hidden: never its author's deletion."""
    site.add("2026-11-21-tour", title="Tour the bridge deck", video=site.add_video())
    settings = site.syndicate_to(sandboxes)
    spam = sandboxes.youtube.add_comment(
        next(iter(sandboxes.youtube.videos)), SPAM, "Sam Fictional"
    )
    collect(settings, site.content, say=lambda _: None)
    sandboxes.youtube.inject(
        "server_error_after_write", method="POST", path="setModerationStatus", status=503
    )
    moderate_collected(settings, site.content, POLICY, say=lambda _: None)
    moderate_collected(settings, site.content, spam_for_review_only(tmp_path), say=lambda _: None)
    records = site.root / "records"
    assert ModerationLog(records).maybe_hidden() == {("youtube", spam)}
    totals, _ = collect(settings, site.content, say=lambda _: None)
    assert not CommentArchive(records).state()[("youtube", spam)].deleted
    assert totals["youtube"].deleted == 0


def test_a_reviewers_hide_applied_just_before_a_crash_is_recorded_with_who_why_and_clause(
    site: Site, sandboxes: Sandboxes, monkeypatch: pytest.MonkeyPatch
) -> None:
    site.add("2026-11-20-flushing")
    settings = site.syndicate_to(sandboxes)
    post = next(iter(sandboxes.facebook.posts))
    comment = sandboxes.facebook.add_comment(post, "Vote Smith for council!")
    collect(settings, site.content, say=lambda _: None)
    moderate_collected(settings, site.content, POLICY, say=lambda _: None)
    reason = "Campaigning for a candidate"
    with monkeypatch.context() as patched:
        patched.setattr(ModerationLog, "decided", _killed)
        with pytest.raises(Killed):
            decide(settings, site.content, comment, "hide", reason, "Records Officer", "political")
    assert sandboxes.facebook.comments[comment]["is_hidden"] is True
    log = ModerationLog(site.root / "records")
    *_, intent = log.chain.events()  # what was sent, with who and why, before the platform
    assert (intent["kind"], intent["who"], intent["reason"]) == (
        "intent",
        "Records Officer",
        reason,
    )
    assert log.maybe_hidden() == {("facebook", comment)} and log.hidden() == frozenset()

    collect(settings, site.content, say=lambda _: None)
    moderate_collected(settings, site.content, POLICY, say=lambda _: None)
    status = ModerationLog(site.root / "records").statuses()[("facebook", comment)]
    assert (status.decision, status.decided_by, status.reason, status.category) == (
        "hide",
        "Records Officer",
        reason,
        "political",
    )
    assert status.intent is None and not status.awaiting_review
    *_, decision = ModerationLog(site.root / "records").chain.events()
    assert (decision["kind"], decision["result"], decision["op"]) == (
        "decision",
        "applied",
        intent["op"],
    )
    assert decision["clause"] == intent["clause"] and decision["clause"]


def test_a_decision_records_the_version_the_reviewer_was_shown(
    site: Site, sandboxes: Sandboxes
) -> None:
    """A decision is about the comment's latest version collected, which the report shows the
    reviewer: its intent and decision lines say which, a search and the report show it, and a
    version collected since the last `invoke moderate` is decided with a warning naming both
    versions, the classifier's view being of the earlier one."""
    site.add("2026-11-21-tour", title="Tour the bridge deck")
    settings = site.syndicate_to(sandboxes)
    records = site.root / "records"
    post = next(iter(sandboxes.facebook.posts))
    vote = sandboxes.facebook.add_comment(post, "Vote Smith for council!")
    comment = sandboxes.facebook.add_comment(post, "Great news about the bridge deck")
    advert = sandboxes.facebook.add_comment(post, "Vote Smith for council!")
    collect(settings, site.content, say=lambda _: None)
    moderate_collected(settings, site.content, POLICY, say=lambda _: None)
    said: list[str] = []
    assert decide(settings, site.content, vote, "keep", "Fine", "Reviewer", say=said.append)
    assert said == []  # its latest version is the one classified
    assert [e.get("version") for e in ModerationLog(records).chain.events()][-2:] == [1, 1]

    sandboxes.facebook.edit_comment(comment, "You idiots, the bridge deck is a disgrace")
    sandboxes.facebook.edit_comment(advert, "Buy my deck stain")
    collect(settings, site.content, say=lambda _: None)
    hide = "Advertising, as edited"
    assert decide(
        settings, site.content, advert, "hide", hide, "Reviewer", "commercial", say=said.append
    )
    said.clear()
    reason = "Criticism of the bridge work"
    assert decide(settings, site.content, comment, "keep", reason, "Reviewer", say=said.append)
    assert len(said) == 1 and "version 2" in said[0] and "version 1" in said[0], said
    assert "not classified yet" in said[0]
    *_, intent, decision = ModerationLog(records).chain.events()
    assert (intent["kind"], intent["version"]) == ("intent", 2)
    assert (decision["kind"], decision["version"]) == ("decision", 2)
    status = ModerationLog(records).statuses()[("facebook", comment)]
    assert (status.version, status.decided_version) == (1, 2)
    # A person has decided on what it says now: neither waits for review.
    status = ModerationLog(records).statuses()[("facebook", advert)]
    assert (status.version, status.action, status.decided_version) == (1, "review", 2)
    assert not status.awaiting_review and not status.edited_since_hidden
    (found,) = search(records, "Criticism of the bridge")
    assert "decision: keep on version 2 (applied): Criticism" in found.text, found.text
    decisions = write_report(records).read_text().split("Decisions taken")[1]
    assert f"<td>facebook:{comment}</td><td>2</td><td>keep</td>" in decisions, decisions

    # Classified now: the reviewer's decisions were on these versions, so neither is asked
    # again, nor counted for review as hidden before an edit.
    counts = moderate_collected(settings, site.content, POLICY, say=lambda _: None)
    assert counts["review"] == 1  # the classifier's view of `comment`, decided already
    statuses = ModerationLog(records).statuses()
    status = statuses[("facebook", comment)]
    assert (status.version, status.action, status.decided_version) == (2, "review", 2)
    assert not status.awaiting_review
    status = statuses[("facebook", advert)]
    assert (status.version, status.action, status.decision) == (2, "keep", "hide")
    assert not status.awaiting_review and sandboxes.facebook.comments[advert]["is_hidden"]


def test_a_reviewers_keep_on_a_version_not_yet_classified_stands_over_the_classifiers_hide(
    site: Site, sandboxes: Sandboxes
) -> None:
    """Two comments edited into spam: a reviewer keeps one's new version before `invoke
    moderate` classifies it, and the other's earlier version only. The classifier's hide of
    the new version goes through only where no person decided on that version: a keep is
    about the text it was taken on, so it does not carry to a later edit."""
    site.add("2026-11-20-flushing")
    settings = site.syndicate_to(sandboxes)
    records = site.root / "records"
    post = next(iter(sandboxes.facebook.posts))
    kept = sandboxes.facebook.add_comment(post, "When does the flushing on my street start?")
    earlier = sandboxes.facebook.add_comment(post, "Will the flushing reach Glenmerry?")
    collect(settings, site.content, say=lambda _: None)
    moderate_collected(settings, site.content, POLICY, say=lambda _: None)
    keep_v1 = "A question about the flushing"
    assert decide(settings, site.content, earlier, "keep", keep_v1, "Reviewer") == "applied"
    for comment in (kept, earlier):
        sandboxes.facebook.edit_comment(comment, SPAM)
    collect(settings, site.content, say=lambda _: None)
    reason = "A neighbour's joke about the flushing's cost, not spam"
    assert decide(settings, site.content, kept, "keep", reason, "Reviewer", say=lambda _: None)

    counts = moderate_collected(settings, site.content, POLICY, say=lambda _: None)
    assert counts["hide"] == 1  # `earlier` alone: its keep was on the text before the edit
    assert sandboxes.facebook.comments[earlier]["is_hidden"] is True
    assert sandboxes.facebook.comments[kept]["is_hidden"] is False
    statuses = ModerationLog(records).statuses()
    status = statuses[("facebook", kept)]
    # The classifier's view of version 2 is recorded, the reviewer's decision on it in force.
    assert (status.version, status.action, "spam" in status.categories) == (2, "hide", True)
    assert (status.decision, status.decided_by, status.decided_version) == ("keep", "Reviewer", 2)
    assert status.reason == reason and not status.awaiting_review
    status = statuses[("facebook", earlier)]
    assert (status.decision, status.decided_by, status.decided_version) == ("hide", CLASSIFIER, 2)
    # Later runs leave the reviewer's keep as it is.
    again = moderate_collected(settings, site.content, POLICY, say=lambda _: None)
    assert again["hide"] == 0 and sandboxes.facebook.comments[kept]["is_hidden"] is False


def test_a_decision_a_stopped_run_left_is_settled_for_the_version_it_was_taken_on(
    site: Site, sandboxes: Sandboxes, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A reviewer's hide cut short by a crash, and the comment edited before the next run
    settles it: the decision line answers the intent about the version the reviewer hid, and
    the edit goes to review."""
    site.add("2026-11-20-flushing")
    settings = site.syndicate_to(sandboxes)
    post = next(iter(sandboxes.facebook.posts))
    comment = sandboxes.facebook.add_comment(post, "Vote Smith for council!")
    collect(settings, site.content, say=lambda _: None)
    moderate_collected(settings, site.content, POLICY, say=lambda _: None)
    with monkeypatch.context() as patched:
        patched.setattr(ModerationLog, "decided", _killed)
        with pytest.raises(Killed):
            decide(settings, site.content, comment, "hide", "Campaigning", "Reviewer", "political")
    sandboxes.facebook.edit_comment(comment, "When does the flushing on my street start?")
    collect(settings, site.content, say=lambda _: None)
    moderate_collected(settings, site.content, POLICY, say=lambda _: None)
    log = ModerationLog(site.root / "records")
    decision = next(e for e in log.chain.events() if e["kind"] == "decision")
    assert (decision["who"], decision["result"], decision["version"]) == ("Reviewer", "applied", 1)
    status = log.statuses()[("facebook", comment)]
    assert (status.version, status.decided_version) == (2, 1)
    assert status.edited_since_hidden and status.awaiting_review


def test_a_hide_cut_short_by_a_crash_on_a_comment_deleted_since_is_answered_as_not_known(
    site: Site, sandboxes: Sandboxes, monkeypatch: pytest.MonkeyPatch
) -> None:
    settings, spam = spam_collected(site, sandboxes)
    with monkeypatch.context() as patched:
        patched.setattr(ModerationLog, "decided", _killed)
        with pytest.raises(Killed):
            moderate_collected(settings, site.content, POLICY, say=lambda _: None)
    sandboxes.facebook.delete_comment(spam)
    collect(settings, site.content, say=lambda _: None)
    counts = moderate_collected(settings, site.content, POLICY, say=lambda _: None)
    assert counts == {
        "keep": 0,
        "review": 0,
        "hide": 0,
        "failed": 0,
        "held": 0,
        "refused": 0,
    }  # nothing to send
    status = ModerationLog(site.root / "records").statuses()[("facebook", spam)]
    assert status.intent is None and not status.hidden
    assert str(status.failed).startswith("not known: the run stopped before the platform")


def test_a_reviewers_decision_is_not_overridden_by_retrying_the_classifiers_hide(
    site: Site, sandboxes: Sandboxes
) -> None:
    settings, spam = spam_collected(site, sandboxes)
    sandboxes.facebook.inject("server_error", method="POST", path=spam, times=2, status=503)
    moderate_collected(settings, site.content, POLICY, say=lambda _: None)
    reason = "A neighbour's joke, not spam"
    assert decide(settings, site.content, spam, "keep", reason, "Records Officer") != "applied"
    moderate_collected(settings, site.content, POLICY, say=lambda _: None)
    assert sandboxes.facebook.comments[spam]["is_hidden"] is False
    events = list(ModerationLog(site.root / "records").chain.events())
    assert [(e["kind"], e.get("who")) for e in events] == [
        ("classification", None),
        ("intent", "classifier (policy/moderation.yml)"),
        ("decision", "classifier (policy/moderation.yml)"),
        ("intent", "Records Officer"),
        ("decision", "Records Officer"),
    ]  # the classifier's hide was not tried again over the reviewer's keep


def test_a_hidden_comment_edited_by_its_author_stays_known_hidden_and_goes_to_review(
    site: Site, sandboxes: Sandboxes
) -> None:
    settings, spam = spam_collected(site, sandboxes)
    moderate_collected(settings, site.content, POLICY, say=lambda _: None)
    sandboxes.facebook.edit_comment(spam, "When does the flushing on my street start?")
    collect(settings, site.content, say=lambda _: None)
    counts = moderate_collected(settings, site.content, POLICY, say=lambda _: None)
    assert counts == {"keep": 0, "review": 1, "hide": 0, "failed": 0, "held": 0, "refused": 0}
    assert sandboxes.facebook.comments[spam]["is_hidden"] is True  # still hidden on Facebook
    log = ModerationLog(site.root / "records")
    status = log.statuses()[("facebook", spam)]
    # Neither unhidden nor forgotten: the records know it is hidden, and a person decides.
    assert (status.version, status.action, status.decision) == (2, "keep", "hide")
    assert status.hidden and status.awaiting_review
    assert log.hidden() == {("facebook", spam)}
    report = write_report(site.root / "records").read_text()
    queue, decisions = report.split("Review queue")[1].split("Decisions taken")
    assert "hidden, edited since" in queue and "When does the flushing" in queue
    assert "spam wording" in decisions and "No decisions yet." not in decisions

    reason = "A question about the flushing now"
    assert decide(settings, site.content, spam, "keep", reason, "Records Officer") == "applied"
    assert sandboxes.facebook.comments[spam]["is_hidden"] is False
    assert not ModerationLog(site.root / "records").statuses()[("facebook", spam)].awaiting_review


def spam_for_review_only(tmp_path: Path) -> ModerationPolicy:
    """The City's policy narrowed: spam is no longer hidden, only reviewed."""
    shutil.copytree(ROOT / "policy", tmp_path / "policy")
    rules = tmp_path / "policy" / "moderation.yml"
    rules.write_text(rules.read_text().replace("spam: hide", "spam: review"))
    return ModerationPolicy.load(tmp_path / "policy")


def test_hides_the_current_policy_no_longer_allows_go_back_to_a_person(
    site: Site, sandboxes: Sandboxes, tmp_path: Path
) -> None:
    settings, spam = spam_collected(site, sandboxes)
    moderate_collected(settings, site.content, POLICY, say=lambda _: None)
    assert sandboxes.facebook.comments[spam]["is_hidden"] is True
    narrowed = spam_for_review_only(tmp_path)

    counts = moderate_collected(settings, site.content, narrowed, say=lambda _: None)
    assert counts == {"keep": 0, "review": 1, "hide": 0, "failed": 0, "held": 0, "refused": 0}
    status = ModerationLog(site.root / "records").statuses()[("facebook", spam)]
    assert status.awaiting_review and status.why_review[0] == "hidden under an earlier policy"
    assert sandboxes.facebook.comments[spam]["is_hidden"] is True  # only a person unhides
    queue = write_report(site.root / "records").read_text().split("Review queue")[1]
    assert "hidden under an earlier policy" in queue.split("Decisions taken")[0]
    # Asked once: later runs leave it to the person, and their decision takes it off the queue.
    assert moderate_collected(settings, site.content, narrowed, say=lambda _: None)["review"] == 0
    reason = "Spam, but the City reviews spam now"
    assert decide(settings, site.content, spam, "hide", reason, "Reviewer") == "applied"
    assert not ModerationLog(site.root / "records").statuses()[("facebook", spam)].awaiting_review
    assert moderate_collected(settings, site.content, narrowed, say=lambda _: None)["review"] == 0


def test_a_refused_hide_the_current_policy_no_longer_allows_goes_to_a_person(
    site: Site, sandboxes: Sandboxes, tmp_path: Path
) -> None:
    settings, spam = spam_collected(site, sandboxes)
    sandboxes.facebook.inject("server_error", method="POST", path=spam, times=5, status=503)
    moderate_collected(settings, site.content, POLICY, say=lambda _: None)  # hide refused
    narrowed = spam_for_review_only(tmp_path)

    said: list[str] = []
    counts = moderate_collected(settings, site.content, narrowed, say=said.append)
    assert counts == {"keep": 0, "review": 1, "hide": 0, "failed": 0, "held": 0, "refused": 0}, said
    assert sandboxes.facebook.comments[spam]["is_hidden"] is False  # public, never hidden
    status = ModerationLog(site.root / "records").statuses()[("facebook", spam)]
    assert status.awaiting_review and not status.hidden_under_earlier_policy
    queue = write_report(site.root / "records").read_text().split("Review queue")[1]
    assert spam in queue.split("Decisions taken")[0]
    # Asked once: later runs neither try the hide again nor ask again.
    again = moderate_collected(settings, site.content, narrowed, say=lambda _: None)
    assert again == {"keep": 0, "review": 0, "hide": 0, "failed": 0, "held": 0, "refused": 0}


def test_invoke_moderate_decide_on_the_command_line(site: Site, sandboxes: Sandboxes) -> None:
    site.add("2026-11-20-flushing")
    settings = site.syndicate_to(sandboxes)
    env = {**sandboxes.env, "RECORDS_DIR": str(site.root / "records")}
    post = next(iter(sandboxes.facebook.posts))
    comment = sandboxes.facebook.add_comment(post, "Check out my shop, 10% off, best prices!")
    collect(settings, site.content, say=lambda _: None)
    moderate_collected(settings, site.content, POLICY, say=lambda _: None)
    run = subprocess.run(
        [
            sys.executable,
            "-m",
            "invoke",
            "moderate",
            "decide",
            f"facebook:{comment}",
            "hide",
            "--reason",
            "An advertisement",
            "--who",
            "Records Officer",
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
        env={**os.environ, **env},
    )
    assert run.returncode == 0, run.stdout + run.stderr
    assert f"facebook:{comment} hide by Records Officer: applied" in run.stdout
    assert "--category commercial: the one category the classifier found" in run.stdout
    assert sandboxes.facebook.comments[comment]["is_hidden"] is True
    assert "moderate:" not in run.stdout  # `moderate` itself did not run a second pass


def test_a_hide_without_a_category_asks_which_when_the_classifier_found_several(
    site: Site, sandboxes: Sandboxes
) -> None:
    """A hide is recorded under one of the policy's reasons. Without `--category`, one the
    classifier found in two categories was recorded under the first, whichever the reviewer
    meant: now they are asked which, and nothing is applied. With one category found, the hide
    is recorded under it, and `decide` says so."""
    site.add("2026-11-20-flushing")
    settings = site.syndicate_to(sandboxes)
    post = next(iter(sandboxes.facebook.posts))
    both = sandboxes.facebook.add_comment(post, "You idiots, women should not be on council")
    vote = sandboxes.facebook.add_comment(post, "Vote Smith for council!")
    collect(settings, site.content, say=lambda _: None)
    moderate_collected(settings, site.content, POLICY, say=lambda _: None)
    log = ModerationLog(site.root / "records")
    assert log.statuses()[("facebook", both)].categories == ["derogatory", "discriminatory"]
    classified = list(log.chain.events())
    with pytest.raises(DecisionError) as asked:
        decide(settings, site.content, both, "hide", "A slur", "Reviewer")
    assert str(asked.value) == (
        "--category: the classifier found derogatory, discriminatory; give the one the hide is for"
    )
    assert not sandboxes.facebook.comments[both]["is_hidden"]
    assert list(log.chain.events()) == classified
    said: list[str] = []
    reason = "Keeps women out of office"
    hide = decide(
        settings, site.content, both, "hide", reason, "Reviewer", "discriminatory", said.append
    )
    assert hide == "applied" and said == []
    *_, decision = log.chain.events()
    assert (decision["comment_id"], decision["category"]) == (both, "discriminatory")

    assert decide(settings, site.content, vote, "hide", "Campaigning", "Reviewer", say=said.append)
    *_, decision = log.chain.events()
    assert (decision["comment_id"], decision["category"]) == (vote, "political")
    assert said == ["--category political: the one category the classifier found"]


def reviewer_hides(settings: Settings, site: Site, comment: str) -> None:
    """A reviewer hides `comment` (platform:id) as campaigning, and the platform applies it."""
    reason, who = "Campaigning for a candidate", "Communications Coordinator"
    assert decide(settings, site.content, comment, "hide", reason, who) == "applied"


def test_a_youtube_comment_hidden_by_a_reviewer_is_rejected_and_not_taken_for_deleted(
    site: Site, sandboxes: Sandboxes
) -> None:
    site.add("2026-11-21-tour", title="Tour the bridge deck", video=site.add_video(size=2048))
    settings = site.syndicate_to(sandboxes)
    video = next(iter(sandboxes.youtube.videos))
    thread = sandboxes.youtube.add_comment(video, "Vote for Singh for council!", "Sam Fictional")
    collect(settings, site.content, say=lambda _: None)
    moderate_collected(settings, site.content, POLICY, say=lambda _: None)
    reviewer_hides(settings, site, f"youtube:{thread}")
    status = sandboxes.youtube.threads[thread]["snippet"]["topLevelComment"]["snippet"]
    assert status["moderationStatus"] == "rejected"
    totals, _ = collect(settings, site.content, say=lambda _: None)
    assert totals["youtube"].deleted == 0
    last = list(ModerationLog(site.root / "records").chain.events())[-1]
    assert (last["category"], last["clause"]) == ("political", "Promotion of political candidates")


def test_a_comment_youtube_holds_waits_for_a_person_and_only_they_publish_it(
    site: Site, sandboxes: Sandboxes
) -> None:
    """A comment YouTube holds back is not public: keeping it would leave it unseen for good,
    and publishing it is the City's decision. However harmless its text, it goes to review."""
    site.add("2026-11-21-tour", title="Tour the bridge deck", video=site.add_video(size=2048))
    settings = site.syndicate_to(sandboxes)
    video = next(iter(sandboxes.youtube.videos))
    held = sandboxes.youtube.add_comment(
        video, "Great video of the deck", moderation_status="heldForReview"
    )
    collect(settings, site.content, say=lambda _: None)
    counts = moderate_collected(settings, site.content, POLICY, say=lambda _: None)
    assert counts == {"keep": 0, "review": 1, "hide": 0, "failed": 0, "held": 0, "refused": 0}
    status = ModerationLog(site.root / "records").statuses()[("youtube", held)]
    assert status.awaiting_review and status.why_review == ["held_by_platform"]
    assert "heldForReview" in status.evidence["held_by_platform"]["reason"]
    snippet = sandboxes.youtube.threads[held]["snippet"]["topLevelComment"]["snippet"]
    assert snippet["moderationStatus"] == "heldForReview"  # the program never publishes it
    assert f"youtube:{held}" in write_report(site.root / "records").read_text()

    reason = "Praise for the video; nothing against the policy"
    assert decide(settings, site.content, f"youtube:{held}", "keep", reason, "Reviewer") == (
        "applied"
    )
    assert snippet["moderationStatus"] == "published"
    totals, _ = collect(settings, site.content, say=lambda _: None)
    assert (totals["youtube"].unchanged, totals["youtube"].deleted) == (1, 0)


def test_a_facebook_comment_that_is_only_a_photo_or_sticker_waits_for_a_person(
    site: Site, sandboxes: Sandboxes
) -> None:
    """The classifier reads text: a comment with none, only a photo, sticker or GIF, is not
    clean for want of words. A person looks at what it shows."""
    from tests.test_collect import fb_photo

    site.add("2026-11-20-flushing")
    settings = site.syndicate_to(sandboxes)
    fb = sandboxes.facebook
    post = next(iter(fb.posts))
    tub = "https://scontent.xx.fbcdn.net/v/t39/brown-water-in-my-tub.jpg"
    photo = fb.add_comment(post, "", "Jordan Park", attachment=fb_photo(tub))
    sticker = "https://scontent.xx.fbcdn.net/v/t39/thumbs-up.png"
    thanks = fb.add_comment(post, "Thanks for the notice!", attachment=fb_photo(sticker, "sticker"))
    collect(settings, site.content, say=lambda _: None)
    counts = moderate_collected(settings, site.content, POLICY, say=lambda _: None)
    assert counts == {"keep": 1, "review": 1, "hide": 0, "failed": 0, "held": 0, "refused": 0}
    statuses = ModerationLog(site.root / "records").statuses()
    assert statuses[("facebook", photo)].why_review == ["attachment_only"]
    assert statuses[("facebook", photo)].evidence["attachment_only"]["matched"] == [tub]
    assert not statuses[("facebook", thanks)].awaiting_review  # its words say what it is
    assert fb.comments[photo]["is_hidden"] is False


def test_an_author_deleting_a_comment_the_city_hid_is_recorded_where_hidden_stay_listed(
    site: Site, sandboxes: Sandboxes
) -> None:
    site.add("2026-11-20-flushing")
    settings = site.syndicate_to(sandboxes)
    post = next(iter(sandboxes.facebook.posts))
    tweet = next(iter(sandboxes.twitter.tweets))
    comments = {
        "facebook": sandboxes.facebook.add_comment(post, "Vote for Singh for council!", "Sam"),
        "twitter": sandboxes.twitter.add_reply(tweet, "Vote for Singh for council!"),
    }
    collect(settings, site.content, say=lambda _: None)
    moderate_collected(settings, site.content, POLICY, say=lambda _: None)
    for platform, comment in comments.items():
        reviewer_hides(settings, site, f"{platform}:{comment}")
    # Facebook lists a hidden comment (is_hidden: true), X search a hidden reply: still there.
    totals, _ = collect(settings, site.content, say=lambda _: None)
    assert (totals["facebook"].deleted, totals["twitter"].deleted) == (0, 0)

    sandboxes.facebook.delete_comment(comments["facebook"])  # now their authors delete them
    sandboxes.twitter.delete_reply(comments["twitter"])
    totals, _ = collect(settings, site.content, say=lambda _: None)
    assert (totals["facebook"].deleted, totals["twitter"].deleted) == (1, 1)
    state = CommentArchive(site.root / "records").state()
    assert all(state[(platform, c)].deleted for platform, c in comments.items())


@pytest.mark.parametrize("platform", ["facebook", "twitter"])
def test_a_deleted_comment_leaves_the_queue_and_is_not_decided_on_the_platform(
    site: Site, sandboxes: Sandboxes, platform: str
) -> None:
    site.add("2026-11-20-flushing")
    settings = site.syndicate_to(sandboxes)
    fb, x = sandboxes.facebook, sandboxes.twitter
    text = "Vote for Singh for council!"
    if platform == "facebook":
        comment = fb.add_comment(next(iter(fb.posts)), text)
    else:
        comment = x.add_reply(next(iter(x.tweets)), text)
    collect(settings, site.content, say=lambda _: None)
    moderate_collected(settings, site.content, POLICY, say=lambda _: None)
    fb.delete_comment(comment) if platform == "facebook" else x.delete_reply(comment)
    collect(settings, site.content, say=lambda _: None)

    key, records = f"{platform}:{comment}", site.root / "records"
    report = write_report(records).read_text()
    queue, after = report.split("Review queue")[1].split("Decisions taken")
    assert key not in queue and "1 awaiting review" not in report
    assert key in after.split("Deleted by its author before review")[1]
    assert not any(key in line for line in waiting(site.content, records, NOW).review)
    with pytest.raises(DecisionError, match=f"{key}: deleted by its author on "):
        decide(settings, site.content, key, "hide", "Campaigning", "Reviewer")
    assert [e["kind"] for e in ModerationLog(records).chain.events()] == ["classification"]
    # Nor would the platform hide what is gone (Graph answers code 100, X a 403).
    with pytest.raises(PlatformError, match=r"does not exist|only hide replies"):
        make_platforms(settings, site.content)[platform].hide_comment(comment, True)


def test_a_comment_awaiting_review_leaves_the_queue_once_its_facebook_post_is_withdrawn(
    site: Site, sandboxes: Sandboxes
) -> None:
    site.add("2026-11-20-flushing")
    settings = site.syndicate_to(sandboxes)
    fb = sandboxes.facebook
    comment = fb.add_comment(next(iter(fb.posts)), "Call me at 250-555-0199 about the leak")
    collect(settings, site.content, say=lambda _: None)
    moderate_collected(settings, site.content, POLICY, say=lambda _: None)
    records, key = site.root / "records", f"facebook:{comment}"
    assert any(key in line for line in waiting(site.content, records, NOW).review)

    # Withdrawn: Facebook deletes the post, and its comments with it. Nothing is left there to
    # keep or hide: as for a comment its author deleted, it leaves the queue and `decide`
    # refuses it without asking Graph; the records say how it went, not that its author
    # deleted it.
    site.add(
        "2026-11-20-flushing",
        status="withdrawn",
        withdrawn_reason="Postponed to spring.",
        modified="2026-11-23 10:00",
    )
    site.syndicate_to(sandboxes)
    assert fb.posts == {}
    # The withdrawal recorded the comment as removed with its post: collect has nothing to add.
    totals, _ = collect(settings, site.content, say=lambda _: None)
    assert "facebook" not in totals
    moderate_collected(settings, site.content, POLICY, say=lambda _: None)
    assert not any(key in line for line in waiting(site.content, records, NOW).review)
    report = write_report(records).read_text()
    assert key in report.split("Removed with the withdrawn post before review")[1]
    with pytest.raises(DecisionError, match=f"{key}: removed with the withdrawn post on "):
        decide(settings, site.content, key, "keep", "Not personal information", "Reviewer")
    assert [e["kind"] for e in ModerationLog(records).chain.events()] == ["classification"]
    # Nor would Graph hide a comment of a deleted post: it answers that it does not exist.
    with pytest.raises(PlatformError, match="does not exist"):
        make_platforms(settings, site.content)["facebook"].hide_comment(comment, True)


def test_a_hide_of_a_comment_whose_post_was_deleted_on_facebook_is_final_once_graph_says_so(
    site: Site, sandboxes: Sandboxes
) -> None:
    """Graph answers "does not exist" (100, subcode 33) for a comment deleted with its post on
    facebook.com and for a Page token that lost its permissions alike. Asked about the post
    and the Page's feed with the same token, it tells them apart: the feed answers, the post does
    not, so the post is gone, and the comment with it. The comment is recorded as removed
    with its post, as a withdrawn post's comments are, said once, and no run fails on it or
    sends it again."""
    settings, spam = spam_collected(site, sandboxes)
    fb, records = sandboxes.facebook, site.root / "records"
    post = next(iter(fb.posts))
    other = fb.add_comment(post, "Call me at 250-555-0199 about the leak")
    collect(settings, site.content, say=lambda _: None)
    fb.inject("server_error", method="POST", path=spam, status=503)
    moderate_collected(settings, site.content, POLICY, say=lambda _: None)  # other: for review
    # By hand, on facebook.com, after the last collect (which would have recorded the
    # post's comments as removed with it, leaving nothing to hide).
    fb.delete_post(post)
    said: list[str] = []
    failed = []
    before = len(fb.requests)
    for _ in range(2):
        counts = moderate_collected(settings, site.content, POLICY, say=said.append)
        failed.append(counts["failed"])
    asked = fb.requests[before:]
    assert failed == [0, 0]
    hides = [r for r in fb.requests if r == ("POST", f"/v24.0/{spam}")]
    assert len(hides) == 2  # the one the 503 refused, then one: final, not sent again
    # The post and the Page's feed asked about once, with the same token.
    assert asked.count(("GET", f"/v24.0/{post}")) == 1
    assert asked.count(("GET", f"/v24.0/{fb.page_id}/feed")) == 1
    gone = [line for line in said if spam in line]
    assert len(gone) == 1 and REMOVED_WITH_DELETED_POST in gone[0]
    assert "failed" not in said[-1] and "failed" not in said[-2]
    state = CommentArchive(records).state()
    # Every comment of the post went with it, recorded so (not as its author's deletion).
    assert state[("facebook", spam)].removal == REMOVED_WITH_DELETED_POST
    assert state[("facebook", other)].removal == REMOVED_WITH_DELETED_POST
    status = ModerationLog(records).statuses()[("facebook", spam)]
    assert not status.hidden and REMOVED_WITH_DELETED_POST in (status.failed or "")
    report = write_report(records).read_text()
    assert "Removed with the post deleted on the platform before review" in report
    with pytest.raises(DecisionError, match=f"facebook:{other}: {REMOVED_WITH_DELETED_POST} on "):
        decide(settings, site.content, f"facebook:{other}", "keep", "Asks a question", "Reviewer")
    # Collect, finding the post gone, records none of them removed again.
    totals, _ = collect(settings, site.content, say=lambda _: None)
    assert "facebook" not in totals


def test_a_hide_graph_answers_does_not_exist_for_a_token_without_permissions_stays_a_failure(
    site: Site, sandboxes: Sandboxes
) -> None:
    """The Page's feed refused to the token too: it lost its permissions, and the post may
    well be there. The hide is never given up on (a comment the policy removes would stay
    public while every run exits 0): a failure every run tries again, telling the CEC to
    check the token's permissions; nothing is recorded as removed."""
    settings, spam = spam_collected(site, sandboxes)
    fb, records = sandboxes.facebook, site.root / "records"
    fb.revoke_permissions()
    said: list[str] = []
    failed = []
    for _ in range(2):
        counts = moderate_collected(settings, site.content, POLICY, say=said.append)
        failed.append(counts["failed"])
    assert failed == [1, 1]
    hides = [r for r in fb.requests if r == ("POST", f"/v24.0/{spam}")]
    assert len(hides) == 2
    status = ModerationLog(records).statuses()[("facebook", spam)]
    assert not status.hidden and "does not exist" in (status.failed or "")
    assert "check the permissions of FACEBOOK_PAGE_ACCESS_TOKEN" in (status.failed or "")
    assert any("check the permissions of FACEBOOK_PAGE_ACCESS_TOKEN" in line for line in said)
    assert not CommentArchive(records).state()[("facebook", spam)].deleted

    fb.revoke_permissions(False)  # given back: the next run hides it
    counts = moderate_collected(settings, site.content, POLICY, say=lambda _: None)
    assert (counts["hide"], counts["failed"]) == (1, 0)
    assert fb.comments[spam]["is_hidden"] is True


def test_a_platforms_limit_holds_its_hides_back_for_the_next_run_asking_it_once(
    site: Site, sandboxes: Sandboxes
) -> None:
    """Throttled, Graph refuses every call for an hour: the first hide meets the limit, the
    rest are not sent (each would be refused, and logged, the same way), none is a failure,
    and the next run after the limit hides them all."""
    settings, first = spam_collected(site, sandboxes)
    fb = sandboxes.facebook
    second = fb.add_comment(next(iter(fb.posts)), SPAM.replace("$500", "$700"))
    collect(settings, site.content, say=lambda _: None)
    fb.inject("rate_limit", method="POST", times=100, reset_after=3600)
    said: list[str] = []
    counts = moderate_collected(settings, site.content, POLICY, say=said.append)
    hides = [r for r in fb.requests if r[0] == "POST" and r[1].endswith((first, second))]
    assert len(hides) == 1
    assert (counts["held"], counts["failed"], counts["hide"]) == (2, 0, 0)
    assert "not applied yet: the platform's limit is used up" in said[0]
    assert said[-1].endswith("2 hide(s) held back by a platform's limit (the next run)")

    with fb.lock:
        fb.faults.clear()
    counts = moderate_collected(settings, site.content, POLICY, say=lambda _: None)
    assert (counts["held"], counts["failed"], counts["hide"]) == (0, 0, 2)
    statuses = ModerationLog(site.root / "records").statuses()
    assert statuses[("facebook", first)].hidden and statuses[("facebook", second)].hidden


def test_a_platform_that_refused_the_credentials_is_sent_no_more_hides_in_the_run(
    site: Site, sandboxes: Sandboxes
) -> None:
    """A Page token Graph refuses is refused for every hide: the first hide fails naming the
    token, once; the rest are not sent (each would be refused, and logged, the same way),
    wait for the next run as a limit's do, and the run still fails."""
    settings, first = spam_collected(site, sandboxes)
    fb = sandboxes.facebook
    second = fb.add_comment(next(iter(fb.posts)), SPAM.replace("$500", "$700"))
    collect(settings, site.content, say=lambda _: None)
    env = {**sandboxes.env, "RECORDS_DIR": str(site.root / "records")}
    expired = load_settings({**env, "FACEBOOK_PAGE_ACCESS_TOKEN": "sandbox-expired-token"})
    said: list[str] = []
    counts = moderate_collected(expired, site.content, POLICY, say=said.append)
    hides = [r for r in fb.requests if r[0] == "POST" and r[1].endswith((first, second))]
    assert len(hides) == 1
    assert (counts["failed"], counts["refused"], counts["hide"]) == (1, 1, 0)
    assert len([line for line in said if "FACEBOOK_PAGE_ACCESS_TOKEN" in line]) == 1
    assert "1 hide(s) not sent: a platform refused the credentials (the next run)" in said[-1]

    counts = moderate_collected(settings, site.content, POLICY, say=lambda _: None)
    assert (counts["failed"], counts["refused"], counts["hide"]) == (0, 0, 2)
    statuses = ModerationLog(site.root / "records").statuses()
    assert statuses[("facebook", first)].hidden and statuses[("facebook", second)].hidden


def hides_left_unrecorded(site: Site, sandboxes: Sandboxes) -> tuple[Settings, list[str]]:
    """Two Facebook comments, each with a hide sent but never recorded: the classifier's, and
    a reviewer's, by runs stopped mid-call on two machines whose records were then joined.
    Returns (settings, their ids)."""
    settings, spam = spam_collected(site, sandboxes)
    fb = sandboxes.facebook
    rude = fb.add_comment(next(iter(fb.posts)), "Vote Smith for council, you idiots")
    collect(settings, site.content, say=lambda _: None)
    log = ModerationLog(site.root / "records")
    decision = classify(spam, SPAM, "", POLICY)
    log.classified("facebook", 1, decision)
    log.intend("facebook", spam, "hide", CLASSIFIER, decision.evidence["spam"]["reason"], "spam")
    log.classified("facebook", 1, classify(rude, "Vote Smith for council, you idiots", "", POLICY))
    log.intend("facebook", rude, "hide", "Records Officer", "Campaigning", "political")
    assert len([s for s in log.statuses().values() if s.intent is not None]) == 2
    return settings, [spam, rude]


def test_a_platforms_limit_holds_back_the_hides_a_stopped_run_left_unrecorded_too(
    site: Site, sandboxes: Sandboxes
) -> None:
    """The first hide sent again meets Graph's limit: the other is not sent in that run (it
    would be refused the same way), is counted held back once, and stays to be settled by
    the next run, which hides both."""
    settings, ids = hides_left_unrecorded(site, sandboxes)
    fb = sandboxes.facebook
    fb.inject("rate_limit", method="POST", times=100, reset_after=3600)
    before = len(fb.requests)
    said: list[str] = []
    counts = moderate_collected(settings, site.content, POLICY, say=said.append)
    assert len([r for r in fb.requests[before:] if r[0] == "POST"]) == 1, fb.requests[before:]
    assert (counts["held"], counts["failed"], counts["hide"]) == (2, 0, 0), said
    assert said[-1].endswith("2 hide(s) held back by a platform's limit (the next run)")
    statuses = ModerationLog(site.root / "records").statuses()
    assert len([i for i in ids if statuses[("facebook", i)].intent is not None]) == 1

    with fb.lock:
        fb.faults.clear()
    counts = moderate_collected(settings, site.content, POLICY, say=lambda _: None)
    assert (counts["held"], counts["failed"], counts["hide"]) == (0, 0, 2)
    statuses = ModerationLog(site.root / "records").statuses()
    assert all(statuses[("facebook", i)].hidden for i in ids)
    assert all(fb.comments[i]["is_hidden"] for i in ids)


def test_a_platform_refusing_the_credentials_is_not_sent_the_other_hides_a_stopped_run_left(
    site: Site, sandboxes: Sandboxes
) -> None:
    """The first hide sent again is refused the credentials (Graph's code 190): it fails, once,
    and the other is not sent in that run, counted not sent, and settled by the next run."""
    settings, ids = hides_left_unrecorded(site, sandboxes)
    fb = sandboxes.facebook
    env = {**sandboxes.env, "RECORDS_DIR": str(site.root / "records")}
    expired = load_settings({**env, "FACEBOOK_PAGE_ACCESS_TOKEN": "sandbox-expired-token"})
    before = len(fb.requests)
    said: list[str] = []
    counts = moderate_collected(expired, site.content, POLICY, say=said.append)
    assert len([r for r in fb.requests[before:] if r[0] == "POST"]) == 1, fb.requests[before:]
    assert (counts["failed"], counts["refused"], counts["hide"]) == (1, 1, 0), said
    assert len([line for line in said if "FACEBOOK_PAGE_ACCESS_TOKEN" in line]) == 1
    assert "1 hide(s) not sent: a platform refused the credentials (the next run)" in said[-1]
    statuses = ModerationLog(site.root / "records").statuses()
    assert len([i for i in ids if statuses[("facebook", i)].intent is not None]) == 1

    counts = moderate_collected(settings, site.content, POLICY, say=lambda _: None)
    assert (counts["failed"], counts["refused"], counts["hide"]) == (0, 0, 2)
    statuses = ModerationLog(site.root / "records").statuses()
    assert all(statuses[("facebook", i)].hidden for i in ids)


def a_keep_left_unrecorded_after_the_hides(
    site: Site, sandboxes: Sandboxes
) -> tuple[Settings, list[str], str]:
    """`hides_left_unrecorded`, and after them a comment a reviewer decided to keep (shown
    again), also sent by a run stopped mid-call: (settings, the hides' ids, the keep's id)."""
    settings, hides = hides_left_unrecorded(site, sandboxes)
    fb = sandboxes.facebook
    text = "Third flushing this year. Poor planning."
    kept = fb.add_comment(next(iter(fb.posts)), text)
    collect(settings, site.content, say=lambda _: None)
    log = ModerationLog(site.root / "records")
    log.classified("facebook", 1, classify(kept, text, "", POLICY))
    log.intend("facebook", kept, "keep", "Records Officer", "Criticism of the City", None)
    return settings, hides, kept


def test_a_reviewers_keep_a_platforms_limit_holds_back_is_counted_as_a_keep_not_a_hide(
    site: Site, sandboxes: Sandboxes
) -> None:
    """The summary counted every decision held back as a hide, a reviewer's keep (showing a
    comment again) too: it now says how many of each."""
    settings, hides, kept = a_keep_left_unrecorded_after_the_hides(site, sandboxes)
    fb = sandboxes.facebook
    fb.inject("rate_limit", method="POST", times=100, reset_after=3600)
    said: list[str] = []
    counts = moderate_collected(settings, site.content, POLICY, say=said.append)
    assert (counts["held"], counts["failed"], counts["hide"]) == (3, 0, 0), said
    assert said[-1].endswith(
        "2 hide(s) and 1 keep(s) held back by a platform's limit (the next run)"
    ), said

    with fb.lock:
        fb.faults.clear()
    counts = moderate_collected(settings, site.content, POLICY, say=lambda _: None)
    assert (counts["held"], counts["failed"], counts["hide"]) == (0, 0, 2)
    statuses = ModerationLog(site.root / "records").statuses()
    assert all(statuses[("facebook", i)].hidden for i in hides)
    status = statuses[("facebook", kept)]
    assert (status.decision, status.decided_by, status.intent) == ("keep", "Records Officer", None)


def test_a_reviewers_keep_not_sent_to_a_platform_refusing_the_credentials_is_counted_a_keep(
    site: Site, sandboxes: Sandboxes
) -> None:
    """The first decision sent again (the classifier's hide) is refused the credentials; of
    the two not sent, the reviewer's keep is counted as a keep, not a hide."""
    a_keep_left_unrecorded_after_the_hides(site, sandboxes)
    env = {**sandboxes.env, "RECORDS_DIR": str(site.root / "records")}
    expired = load_settings({**env, "FACEBOOK_PAGE_ACCESS_TOKEN": "sandbox-expired-token"})
    said: list[str] = []
    counts = moderate_collected(expired, site.content, POLICY, say=said.append)
    assert (counts["failed"], counts["refused"], counts["hide"]) == (1, 2, 0), said
    assert said[-1].endswith(
        ", 1 hide(s) and 1 keep(s) not sent: a platform refused the credentials (the next run)"
        ", 1 decision(s) failed on the platform (named above)"
    ), said


def test_replies_to_a_youtube_comment_the_city_hid_are_not_taken_for_deleted(
    site: Site, sandboxes: Sandboxes
) -> None:
    site.add("2026-11-21-tour", title="Tour the bridge deck", video=site.add_video(size=2048))
    settings = site.syndicate_to(sandboxes)
    video = next(iter(sandboxes.youtube.videos))
    thread = sandboxes.youtube.add_comment(video, "Vote for Singh for council!", "Sam Fictional")
    reply = sandboxes.youtube.add_reply(thread, "Where does the tour start?", "Pat Fictional")
    collect(settings, site.content, say=lambda _: None)
    moderate_collected(settings, site.content, POLICY, say=lambda _: None)
    reviewer_hides(settings, site, f"youtube:{thread}")
    # The rejected comment's thread, Pat's reply with it, is no longer listed: nobody deleted it.
    totals, _ = collect(settings, site.content, say=lambda _: None)
    assert totals["youtube"].deleted == 0
    assert not CommentArchive(site.root / "records").state()[("youtube", reply)].deleted

    assert (
        decide(settings, site.content, f"youtube:{thread}", "keep", "Not campaigning", "Reviewer")
        == "applied"
    )
    totals, _ = collect(settings, site.content, say=lambda _: None)
    assert (totals["youtube"].unchanged, totals["youtube"].deleted) == (2, 0)


def test_the_citys_own_answers_are_kept_as_records_and_never_moderated(
    site: Site, sandboxes: Sandboxes
) -> None:
    from tests.test_collect import posted

    ids, settings = posted(site, sandboxes)
    # Each answer links elsewhere, which in a resident's comment would go for review.
    answer = "Yes: the RDKB's notice is at https://www.rdkb.com/notices/flushing"
    fb_question = sandboxes.facebook.add_comment(ids["facebook"], "Is Glenmerry included?")
    fb_answer = sandboxes.facebook.add_comment(
        ids["facebook"], answer, "City of Trail", parent=fb_question, by_page=True
    )
    x_question = sandboxes.twitter.add_reply(ids["twitter"], "Is Glenmerry included?")
    x_answer = sandboxes.twitter.add_reply(x_question, answer, author=sandboxes.twitter.user_id)
    thread = sandboxes.youtube.add_comment(ids["youtube"], "Is Glenmerry included?")
    yt_answer = sandboxes.youtube.add_reply(thread, answer, "City of Trail", by_channel=True)
    collect(settings, site.content, say=lambda _: None)
    state = CommentArchive(site.root / "records").state()
    ours = {("facebook", fb_answer), ("twitter", x_answer), ("youtube", yt_answer)}
    assert {key for key, comment in state.items() if comment.by_city} == ours

    moderate_collected(settings, site.content, POLICY, say=lambda _: None)
    classified = set(ModerationLog(site.root / "records").statuses())
    assert classified == set(state) - ours  # every resident's comment, none of the City's


def test_decide_says_what_a_collected_comment_it_cannot_decide_on_is(
    site: Site, sandboxes: Sandboxes
) -> None:
    """`decide` answered "no collected comment has this id" for comments that are collected:
    the City's own answer, never moderated, and a comment collected since the last `invoke
    moderate`, not classified yet. It says which, and applies and records nothing."""
    site.add("2026-11-20-flushing")
    settings = site.syndicate_to(sandboxes)
    post = next(iter(sandboxes.facebook.posts))
    question = sandboxes.facebook.add_comment(post, "When does the flushing start?")
    answer = sandboxes.facebook.add_comment(
        post, "Monday at 10, see trail.ca", "City of Trail", parent=question, by_page=True
    )
    collect(settings, site.content, say=lambda _: None)
    moderate_collected(settings, site.content, POLICY, say=lambda _: None)
    log = ModerationLog(site.root / "records")
    classified = list(log.chain.events())
    with pytest.raises(DecisionError) as ours:
        decide(settings, site.content, answer, "hide", "A mistake", "Reviewer", "off_topic")
    assert str(ours.value) == f"facebook:{answer} is the City's own answer: never moderated"
    new = sandboxes.facebook.add_comment(post, "Is Glenmerry included?")
    collect(settings, site.content, say=lambda _: None)
    with pytest.raises(DecisionError) as unclassified:
        decide(settings, site.content, f"facebook:{new}", "keep", "Fine", "Reviewer")
    assert str(unclassified.value) == (
        f"facebook:{new} is collected but not classified yet: run `invoke moderate` first"
    )
    with pytest.raises(DecisionError, match="no collected comment has this id"):
        decide(settings, site.content, "facebook:1234_5678", "keep", "Fine", "Reviewer")
    assert not any(c["is_hidden"] for c in sandboxes.facebook.comments.values())
    assert list(log.chain.events()) == classified


def test_moderate_refuses_to_write_its_decisions_over_its_input(tmp_path: Path) -> None:
    source, same = tmp_path / "comments.jsonl", tmp_path / "." / "comments.jsonl"
    comments = json.dumps({"id": "a", "text": "When is my street plowed?"}) + "\n"
    source.write_text(comments)
    run = subprocess.run(
        [sys.executable, "-m", "invoke", "moderate", "--input", str(source), "--output", str(same)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    assert run.returncode == 2
    assert run.stderr.strip() == (
        f"moderate: {same}: the output would overwrite the input; give another file"
    )
    assert source.read_text() == comments


FIRST = b'{"id": "z", "text": "A good first line"}\n'


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (None, "comments.jsonl: cannot read it (No such file or directory)"),
        (FIRST + b'{"id": "a", "text": "\xff\xfe"}\n', "comments.jsonl:2: not UTF-8 text"),
        (FIRST + b'\n{"id": "a", "text": 5}\n', "comments.jsonl:3: text: expected text, not 5"),
        (
            FIRST + b'{"id": "a", "text": "Hi", "post_text": ["x"]}\n',
            'comments.jsonl:2: post_text: expected text, not ["x"]',
        ),
        (FIRST + b'["a", "Hi"]\n', "comments.jsonl:2: expected JSON with id and text ("),
    ],
)
def test_a_bad_comments_file_is_named_with_its_line_and_leaves_the_decisions_as_they_were(
    tmp_path: Path, content: bytes | None, message: str
) -> None:
    source, target = tmp_path / "comments.jsonl", tmp_path / "decisions.jsonl"
    if content is not None:
        source.write_bytes(content)
    target.write_text("earlier decisions\n")
    with pytest.raises(Exit) as stopped:
        tasks.moderate(Context(), input=str(source), output=str(target))
    assert stopped.value.code == 2
    assert str(stopped.value.message).startswith(f"moderate: {tmp_path}/{message}")
    assert target.read_text() == "earlier decisions\n"
    assert {p.name for p in tmp_path.iterdir()} - {source.name} == {target.name}  # no leftovers


def test_a_pattern_is_listed_once_and_its_match_is_evidence_once() -> None:
    with pytest.raises(ValueError, match="listed twice"):
        _patterns(r"\\btorrent\\b", r"\\bcracked\\b", r"\\btorrent\\b")
    result = classify("c1", "Copyrighted footage, reposted", "Trail Smoke Eaters game", POLICY)
    assert [m.lower() for m in result.evidence["ip_violation"]["matched"]] == ["copyrighted"]


def test_a_labelled_set_line_is_named_as_an_editor_numbers_it(tmp_path: Path) -> None:
    """A comment may hold a line separator (U+2028) or a form feed; only a line feed ends a
    line in an editor, so the error after it must name the line the editor shows."""
    labelled = tmp_path / "labelled.txt"
    labelled.write_text(
        "# A note\u2028continued\n- | Thanks for the notice\x0c!\nspam | \n", encoding="utf-8"
    )
    with pytest.raises(ValueError, match=r"labelled.txt:3: "):
        load_labelled(labelled)
