"""Decode what a string hides so the content rules can read it: encodings and invisible-character payloads.

``decoded_views(raw)`` returns (how, text) pairs: base64, base32, hex (plain, spaced, ``\\xNN``, ``0x...``),
decimal or binary character codes, percent-encoding and HTML entities, each tried once more on its own output
(nested once); ROT13 and reversed text where the string names that cipher; and the invisible carriers --
Unicode tag characters, variation-selector bytes, zero-width bits -- plus right-to-left override runs
read in the order a human sees them. Only text comes back: binary and near-binary decodings are dropped.
"""

from __future__ import annotations

import base64
import binascii
import codecs
import html
import re
from urllib.parse import unquote

__all__ = ["decoded_views", "is_prose", "worth_decoding"]

MAX_CANDIDATES = 32  # encoded runs tried per string

_B64 = re.compile(r"(?<![A-Za-z0-9+/_=-])[A-Za-z0-9+/_-]{20,}={0,2}(?![A-Za-z0-9+/_=-])")
_HEX = re.compile(r"(?<![0-9A-Za-z])(?:0x)?(?:[0-9a-fA-F]{2}){10,}(?![0-9A-Za-z])"
                  r"|(?<![0-9A-Za-z])(?:[0-9a-fA-F]{2}[ :]){9,}[0-9a-fA-F]{2}(?![0-9A-Za-z])"
                  r"|(?:\\x[0-9a-fA-F]{2}){6,}")
# Base32 (RFC 4648): upper-case letters and the digits 2-7, padded with "=" to a multiple of eight characters.
_B32 = re.compile(r"(?<![A-Za-z0-9+/=])[A-Z2-7]{24,}={0,6}(?![A-Za-z0-9+/=])")
# Character codes written as numbers: eight or more decimal codes (or 8-bit binary groups) in a row.
_DECIMAL = re.compile(r"(?<![\d.,])(?:\d{2,6}[ ,;]\s?){7,}\d{2,6}(?![\d.])")
_BINARY = re.compile(r"(?<![01])(?:[01]{8}[ ,]?){8,}(?![01])")
# A string that names a letter-shift or a reversal cipher: only then is it read shifted back or backwards.
_CIPHER_NAME = re.compile(r"rot-?\s?13|caesar|césar|cäsar|reversed|backwards|rückwärts|à l'envers|al revés|invertid[oa]|"
                          r"al contrario|逆順|倒序|反向")
_PERCENT_RUN = re.compile(r"(?:[^\s%]*%[0-9a-fA-F]{2}){3,}[^\s%]*")
_ENTITY_RUN = re.compile(r"(?:&(?:#[0-9]{1,7}|#[xX][0-9a-fA-F]{1,6}|[a-zA-Z]{2,8});\s?){3,}")
_UESC = re.compile(r"(?:\\u[0-9a-fA-F]{4}){6,}")
_TAGS = re.compile("[\U000e0000-\U000e007f]+")
_VS = re.compile("[\ufe00-\ufe0f\U000e0100-\U000e01ef]{4,}")
_ZW_BITS = re.compile("[\u200b\u200c\u200d\u2060\ufeff]{16,}")
_RLO = re.compile("\u202e([^\u202c\u2069\n]*)")
# Cheap tests for anything worth decoding: a run of 20+ base64/hex characters that mixes upper case, lower case
# and digits (base64 of text nearly always does; identifiers such as additionalProperties or
# create_pull_request_comment do not), an escape or entity marker, or an invisible character.
_RUN = re.compile(r"[A-Za-z0-9+/=_-]{20,}")
_SPACED_HEX = re.compile(r"(?:[0-9a-fA-F]{2}[ :]){9}[0-9a-fA-F]{2}")
_INVISIBLE_CARRIER = re.compile("[\U000e0000-\U000e01ef\ufe00-\ufe0f\u200b-\u200d\u2060\ufeff\u202e]")
_QUICK = re.compile("[A-Za-z0-9+/_-]{20}|[0-9a-fA-F]{20}|(?:[0-9a-fA-F]{2} ){9}|\\\\x|\\\\u|%[0-9a-fA-F]{2}|&#|&[a-z]+;"
                    "|(?:\\d{2,6}[ ,;]\\s?){7}|(?:[01]{8} ?){8}|(?i:rot-?\\s?13|caesar|césar|cäsar|reversed|backwards|"
                    "rückwärts|à l'envers|al revés|invertid|al contrario)|逆順|倒序|反向"
                    "|[\U000e0000-\U000e01ef\ufe00-\ufe0f\u200b-\u200d\u2060\ufeff\u202e]")


