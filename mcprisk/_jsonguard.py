"""Make one JSON-RPC message decodable without losing its neighbours: nesting too deep and numbers too long are
replaced, in the text, by a marker string.

The mcp SDK decodes HTTP bodies with jiter, which refuses anything nested deeper than 200 levels or holding
an integer of more than 4,300 digits; Python's ``json`` refuses about 1,000 levels and the same integers. One
such tool would make the whole ``tools/list`` page undecodable and the dangerous tools beside it would vanish.
``guard`` finds those messages (a jiter decode, about a tenth of what the SDK spends on the same body) and
``prune`` rewrites only the offending parts, so the page decodes and the item is kept with its problem noted.
"""

from __future__ import annotations

import json
import re

import pydantic_core

from ._bounded import NUMBER_TOO_LONG, TOO_DEEP

__all__ = ["MAX_WIRE_DEPTH", "guard", "prune"]

MAX_WIRE_DEPTH = 100  # levels kept from the message root; an item starts at level 4 (message/result/list/item)
_LONG_NUMBER = 100  # digits: far past any real count or id, far below what a decoder refuses
_DECODER_DEPTH = 200  # what jiter (the SDK's HTTP decoder) takes
_SPECIAL = re.compile(rb'["\[\]{}]|-?[0-9][0-9.eE+-]{%d,}' % _LONG_NUMBER)
_STRING_REST = re.compile(rb'[^"\\]*+(?:\\.[^"\\]*+)*+"', re.S)  # after an opening quote: to its closing quote
_DEEP = json.dumps(TOO_DEEP).encode()
_NUMBER = json.dumps(NUMBER_TOO_LONG).encode()
_OPENERS = (b"[", b"{")


def guard(body: bytes) -> bytes:
    """``body`` as is when a JSON decoder takes it (or it is not JSON at all), else pruned so that one does."""
    if sum(body.count(o) for o in _OPENERS) <= _DECODER_DEPTH and len(body) < 4096:
        return body  # too few brackets to nest that deep, too short to hold a 4,300-digit number
    try:
        pydantic_core.from_json(body, cache_strings=False)
        return body
    except ValueError as exc:
        if "recursion limit" not in str(exc) and "number out of range" not in str(exc):
            return body  # malformed in some other way: the SDK reports it as it would have
    pruned = prune(body)
    return body if pruned is None else pruned


def prune(data: bytes, max_depth: int = MAX_WIRE_DEPTH) -> bytes | None:
    """``data`` with every value nested below ``max_depth`` and every number of 100+ digits replaced by a
    marker string; None when ``data`` is not JSON text this can repair (an unterminated string).

    Linear: one regex search per string, bracket or long number, each scanning forward only.
    """
    out: list[bytes] = []
    kept = 0  # data[:kept] is already in out
    depth = 0
    cut = -1  # where the value being dropped starts, or -1
    pos = 0
    while (m := _SPECIAL.search(data, pos)) is not None:
        c = data[m.start()]
        pos = m.end()
        if c == 0x22:  # '"'
            end = _STRING_REST.match(data, pos)
            if end is None:
                return None
            pos = end.end()
        elif c in b"[{":
            depth += 1
            if depth == max_depth + 1:
                cut = m.start()
        elif c in b"]}":
            if depth == max_depth + 1 and cut >= 0:
                out += (data[kept:cut], _DEEP)
                kept, cut = pos, -1
            depth -= 1
        elif cut < 0:  # a long number outside any dropped value
            out += (data[kept:m.start()], _NUMBER)
            kept = pos
    out.append(data[kept:])
    return b"".join(out)
