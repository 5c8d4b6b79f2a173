"""Classifying comments against the nine reasons of the City's social media policy.

Transparent on purpose: word lists (policy/wordlists/), patterns, link and sponsor rules, and
relevance to the post. Every category comes with its evidence (what matched and why) and the
policy clause. The action is `hide` only where the evidence is strong and policy/moderation.yml
allows hiding for that category; anything else found goes to `review`; nothing is deleted.
Criticism of the City is not a category, so it is never a reason.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Collection, Iterable
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from archive.index import APOSTROPHES
from checks.lint import (
    CAPITAL,
    EMAIL,
    PERSONAL_PHONE,
    SMALL,
    WORDLIST_MEANINGS,
    LintConfigError,
    phone_key,
    street_addresses,
)
from checks.lint import Policy as LintPolicy
from checks.policy_file import read_mapping

from .function_words import FRENCH_STOPWORDS, STOPWORDS
from .terms import CATEGORIES

CLAUSES = {
    "off_topic": "Comments not relevant to the particular posting",
    "derogatory": "Slanderous or derogatory remarks, obscenities, profane language or "
    "sexual content",
    "discriminatory": "Content that endorses, promotes, or perpetuates discrimination",
    "commercial": "Promotion of commercial services or products other than sponsors, "
    "affiliations, or business partnerships",
    "political": "Promotion of political candidates",
    "illegal": "Promotion of illegal activity",
    "spam": "Spam or irrelevant external links",
    "public_safety": "Information that may compromise the safety or security of the public or "
    "public systems",
    "ip_violation": "Content that violates a legal ownership interest of any other party",
}
# What each word list is evidence of (policy/wordlists/README.md): obscenities are derogatory
# enough to hide where policy/moderation.yml allows, slurs discriminatory; insults.txt, and any
# list the City adds, put a comment before a person as a derogatory remark.
OBSCENE_LISTS = tuple(name for name, is_ in WORDLIST_MEANINGS.items() if is_ == "obscene")
SLUR_LISTS = tuple(name for name, is_ in WORDLIST_MEANINGS.items() if is_ == "slur")
# What policy/moderation.yml may let the classifier do for each category.
ALLOWED = ("review", "hide")


class PolicyError(ValueError):
    """policy/moderation.yml or policy/sponsors.yml is malformed; the message names the file,
    the field and what was expected."""


# The patterns ignore case; where a capital means a name ("vote Singh", not "vote in"), they
# say so with (?-i:...), a capital of any alphabet ("Elect Émile"). They spell "don't" with a
# straight apostrophe: a comment is read as a PC types it (see `as_typed_on_a_pc`).
def _patterns(*expressions: str) -> list[re.Pattern[str]]:
    # A pattern listed twice would put its match in the evidence a reviewer reads twice.
    repeated = sorted({e for e in expressions if expressions.count(e) > 1})
    if repeated:
        raise ValueError(f"moderation patterns listed twice: {repeated}")
    return [re.compile(e, re.IGNORECASE) for e in expressions]


# A link ends before the punctuation that ends its sentence ("the budget is at
# https://www.trail.ca."): the full stop, comma, "!" or quote is the writer's, not the link's.
# Without a scheme, its host is read to its end ("trailsmokeeaters.com.evil.ca" is evil.ca's),
# and one that goes on past it ("trailsmokeeaters.com-evil.ca") is no link of that name.
URL = re.compile(
    r"(?:https?://|www\.)[^\s)]*[^\s).,;:!?'\"’”]"
    r"|\b[a-z0-9-]+\.(?:com|net|org|biz|info|io|co|xyz|shop|ly)(?:\.[a-z0-9-]+)*(?![\w-])"
    r"(?:/\S*)?\b",
    re.IGNORECASE,
)
# The writer promoting their own business: never a sponsor's promotion, whichever sponsor the
# sentence names ("our shop offers 20% off for Teck employees").
OWN_BUSINESS = _patterns(
    r"\b(dm|message|text|call) (me|us) for\b",
    r"\bcheck out (my|our) (shop|store|business|page|website|services?)\b",
    r"\b(my|our) (shop|store|company|business) (offers|sells|does|has)\b",
    r"\bwe (offer|sell|install|deliver)\b",
)
COMMERCIAL = OWN_BUSINESS + _patterns(
    r"\b\d{1,2}\s?% off\b",
    r"\bpromo code\b",
    r"\bdiscount\b",
    r"\bbest prices?\b",
    r"\bfree (estimate|quote|consultation|shipping)\b",
    r"\bon sale\b",
    r"\bbook (now|today)\b",
    r"\bfor hire\b",
    r"\blowest price\b",
    r"\bcoupon\b",
)
# Where a sentence ends: promotional wording is about the sponsor named in its own sentence.
SENTENCE_END = re.compile(r"(?<=[.!?])\s+|\n")
POLITICAL = _patterns(
    # A vote cast for someone: by name, or for an office ("vote for me for council"). Not one
    # withheld ("I didn't vote for Smith"), a verdict on those in office ("nobody will vote
    # for this council again") or an answer to a question on the ballot ("Vote No").
    r"(?<!n't )(?<!not )(?<!never )\bvote (for )?"
    rf"(?:(?!(?-i:Yes|No)\b)(?-i:{CAPITAL}{SMALL}+)\b"
    r"|(\w+ ){1,3}?for (mayor|council(l?or)?|mla|mp)\b)",
    r"\bre-?elect\b",
    # A candidate's slogan ("Kerr 4 council!", "Tremblay for mayor."), not a thank-you ("Thanks
    # for council approving it") nor a vote withheld ("I didn't vote for Smith for mayor").
    rf"(?<!for )(?<!vote )\b(?-i:{CAPITAL}{SMALL}+) (?:4|for) (mayor|council(l?or)?|mla|mp)\b"
    r"(?=\s*(?:[!.,;#]|$|\d|this|in|on|again))",
    r"\belect (\w+ ){1,3}?for (mayor|council(l?or)?|mla|mp)\b",
    rf"\belect (?-i:{CAPITAL})\w+",
    r"\b(my|his|her|their) campaign\b",
    r"\bcandidate\b",
    r"\b(support|endorse)\s+\w+\s+for (mayor|council)",
    r"#vote\w*",
    r"\bon the ballot\b",
    r"\blawn signs?\b",
)
ILLEGAL = _patterns(
    r"\b(selling|buy|buying|got)\b.{0,20}\b(weed|pills|oxy|oxys|coke|meth|fentanyl|guns?)\b",
    r"\bfake (id|ids|licen[cs]e)\b",
    r"\b(break|breaking) into\b",
    r"\bstreet rac(e|ing)\b",
    r"\bspray paint\b.{0,30}\b(bridge|wall|building)\b",
    # Urging a theft ("Steal a few of those fittings", "just steal one"), not calling taxes
    # theft ("They steal our money").
    r"(?:^|[.!?]\s+|\b(?:go|just|let's|lets|you can|you could|you should|we should)\s+)steal\b",
    r"\bshoplift",
    r"\bdump (your|the) (garbage|trash|tires) (in|at|into)\b",
    # Nobody to enforce the law, said to urge a breach: "no one checks.", "no cops check after
    # midnight", "nobody will catch you"; not of someone or something checked or caught
    # ("nobody will catch the bus", "no one will check on seniors", "no cops check the speed
    # on Victoria St", a complaint).
    r"\b(no one|nobody|no cops|no police|no rcmp|no bylaw officers?) (will |would |ever )?"
    r"(checks?|catch(?:es)?)\b(?! (?:on|the|a|an|up|in|out|my|his|her|their|our|them|him|us)\b)",
    r"\bunder the table\b",
    r"\bdon't pay (the|your) (\w+ )?(fine|ticket|taxes)\b",
)
# Money as spam offers it: by the day, online, fast; not a salary ("earn $40,000 a year") or
# a fine ("make money off parking tickets").
BY_THE_DAY = r"(?: (?:a|per) (?:day|week)|/(?:day|week)| daily)\b"
EASILY = r" (?:online|fast|from home)\b"
# Spam's pitch: money to make, a prize to claim (a free coin too), a channel to subscribe to,
# the link in the spammer's profile. Alone, however much of it, it is for a person to judge;
# beside a link to an outside site it is spam.
SPAM = _patterns(
    rf"\bearn \$?[\d,]+{BY_THE_DAY}",
    r"\bwork from home\b.{0,40}\b(earn|\$|income|no experience)",
    r"\b(keto|diet) pills\b",
    rf"\bmake money{EASILY}",
    # A prize, not a congratulation: "Congratulations, you finished the railing" is a resident.
    r"\bcongratulations,? you(?:'ve| have)? (?:won|been (?:selected|chosen)|are (?:our|the|a) "
    r"(?:lucky )?winner)\b",
    r"\bclaim (your|a) (free \w+|prize|reward)\b",
    r"\bsubscribe to my\b",
    r"\blink in my profile\b",
)
# Spam's words that are also residents', criticising spending ("councillors earn $40,000 a
# year and all they do is make money off parking tickets", "stop the giveaway to
# consultants", "our reserves into crypto?") or sharing a contest ("win a free family pass"):
# beside a link they may be citing the news, so only a call to act on them makes them spam
# enough to hide ("Click here to win a free iPhone").
RESIDENTS_WORDS = _patterns(
    r"\b(bitcoin|crypto|forex|btc)\b",
    r"\bgiveaway\b",
    r"\b(win|won) an? free \w+",
    # Possessive: "earn $500 a day" is not "earn $50" here and a pitch above.
    rf"\bearn \$?[\d,]++(?!{BY_THE_DAY})",
    rf"\bmake money\b(?!{EASILY})",
)
# What spam asks the reader to do for the spammer: a message to send, an account to follow,
# a link to click (CLICKS). Residents ask it too ("DM me if you see her", "follow me for
# updates", "click here for the story"): it makes spam wording strong, and alone, however
# often it asks, it is for a person to judge.
SPAM_CALLS = _patterns(
    r"\bfollow (me|back)\b",
    # "DM me for pricing" is a business taking orders: commercial's, not spam's.
    r"\b(dm|inbox|whatsapp) me\b(?! for\b)",
)
# Counted as calls only where they send the reader off the allowed sites (`_calls_to_act`).
CLICKS = _patterns(r"\b(click|tap) (here|(the|this|my) link)\b")
# Long runs of one character ("aaaaaaaa", "!!!!!!!!") are a sign of spam, but also of emphasis
# ("Noooooooo", "Congratulations!!!!!!!!"): evidence for a person to weigh, never counted
# towards a hide.
REPEATED = _patterns(r"(.)\1{7,}")
SYSTEMS = r"(valve|hydrant|pump station|reservoir|substation|treatment plant)"
# Who a threat is against: "her" as a person, not as whose ("hurt her business").
PEOPLE = (
    r"(him|them|someone|somebody|anyone|"
    r"her(?=\s*(?:[.!?,;]|$)|\s+(?:if|when|and|or|tonight|today|now|again|badly|bad|so|too)\b)|"
    r"the (mayor|councill?ors?|workers?|crews?|flaggers?|staff|guy))"
)
SAFETY = _patterns(
    r"\b(gate|door|lock|access|alarm) code\b",
    r"\bpassword\b",
    rf"\b{SYSTEMS}\b.{{0,40}}\b(unlocked|open|unguarded|no one watches|easy to get)\b",
    rf"\b(unlocked|open|unguarded)\b.{{0,40}}\b{SYSTEMS}\b",
    r"\bbomb\b",
    # A threat is against a person: "kill the project" or "hurt the businesses" is criticism.
    rf"\b(shoot|kill|stab|hurt|beat up) {PEOPLE}\b",
    r"\bmake sure (someone|somebody|he|she|they) gets? hurt\b",
    r"\bunlocked\b.{0,60}\banyone (could|can)\b",
    r"\bburn (it|the \w+) down\b",
    r"\b(home|house) address of\b",
    r"\blives at \d+",
)
IP = _patterns(
    r"\bfull (movie|episode|game|album)\b",
    r"\bfree download\b",
    r"\btorrent\b",
    # Broken-into software, not a broken sidewalk.
    r"\bcracked (version|copy|app|software|game|stream|account)s?\b",
    r"\bpirated?\b",
    r"\bwatch (it )?free (here|at|on)\b",
    r"\bcopied (their|his|her) (logo|photo|design)\b",
    r"\bstream (it|the game) free\b",
    r"\bunofficial stream\b",
    r"\bcopyrighted\b",
)
GROUPS = (
    r"(immigrants|refugees|foreigners|natives|indians|muslims|jews|christians|gays|women|"
    r"seniors|old people|welfare bums|people on welfare|disabled people|homeless people)"
)
# What a sentence about a group says against it: that its people do not belong, should be
# kept out (of office or work too: not on council, not hired, not to run or vote) or put
# behind "us", or ruin things. A bare "should" or "can't" is as often a
# resident speaking up for them ("Seniors shouldn't have to walk across the bridge in the
# snow", "All seniors should get free transit").
EXCLUDES = (
    r"(don't|do not) belong|(shouldn't|should not|mustn't|must not) be allowed|"
    r"(should|must|need to) (be (banned|kept out|deported|sent back)|leave|go back|get out)|"
    r"(shouldn't|should not|mustn't|must not) (be (on|in) (council|office|charge|power|"
    r"government|the (police|board|crew|fire department))|be (hired|elected|promoted)|"
    r"run for|hold office|vote)|"
    r"can't be trusted|ruin(s|ed|ing)?|are (all )?(lazy|criminals|thieves|parasites|freeloaders)|"
    r"(before|ahead of|instead of) (locals|us)"
)
DISCRIMINATION = _patterns(
    r"\bgo back to (your|their) (own )?country\b",
    # "All those immigrants ... are ruining", or "Homeless people don't belong": one match.
    rf"\b(?:(all|those|these)\s+(\w+\s+)?{GROUPS}\b.{{0,60}}|{GROUPS}\s+)\b({EXCLUDES})\b",
    r"\bdon't hire (women|immigrants|old people|anyone on welfare)\b",
    r"\b(his|her|their) (race|religion|skin colou?r)\b.{0,40}\b(problem|why|because)\b",
)
# A question about the post ("Will the...?", "Can we...?") is on topic even in other words.
ASKS_THE_CITY = re.compile(
    r"^\s*(will|when|how|can|could|is|are|does|do|where|why)\b[^?]*\b(the|this|it|we|you|there)\b[^?]*\?",
    re.IGNORECASE,
)
# X starts a reply with the @usernames it answers: they address the reply, they are not what
# it says (and would make "@CityofTrail Will it snow?" a question about nothing).
ADDRESSED_TO = re.compile(r"^(?:\s*@\w+)+(?=\s|$)\s*")
# Words in any alphabet ("équipes", not "quipes"); the City's residents write in French too.
WORD = re.compile(r"[^\W\d_](?:[^\W\d_]|['’-])+")
# French elision: "l'équipe" is about "équipe", "c'est" is "est".
ELIDED = re.compile(r"^(?:[cdjlmnst]|qu)['’]")
# The City's subjects in French: a French comment on the post is on topic.
FRENCH_CIVIC = frozenset(
    [
        "aréna",
        "autobus",
        "bibliothèque",
        "bouchons",
        "chantier",
        "chemin",
        "circulation",
        "conseil",
        "conseillers",
        "déneigement",
        "détour",
        "eau",
        "eaux",
        "école",
        "égout",
        "égouts",
        "équipe",
        "équipes",
        "fermeture",
        "impôts",
        "maire",
        "mairie",
        "neige",
        "ordures",
        "parc",
        "piétons",
        "piscine",
        "pompiers",
        "pont",
        "quartier",
        "réparation",
        "réparations",
        "rue",
        "rues",
        "stationnement",
        "taxe",
        "travaux",
        "trottoir",
        "ville",
        "voie",
    ]
)
CIVIC = FRENCH_CIVIC | frozenset(
    (
        "province",
        "provincial",
        "report",
        "infrastructure",
        "tiles",
        "access",
        "arena",
        "avenue",
        "bay",
        "bikes",
        "booth",
        "bridge",
        "budget",
        "bus",
        "butler",
        "bylaw",
        "cedar",
        "christmas",
        "city",
        "cleanup",
        "closure",
        "columbia",
        "community",
        "construction",
        "contractor",
        "corner",
        "council",
        "crew",
        "crews",
        "cyclists",
        "dates",
        "delays",
        "driveway",
        "eaters",
        "election",
        "esplanade",
        "event",
        "events",
        "families",
        "fees",
        "fenced",
        "fire",
        "flagger",
        "fruitvale",
        "garbage",
        "glenmerry",
        "gyro",
        "hall",
        "hockey",
        "holiday",
        "jubilee",
        "kids",
        "lawn",
        "lessons",
        "library",
        "lights",
        "main",
        "mayor",
        "meeting",
        "meetings",
        "miral",
        "montrose",
        "municipal",
        "neighbour",
        "neighbourhood",
        "noise",
        "notice",
        "park",
        "parking",
        "parks",
        "partnership",
        "pickup",
        "pipe",
        "pipes",
        "plan",
        "planning",
        "plough",
        "plow",
        "police",
        "pool",
        "project",
        "public",
        "rate",
        "rates",
        "recycling",
        "repave",
        "repaved",
        "residents",
        "rink",
        "river",
        "road",
        "roads",
        "rossland",
        "santa",
        "school",
        "schools",
        "seniors",
        "service",
        "services",
        "sewer",
        "sidewalk",
        "smoke",
        "smokies",
        "snow",
        "staff",
        "street",
        "streets",
        "sunningdale",
        "swim",
        "tadanac",
        "tax",
        "taxes",
        "tender",
        "tow",
        "towing",
        "traffic",
        "trail",
        "transit",
        "trench",
        "warfield",
        "water",
        "works",
    )
)


# French's short words (too short for relevance, which reads words of three letters and more):
# with FRENCH_STOPWORDS, what shows a sentence is written in French.
FRENCH_SHORT_WORDS = frozenset(
    ("au", "ce", "ça", "de", "du", "en", "et", "il", "je", "la", "le", "ma", "ne", "ou", "où", "un")
)
FRENCH_WORDS = FRENCH_STOPWORDS | FRENCH_SHORT_WORDS
ENGLISH_STOPWORDS = STOPWORDS - FRENCH_STOPWORDS


def _in_french(sentence: str) -> bool:
    """Whether a sentence is written in French: more of its words are French's small words
    than English's, two at least ("Le bus est en retard")."""
    # A capitalised word after the first is a name's ("De La Cruz", "Rue Des Pins"), never
    # evidence of the language; one in capitals ("LE BUS EST EN RETARD") still is.
    written = WORD.findall(sentence)
    words = [ELIDED.sub("", w.lower()).strip("'’-") for w in written]
    french = sum(
        word in FRENCH_WORDS
        for n, (word, as_written) in enumerate(zip(words, written, strict=True))
        if n == 0 or not as_written.istitle()
    )
    return french >= 2 and french > sum(w in ENGLISH_STOPWORDS for w in words)


