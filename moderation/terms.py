"""The words a moderation record is written in, each set once: the policy's reasons, what the
classifier does with a comment, and what a decision does on the platform. The classifier and
the moderation commands write them; the moderation log's table of its lines
(moderation/line_types.py) stops at a line naming another, as one added by hand. Apart from
the classifier, which reads the records search (archive/index.py) that reads the table."""

from __future__ import annotations

# The nine reasons of the City's social media policy (their clauses: `classifier.CLAUSES`).
CATEGORIES = (
    "off_topic",
    "derogatory",
    "discriminatory",
    "commercial",
    "political",
    "illegal",
    "spam",
    "public_safety",
    "ip_violation",
)
# What the classifier does with a comment.
ACTIONS = ("keep", "review", "hide")
# What a decision does on the platform: the comment stays shown or is hidden.
DECISIONS = ("keep", "hide")
