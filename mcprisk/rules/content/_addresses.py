"""A cheap, exact test for the marks of an address in a text, shared by the recipient rules (``exfil``)."""

from __future__ import annotations

import re

__all__ = ["address_marks"]

# Marks of an address: "@", a hex account (0x + 8), an IBAN head ("de89 3704..."), a "12 3456 7890" number, a web
# address, a "#channel". Asked part by part, each behind its own cheap test; the numbered parts are written to start
# at a digit (the regex engine then skips to digits) with the letters before it read by a look-behind. The same texts
# match as with the one alternation
# ``@|0x[0-9a-f]{8}|\b[a-z]{2}\d{2}[ ]?[a-z0-9]{4}|\b\d{2} \d{4} \d{4}|https?://|(?:^|\s)#[a-z]``, which walked
# every position of every subject's text (a tenth of the text pass on the 45-server fleet).
_HEX_ACCOUNT = re.compile(r"0x[0-9a-f]{8}")
_WEB = re.compile(r"https?://")
_CHANNEL = re.compile(r"(?:^|\s)#[a-z]")
_NUMBERED = re.compile(r"\d(?<=(?<!\w)[a-z]{2}\d)\d[ ]?[a-z0-9]{4}|\d(?<!\w\d)\d \d{4} \d{4}")


def address_marks(text: str) -> bool:
    """Whether ``text`` holds something shaped like an address (see above)."""
    return "@" in text or ("0x" in text and _HEX_ACCOUNT.search(text) is not None) or \
        ("://" in text and _WEB.search(text) is not None) or ("#" in text and _CHANNEL.search(text) is not None) or \
        _NUMBERED.search(text) is not None