def _find_listed(text: str, words: Iterable[str]) -> tuple[list[str], bool]:
    """The words of a list in a comment, and whether any is in a sentence written in English.
    The lists are English: in French the same letters may be an everyday word ("en retard",
    late), so a match only in French sentences is for a person to read, never a hide."""
    words = set(words)
    found: set[str] = set()
    in_english = False
    for sentence in SENTENCE_END.split(text):
        if matched := _find_words(sentence, words):
            found.update(matched)
            in_english = in_english or not _in_french(sentence)
    return sorted(found), in_english


# A listed word disguised: digits and symbols for letters ("sh1t", "b@stard", "f*ck") or
# spelt letter by letter ("f u c k", "S.H.I.T"). Read as the word, it is evidence for a person.
LOOKALIKES = str.maketrans(
    {"0": "o", "1": "i", "3": "e", "4": "a", "5": "s", "7": "t", "@": "a", "$": "s"}
)
# A word with a digit or a symbol in it, and at least one letter ("sh1t", not "$500" or "4.9").
MIXED_WORD = re.compile(r"(?=[\w@$*]*[^\W\d_])[\w@$*]*[\d@$*][\w@$*]*")
# Three or more single letters, each followed by one space, dot, dash or underscore ("f u c k").
SPELT_OUT = re.compile(r"(?<![\w*@$])(?:[^\W\d_][ ._-]){2,}[^\W\d_](?![\w*@$])")


