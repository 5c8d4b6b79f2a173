"""The moderation record: every classification, decision and action, hash-chained in
RECORDS_DIR/archive/moderation.jsonl. Who decided, when, under which clause, and why."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from archive.chain import ChainFile

from .classifier import CLAUSES, Decision


@dataclass
class Status:
    """Where a comment stands: the classifier's view and any decision taken."""

    platform: str
    comment_id: str
    version: int
    action: str  # the classifier's: keep, review or hide
    categories: list[str]
    evidence: dict[str, Any]
    decision: str | None = None  # hide or keep, once applied on the platform
    decided_by: str | None = None
    reason: str | None = None
    # The last decision taken, applied or not, and its result when the platform refused it.
    tried_by: str | None = None
    failed: str | None = None

    @property
    def awaiting_review(self) -> bool:
        return self.action == "review" and self.decision is None

    @property
    def hidden(self) -> bool:
        return self.decision == "hide"


class ModerationLog:
    def __init__(self, records_dir: Path) -> None:
        self.chain = ChainFile(records_dir / "archive" / "moderation.jsonl")

    def statuses(self) -> dict[tuple[str, str], Status]:
        found: dict[tuple[str, str], Status] = {}
        # In the order things happened: two copies of the archive joined (a reviewer's
        # decision pushed while CI ran) put one copy's lines after the other's, whatever their
        # times. Within one copy, that is the file's order.
        for event in sorted(self.chain.events(), key=lambda e: str(e.get("time", ""))):
            key = (event["platform"], event["comment_id"])
            if event["kind"] == "classification":
                found[key] = Status(
                    event["platform"],
                    event["comment_id"],
                    event["version"],
                    event["action"],
                    event["categories"],
                    event["evidence"],
                )
            elif event["kind"] == "decision" and key in found:
                status = found[key]
                status.tried_by = event["who"]
                # A decision the platform refused changed nothing there: the comment is as
                # it was, so only an applied one counts.
                if event["result"] != "applied":
                    status.failed = event["result"]
                    continue
                status.decision, status.decided_by = event["decision"], event["who"]
                status.reason, status.failed = event["reason"], None
        return found

    def hidden(self) -> frozenset[tuple[str, str]]:
        return frozenset(k for k, s in self.statuses().items() if s.hidden)

    def classified(self, platform: str, version: int, decision: Decision) -> None:
        self.chain.append(
            {
                "kind": "classification",
                "platform": platform,
                "comment_id": decision.id,
                "version": version,
                "action": decision.action,
                "categories": list(decision.categories),
                "evidence": decision.evidence,
            }
        )

    def decided(
        self,
        platform: str,
        comment_id: str,
        decision: str,
        who: str,
        reason: str,
        category: str | None,
        result: str,
    ) -> None:
        self.chain.append(
            {
                "kind": "decision",
                "platform": platform,
                "comment_id": comment_id,
                "decision": decision,
                "who": who,
                "reason": reason,
                "category": category,
                "clause": CLAUSES.get(category or "", None),
                "result": result,
            }
        )
