"""Addresses as messages show them: without the credentials they may carry.

A mistyped or refused address (RECORDS_REMOTE, DEPLOY_URL, SITEURL, a platform's API URL) is
quoted back so the reader can see what is wrong with it, but never with a password or token.
"""

from __future__ import annotations

import re

# What stands before a host's "@": after "//", a URL's user or token (https://token@host),
# also in one mistyped without its ":" (https//user:token@host), which git prints whole;
# elsewhere, a user with a password (rsync's user:token@host:/path). A password may hold an
# "@" itself: all of it goes, up to the last "@" before the host. A user alone there
# (deploy@host, git@host:path) or an email address is no secret, and helps read the message.
_CREDENTIALS = re.compile(r"(?:(?<=//)[^/\s'\"]+|(?<![\w.+-])[\w.+-]+:[^\s/'\"]*)@(?=[\w\[])")


def without_credentials(text: str) -> str:
    """`text` (a message, or an address) without the credentials an address in it may carry
    (https://user:token@host → https://***@host)."""
    return _CREDENTIALS.sub("***@", text.strip())