# A number with its unit or ordinal ("3rd", "4pm", "10am", "5km", "$40k"): no disguise.
COUNTED = re.compile(r"[$]?\d+(?:st|nd|rd|th|am|pm|k|km|kg|m|h|hr|hrs|min|s)?", re.IGNORECASE)


def _undisguised(text: str) -> str | None:
    """The comment with its disguised words read as words: letters spelt out joined, and
    digits and symbols standing for letters put back (a "*" stays, for any letter). None when
    nothing in it is disguised, as for most comments."""
    joined = SPELT_OUT.sub(lambda m: re.sub(r"[ ._-]", "", m[0]), text)
    read = MIXED_WORD.sub(
        lambda m: m[0] if COUNTED.fullmatch(m[0]) else m[0].translate(LOOKALIKES), joined
    )
    return read if read != text or "*" in text else None


def _find_disguised(
    undisguised: str | None, words: Iterable[str], plain: Collection[str]
) -> list[str]:
    """The listed words a comment spells only in disguise ("f*cking", "r3tard", "f u c k"),
    other than those found as written (`plain`), in it as `_undisguised` reads it and
    lowercased: each letter may be a "*", but a letter at least must be seen ("****" is any
    word)."""
    if undisguised is None:
        return []  # nothing disguised: any listed word in it is found as it is written
    found = []
    for word in words:
        if word in plain:
            continue
        for match in _disguised_pattern(word).finditer(undisguised):
            if any(c.isalpha() for c in match[0]):
                found.append(word)
                break
    return sorted(found)