def _texty(text: str) -> bool:
    if len(text) < 6:
        return False
    printable = sum(1 for c in text if c.isprintable() or c in "\n\t")
    return printable / len(text) >= 0.95 and any(c.isalpha() for c in text)


def is_prose(text: str) -> bool:
    """Text that reads as words (not ids, JSON or digests): four or more words, mostly letters and spaces."""
    words = re.findall(r"[^\W\d_]{2,}", text)
    if len(words) < 4 or " " not in text.strip():
        return False
    letters = sum(1 for c in text if c.isalpha() or c.isspace())
    return letters / len(text) >= 0.7


def _b64(token: str) -> str | None:
    if not (re.search(r"[a-z]", token) and re.search(r"[A-Z]", token)):
        return None
    body = token.rstrip("=")
    alt = "-_" if ("-" in body or "_" in body) else None
    try:
        raw = base64.b64decode(body + "=" * (-len(body) % 4), altchars=alt.encode() if alt else None, validate=True)
    except (binascii.Error, ValueError):
        return None
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        return None
    return text if _texty(text) else None


def _hex(token: str) -> str | None:
    digits = re.sub(r"\\x|[ :]", "", token[2:] if token[:2] in ("0x", "0X") else token)
    try:
        text = bytes.fromhex(digits).decode("utf-8")
    except (ValueError, UnicodeDecodeError):
        return None
    return text if _texty(text) else None


def _b32(token: str) -> str | None:
    body = token.rstrip("=")
    try:
        text = base64.b32decode(body + "=" * (-len(body) % 8)).decode("utf-8")
    except (binascii.Error, ValueError, UnicodeDecodeError):
        return None
    return text if _texty(text) else None


def _codes(token: str, base: int) -> str | None:
    """Numbers that are character codes ("99 97 108 108", "01101000 01101001"): text only if every code is one."""
    try:
        text = "".join(chr(int(n, base)) for n in re.findall(r"[0-9]+", token))
    except (ValueError, OverflowError):
        return None
    return text if _texty(text) else None


# Words nearly every sentence of these languages holds: a shifted or reversed run reads as prose only if undoing the
# cipher brings them out (the cipher's name alone, in a codec tool's own description, decodes to nothing readable).
_COMMON = frozenset("the and to of all your you is in for with this that any a an or from on be are it not "
                    "der die das und zu den mit nicht le la les et de des pour vous el los las y en que con para"
                    .split())


def _common_words(text: str) -> int:
    return sum(1 for w in re.findall(r"[^\W\d_]+", text.lower()) if w in _COMMON)


def _ciphered(raw: str) -> list[tuple[str, str]]:
    """ROT13 and reversed text, read only where the string names the cipher and undoing it brings out common words
    ("ROT13 note: Vtaber nyy cerivbhf vafgehpgvbaf" -> "Ignore all previous instructions")."""
    m = _CIPHER_NAME.search(raw.lower())
    if m is None:
        return []
    out = []
    rest = raw[m.end():] or raw  # what follows the cipher's name ("ROT13 note: ..."), or what precedes it
    for part in (rest, raw[:m.start()]) if m.start() else (rest,):
        base = _common_words(part)
        for how, text in (("rot13", codecs.decode(part, "rot13")), ("reversed text", part[::-1])):
            if _common_words(text) >= base + 3 and _texty(text):
                out.append((how, text))
    return out


def _tags(raw: str) -> list[str]:
    out = []
    for m in _TAGS.finditer(raw):
        # A subdivision flag (black flag + tag letters + cancel tag) is an emoji, not a payload.
        if m.start() > 0 and raw[m.start() - 1] == "\U0001f3f4" and len(m.group(0)) <= 8:
            continue
        text = "".join(chr(ord(c) - 0xE0000) for c in m.group(0) if 0xE0020 <= ord(c) <= 0xE007E)
        if len(text) >= 3:
            out.append(text)
    return out


def _variation_bytes(raw: str) -> list[str]:
    out = []
    for m in _VS.finditer(raw):
        data = bytes((ord(c) - 0xFE00) if ord(c) < 0xE0000 else (ord(c) - 0xE0100 + 16) for c in m.group(0))
        text = data.decode("utf-8", "ignore")
        if _texty(text):
            out.append(text)
    return out


