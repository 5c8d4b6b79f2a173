"""Comment moderation by the policy's nine reasons: classify, review, decide, apply, report."""