def _with_disguised(plain: list[str], lowered: str | None, words: Iterable[str]) -> list[str]:
    """The words of a list a comment holds as written (`plain`), then those it holds only in
    disguise."""
    return plain + _find_disguised(lowered, words, plain)


@cache
def _disguised_pattern(word: str) -> re.Pattern[str]:
    """A listed word with a "*" for any of its letters, compiled once (the lists hold more
    words than `re` keeps compiled)."""
    letters = "".join(f"[{re.escape(c)}*]" if c.isalpha() else re.escape(c) for c in word)
    return re.compile(rf"(?<![\w*-]){letters}(?![\w*-])")


@dataclass(frozen=True)
class Evidence:
    category: str
    matched: tuple[str, ...]
    reason: str
    strong: bool

    def as_dict(self) -> dict[str, Any]:
        return {
            "matched": list(self.matched),
            "reason": self.reason,
            "clause": CLAUSES[self.category],
            "strong": self.strong,
        }


@dataclass(frozen=True)
class Decision:
    id: str
    action: str
    categories: tuple[str, ...]
    evidence: dict[str, dict[str, Any]]

    def as_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "action": self.action,
            "categories": list(self.categories),
            "evidence": self.evidence,
        }


@dataclass
class ModerationPolicy:
    hide_allowed: set[str] = field(default_factory=lambda: {"derogatory", "discriminatory", "spam"})
    allowed_domains: set[str] = field(default_factory=set)
    sponsor_names: set[str] = field(default_factory=set)
    sponsor_domains: set[str] = field(default_factory=set)
    obscene: set[str] = field(default_factory=set)
    slurs: set[str] = field(default_factory=set)
    insults: set[str] = field(default_factory=set)
    # The City's own addresses and numbers (policy/public-contacts.yml): not a person's.
    contacts: LintPolicy = field(default_factory=LintPolicy)

    @classmethod
    def load(cls, policy_dir: Path) -> ModerationPolicy:
        """The policy, checked: a value the classifier would misread (`spam: hidden` turning
        hiding off, `also: Teck` making each letter a sponsor) is refused instead."""
        config = _mapping(policy_dir / "moderation.yml", ("categories", "allowed_domains"))
        sponsors = _mapping(policy_dir / "sponsors.yml", ("sponsors",))
        where = policy_dir / "moderation.yml"
        categories = config.get("categories") or {}
        if not isinstance(categories, dict):
            raise PolicyError(f"{where}: categories: expected each category set to review or hide")
        for name, value in categories.items():
            if name not in CATEGORIES:
                raise PolicyError(
                    f"{where}: categories.{name}: unknown; expected one of {', '.join(CATEGORIES)}"
                )
            if value not in ALLOWED:
                raise PolicyError(f"{where}: categories.{name}: expected review or hide")
        shared = _lint_policy(policy_dir)  # the City's contacts and word lists
        lists = shared.wordlists
        policy = cls(
            hide_allowed={k for k, v in categories.items() if v == "hide"},
            allowed_domains={
                d.lower()
                for d in _strings(config, "allowed_domains", f"{where}: allowed_domains", "domains")
            },
            obscene=_listed(lists, OBSCENE_LISTS),
            slurs=_listed(lists, SLUR_LISTS),
            insults=_listed(lists, set(lists) - {*OBSCENE_LISTS, *SLUR_LISTS}),
            contacts=shared,
        )
        where = policy_dir / "sponsors.yml"
        entries = sponsors.get("sponsors") or []
        if not isinstance(entries, list):
            raise PolicyError(f"{where}: sponsors: expected a list of sponsors")
        for i, sponsor in enumerate(entries):
            field_path = f"{where}: sponsors[{i}]"
            if not isinstance(sponsor, dict):
                raise PolicyError(f"{field_path}: expected a mapping with name, also and domains")
            for key in sponsor:
                if key not in ("name", "also", "domains"):
                    raise PolicyError(
                        f"{field_path}.{key}: unknown; expected name, also or domains"
                    )
            name = sponsor.get("name")
            if not isinstance(name, str) or not name.strip():
                raise PolicyError(f"{field_path}.name: expected the sponsor's name")
            also = _strings(sponsor, "also", f"{field_path}.also", "other names")
            policy.sponsor_names |= {n.lower() for n in [name, *also]}
            domains = _strings(sponsor, "domains", f"{field_path}.domains", "domains")
            policy.sponsor_domains |= {d.lower() for d in domains}
        return policy


