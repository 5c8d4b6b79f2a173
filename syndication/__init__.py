"""Syndication of announcements to the City's social accounts."""

import warnings

# google-api-core warns on import, from 90 days before a Python version's end of life (3.11's
# is 2027-10-24), on the stderr of every command that reaches YouTube: words for whoever
# upgrades the project's Python (README, "Python version"), not for the CEC, and a line that
# would bury the commands' own messages.
warnings.filterwarnings(
    "ignore",
    message=r"You are using a (non-supported )?Python version",
    category=FutureWarning,
    module=r"google\.api_core\._python_version_support",
)