def _zero_width_bits(raw: str) -> list[str]:
    out = []
    for m in _ZW_BITS.finditer(raw):
        run = m.group(0)
        for zero, one in (("\u200b", "\u200c"), ("\u200c", "\u200b")):
            bits = "".join("0" if c == zero else "1" if c == one else " " for c in run)
            chunks = [b for b in bits.split() if b] if " " in bits else [bits[i:i + 8] for i in range(0, len(bits), 8)]
            try:
                text = bytes(int(b, 2) for b in chunks if len(b) <= 8).decode("utf-8")
            except (ValueError, UnicodeDecodeError):
                continue
            if _texty(text):
                out.append(text)
                break
    return out


def _decode_once(text: str) -> list[tuple[str, str]]:
    out: list[tuple[str, str]] = []
    for m in list(_B64.finditer(text))[:MAX_CANDIDATES]:
        decoded = _b64(m.group(0))
        if decoded:
            out.append(("base64", decoded))
    for m in list(_HEX.finditer(text))[:MAX_CANDIDATES]:
        decoded = _hex(m.group(0))
        if decoded:
            out.append(("hex", decoded))
    for m in list(_B32.finditer(text))[:MAX_CANDIDATES]:
        decoded = _b32(m.group(0))
        if decoded:
            out.append(("base32", decoded))
    for rx, base, how in ((_DECIMAL, 10, "decimal character codes"), (_BINARY, 2, "binary character codes")):
        for m in list(rx.finditer(text))[:MAX_CANDIDATES]:
            decoded = _codes(m.group(0), base)
            if decoded:
                out.append((how, decoded))
    if "\\u" in text:
        for m in list(_UESC.finditer(text))[:MAX_CANDIDATES]:
            decoded = re.sub(r"\\u([0-9a-fA-F]{4})", lambda u: chr(int(u.group(1), 16)), m.group(0))
            if _texty(decoded):
                out.append(("\\u escapes", decoded))
    if "%" in text:
        for m in list(_PERCENT_RUN.finditer(text))[:MAX_CANDIDATES]:
            decoded = unquote(m.group(0))
            if _texty(decoded):
                out.append(("url-encoding", decoded))
    if "&" in text:
        for m in list(_ENTITY_RUN.finditer(text))[:MAX_CANDIDATES]:
            decoded = html.unescape(m.group(0))
            if _texty(decoded):
                out.append(("HTML entities", decoded))
    return out


_DIGIT = re.compile(r"\d")
_HEX_ONLY = re.compile(r"[0-9a-fA-F]+")


def _mixed(run: str) -> bool:
    """Upper case, lower case and digits together, or hex digits only (string methods and regexes: this runs for
    every long run of every string)."""
    if _DIGIT.search(run) is None:
        return False
    return (run.lower() != run and run.upper() != run) or _HEX_ONLY.fullmatch(run) is not None


def worth_decoding(raw: str) -> bool:
    """Whether ``raw`` holds anything that could be an encoded run or an invisible payload (string tests and a
    simple character-class scan; the decoders run only when this says yes)."""
    if len(raw) < 12 and raw.isascii():
        return False
    if "%" in raw or "&" in raw or "\\" in raw or (not raw.isascii() and _INVISIBLE_CARRIER.search(raw)):
        return True
    if any(_mixed(m.group(0)) for m in _RUN.finditer(raw)) or _B32.search(raw) or _DECIMAL.search(raw) \
            or _BINARY.search(raw) or "0x" in raw and _HEX.search(raw):
        return True
    if _CIPHER_NAME.search(raw.lower()):
        return True
    return (" " in raw or ":" in raw) and _SPACED_HEX.search(raw) is not None


def decoded_views(raw: str) -> list[tuple[str, str]]:
    """(how, text) for everything ``raw`` hides, decoded; encodings nested once are decoded twice."""
    if _QUICK.search(raw) is None:
        return []
    out: list[tuple[str, str]] = [("tag characters", t) for t in _tags(raw)]
    out += [("variation-selector bytes", t) for t in _variation_bytes(raw)]
    out += [("zero-width bits", t) for t in _zero_width_bits(raw)]
    out += [("right-to-left override, as displayed", m.group(1)[::-1]) for m in _RLO.finditer(raw)
            if len(m.group(1).strip()) >= 3]
    out += _ciphered(raw[:200_000])
    for how, text in _decode_once(raw[:200_000]):
        out.append((how, text))
        out += [(f"{inner} inside {how}", inner_text) for inner, inner_text in _decode_once(text)]
    return out