def _mapping(path: Path, keys: tuple[str, ...]) -> dict[str, Any]:
    """A policy file's settings, each one of `keys`."""
    return read_mapping(path, PolicyError, keys)


def _strings(entry: dict[str, Any], key: str, where: str, what: str) -> list[str]:
    """A list of names; a bare one (`also: Teck`) is refused rather than read letter by letter."""
    values = entry.get(key)
    if values is None:
        return []
    if not isinstance(values, list) or not all(isinstance(v, str) and v.strip() for v in values):
        raise PolicyError(f"{where}: expected a list of {what}")
    return values


def _listed(lists: dict[str, set[str]], names: Iterable[str]) -> set[str]:
    """The words of the lists named."""
    return set().union(*(lists[name] for name in names))


def _lint_policy(policy_dir: Path) -> LintPolicy:
    """The content lint's policy: the City's public contacts and the word lists."""
    try:
        return LintPolicy.load(policy_dir)
    except LintConfigError as error:
        raise PolicyError(str(error)) from None


def _find_words(text: str, words: Iterable[str]) -> list[str]:
    lowered = text.lower()
    return sorted(w for w in words if _word_pattern(w).search(lowered))


@cache
def _word_pattern(word: str) -> re.Pattern[str]:
    """A listed word as a whole word, compiled once (the lists hold more words than `re`
    keeps compiled)."""
    return re.compile(rf"(?<![\w-]){re.escape(word)}(?![\w-])")


def _find(text: str, patterns: Iterable[re.Pattern[str]]) -> list[str]:
    return [m.group(0) for p in patterns if (m := p.search(text))]


def _domain(link: str) -> str:
    """The site a link leads to: its host name, without a port or a login before an @."""
    try:
        host = urlsplit(link if "://" in link else f"http://{link}").hostname or ""
    except ValueError:  # "http://[" and the like: no site of anyone's, so no allowed one
        host = link.lower()
    # "www.trail.ca." is trail.ca written in full (the root's dot), not another site.
    return host.removeprefix("www.").rstrip(".")


def _allowed(domain: str, allowed: set[str]) -> bool:
    return any(domain == d or domain.endswith("." + d) for d in allowed)


def _sentences(text: str) -> list[str]:
    """The comment's sentences, a link standing alone after one ("20% off! https://...") being
    that sentence's."""
    sentences: list[str] = []
    for sentence in SENTENCE_END.split(text):
        if sentences and not WORD.search(URL.sub("", sentence)):
            sentences[-1] += " " + sentence
        else:
            sentences.append(sentence)
    return sentences


def _names_a_sponsor(sentence: str, policy: ModerationPolicy) -> bool:
    """Whether a sentence names a sponsor or partner, by a name or by a link to its site (or a
    subdomain of it: `www.trailsmokeeaters.com`, not `trailsmokeeaters.com.example.net`)."""
    return bool(_find_words(sentence, policy.sponsor_names)) or any(
        _allowed(_domain(link), policy.sponsor_domains) for link in URL.findall(sentence)
    )


def _promotion(text: str, outside: list[str], policy: ModerationPolicy) -> list[str]:
    """Promotional wording that is not about a sponsor or partner (promoting those is allowed).
    Naming a sponsor, or linking to its site, does not cover another business: wording in a
    sentence that names no sponsor counts, so does wording in one where the writer promotes
    their own business, and so does all of it beside links `outside` the sponsors' and allowed
    sites (the business promoted is theirs)."""
    if outside:
        return _find(text, COMMERCIAL)
    return [
        match
        for sentence in _sentences(text)
        if not _names_a_sponsor(sentence, policy) or _find(sentence, OWN_BUSINESS)
        for match in _find(sentence, COMMERCIAL)
    ]


def _strong_spam(
    pitch: list[str], residents_words: list[str], calls: list[str], outside: list[str]
) -> bool:
    """Whether spam wording is strong enough to hide: spam's pitch with a call to act on it
    ("DM me", "follow me") or beside a link to a site that is neither allowed nor a sponsor's;
    residents' words only with both, a call and such a link ("Click here to win a free
    iPhone" and the link). Spam wording alone is how residents criticise spending too, and
    with a link they may be citing the news ("councillors earn $40,000 a year", "stop the
    giveaway", and the local paper's story), with a call and no link gathering others ("DM me
    to sign the petition"); calls and links alone are how they share news or look for a lost
    dog: those go to a person."""
    return bool(pitch and (calls or outside)) or bool(residents_words and calls and outside)


def _calls_to_act(text: str, links: list[str], outside: list[str]) -> list[str]:
    """What the comment asks the reader to do (SPAM_CALLS), a link to click among it unless
    every link it shows is to an allowed or sponsor's site: the City asks residents to click
    its own ("click here for the bylaw: https://trail.ca/bylaws"). A call to click with no
    link shown sends the reader somewhere unseen ("the link in my profile"): it counts."""
    clicks = [] if links and not outside else _find(text, CLICKS)
    return _find(text, SPAM_CALLS) + clicks


def _personal_information(text: str, contacts: LintPolicy) -> list[str]:
    """A person's contact details in a comment: email addresses and phone numbers that are not
    the City's own, and street addresses (the content lint's pattern; in a comment, where
    someone lives more often than not, which only a person can tell)."""
    emails = [e for e in EMAIL.findall(text) if not contacts.is_public_contact(e)]
    phones = [
        phone_key(m[0])
        for m in PERSONAL_PHONE.finditer(text)
        if not contacts.is_public_contact(m[0])
    ]
    addresses = [a for a in street_addresses(text) if not contacts.is_public_contact(a)]
    return [*emails, *phones, *addresses]


def _content_words(text: str) -> set[str]:
    words = (ELIDED.sub("", w).strip("'’-") for w in WORD.findall(text.lower()))
    return {w for w in words if w not in STOPWORDS and len(w) > 2}


# What a phone's keyboard types for a PC's ' and " (and some keyboards "ʼ", U+02BC).
_STRAIGHT_QUOTES = str.maketrans(dict.fromkeys(APOSTROPHES, "'") | dict.fromkeys("“”„", '"'))


def as_typed_on_a_pc(text: str) -> str:
    """A comment as a PC would have typed it: its apostrophes and quotes straight ("don’t" is
    "don't") and its accents composed (a Mac may save "é" as e and a combining accent, U+0301),
    so that a comment typed on a phone matches the patterns as the same words typed on a PC."""
    return unicodedata.normalize("NFC", text).translate(_STRAIGHT_QUOTES)


def classify(comment_id: str, text: str, post_text: str, policy: ModerationPolicy) -> Decision:
    """The categories a comment falls in, with evidence, and what to do about it."""
    text = ADDRESSED_TO.sub("", as_typed_on_a_pc(text))
    found: list[Evidence] = []
    # Its disguised words read back once, for every list and pattern below (None: none).
    undisguised = _undisguised(text)
    lowered = undisguised.lower() if undisguised is not None else None

    obscene, obscene_in_english = _find_listed(text, policy.obscene)
    if obscene:
        found.append(
            Evidence("derogatory", tuple(obscene), "obscene or profane words", obscene_in_english)
        )
    elif disguised := _find_disguised(lowered, policy.obscene, ()):
        found.append(
            Evidence("derogatory", tuple(disguised), "obscene or profane words, disguised", False)
        )
    elif insults := _with_disguised(_find_words(text, policy.insults), lowered, policy.insults):
        found.append(Evidence("derogatory", tuple(insults), "personal insults", False))
    slurs, slurs_in_english = _find_listed(text, policy.slurs)
    slurs = _with_disguised(slurs, lowered, policy.slurs)
    generalising = _find(text, DISCRIMINATION)
    if slurs or generalising:
        found.append(
            Evidence(
                "discriminatory",
                tuple(slurs + generalising),
                "slurs or statements against a protected group",
                slurs_in_english,
            )
        )
    links = URL.findall(text)
    outside = [
        link
        for link in links
        if not _allowed(_domain(link), policy.allowed_domains | policy.sponsor_domains)
    ]
    commercial = _promotion(text, outside, policy)
    if commercial:
        found.append(
            Evidence(
                "commercial",
                tuple(commercial + outside),
                "promotes a business that is not a City sponsor or partner",
                len(commercial) + len(outside) >= 2,
            )
        )
    # A candidate's name beside a vote spelt with digits for letters ("V0te Kerr") is still one.
    if political := _find(text, POLITICAL) or (
        _find(undisguised, POLITICAL) if undisguised else []
    ):
        found.append(
            Evidence("political", tuple(political), "promotes a candidate or campaign", True)
        )
    # A drug or a crime spelt with digits for letters ("w33d") is still named.
    if illegal := _find(text, ILLEGAL) or (_find(undisguised, ILLEGAL) if undisguised else []):
        found.append(Evidence("illegal", tuple(illegal), "promotes illegal activity", True))
    pitch, residents_words = _find(text, SPAM), _find(text, RESIDENTS_WORDS)
    calls, repeated = _calls_to_act(text, links, outside), _find(text, REPEATED)
    if pitch or residents_words or calls or repeated or (outside and not commercial):
        # A link to another site may well be relevant (a health authority, the news), and the
        # policy removes only irrelevant ones: links alone are for a person to judge. Repeated
        # characters are as often a resident cheering, so they never count.
        found.append(
            Evidence(
                "spam",
                tuple(pitch + residents_words + calls + repeated + outside),
                "spam wording or links to unrelated sites",
                _strong_spam(pitch, residents_words, calls, outside),
            )
        )
    if safety := _find(text, SAFETY):
        found.append(
            Evidence(
                "public_safety",
                tuple(safety),
                "could compromise public safety or public systems",
                True,
            )
        )
    if ip := _find(text, IP):
        found.append(Evidence("ip_violation", tuple(ip), "shares or offers others' work", True))
    if not found and not ASKS_THE_CITY.search(text):
        words = _content_words(text)
        subjects = {w[:5] for w in _content_words(post_text) | CIVIC}
        if len(words) >= 4 and not any(w[:5] in subjects for w in words):
            found.append(
                Evidence(
                    "off_topic", tuple(sorted(words)[:8]), "shares no subject with the post", False
                )
            )
    categories = tuple(c for c in CATEGORIES if any(e.category == c for e in found))
    evidence = {e.category: e.as_dict() for e in found}
    if not found:
        action = "keep"
    elif hiding_category(evidence, policy):
        action = "hide"
    else:
        action = "review"
    # Personal information is put before a reviewer, whatever else is found (a comment
    # hidden for another reason stays hidden).
    if personal := _personal_information(text, policy.contacts):
        action = "review" if action == "keep" else action
        evidence["personal_information"] = {
            "matched": personal,
            "reason": "contact details or the address of a person in a public comment",
            "clause": "FOIPPA",
        }
    return Decision(comment_id, action, categories, evidence)


def hiding_category(evidence: dict[str, dict[str, Any]], policy: ModerationPolicy) -> str | None:
    """The category whose strong evidence allows hiding, if any: the reason a hide is recorded
    under (a comment that also falls in a review-only category is hidden for this one)."""
    return next(
        (
            c
            for c in CATEGORIES
            if c in policy.hide_allowed and (evidence.get(c) or {}).get("strong") is True
        ),
        None,
    )
