"""Secret detection by name and by shape, and redaction that stays linear in the length of its input."""

from __future__ import annotations

import time
from collections.abc import Callable

import pytest

from mcprisk import ServerSpec
from mcprisk._errors import InventoryError
from mcprisk.configs import parse_config
from mcprisk.inventory import parse_inventory
from mcprisk.specs import fill_placeholders, looks_like_secret, redact_args, redact_text, redact_url

# Values a credential can take that no name gives away: each must be hidden wherever it is passed.
SHAPED = {
    "known prefix": "ghp_" + "Ab1" * 12,
    "long hex": "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08",
    "base64": "dGhpcyBpcyBhIHNlY3JldCBrZXkgZm9yIHRlc3Rz",
    "base64url, high entropy": "Xq3vT9pL2mK8wR4nB7cY1zH6jD5sF0gA",
    "jwt": "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.dozjgNryP4J3jVmNHl0w5N_XgL0n3I9PlFUP0THsR8U",
}
# Values that look like nothing secret: hiding them would cry wolf in every report.
PLAIN = ["claude-3-5-sonnet-20241022", "/home/user/projects/server/index.js", "production", "8080",
         "https://example.com/mcp", "@modelcontextprotocol/server-filesystem", "a1b2c3", "readOnly",
         "2026-07-28", "node_modules/@scope/pkg/dist/index.js", "ThisIsAnOrdinaryCamelCaseName"]


@pytest.mark.parametrize("value", list(SHAPED.values()), ids=list(SHAPED))
def test_credential_shapes_are_recognised(value):
    """Known token prefixes, long hex, base64 and high-entropy strings look like secrets."""
    assert looks_like_secret(value)


@pytest.mark.parametrize("value", PLAIN)
def test_ordinary_values_do_not_look_like_secrets(value):
    """Model names, paths, ports, URLs, package names and short hex do not."""
    assert not looks_like_secret(value)


@pytest.mark.parametrize("name", ["key", "code", "sig", "signature", "jwt", "pass", "X-Amz-Signature", "api_key"])
def test_query_values_of_secret_names_are_hidden(name):
    """``?key=``, ``?code=``, ``?sig=``, ``?signature=``, ``?jwt=``, ``?pass=`` values never show."""
    shown = redact_url(f"https://h.example/mcp?user=ann&{name}=hunter2-value&page=2")
    assert "hunter2" not in shown and f"{name}=***" in shown and "user=ann" in shown and "page=2" in shown


@pytest.mark.parametrize("kind", list(SHAPED))
def test_query_values_shaped_like_credentials_are_hidden(kind):
    """A query value shaped like a credential is hidden whatever its parameter is called."""
    shown = redact_url(f"https://h.example/mcp?x={SHAPED[kind]}&page=2")
    assert SHAPED[kind] not in shown and "page=2" in shown


@pytest.mark.parametrize("args", [
    ["--key", "hunter2-value"], ["-k", "hunter2-value"], ["--pass", "hunter2-value"], ["--jwt", "hunter2-value"],
    ["--key=hunter2-value"], ["--signature=hunter2-value"], ["--code", "hunter2-value"],
])
def test_option_values_of_secret_names_are_hidden(args):
    """``--key V``, ``-k V``, ``--pass V``, ``--key=V`` ...: the value is shown as ***."""
    shown = redact_args(["serve", *args, "--port", "8080"])
    assert "hunter2" not in " ".join(shown) and shown[-2:] == ("--port", "8080")


@pytest.mark.parametrize("kind", list(SHAPED))
def test_option_and_positional_values_shaped_like_credentials_are_hidden(kind):
    """A credential-shaped value is hidden after any flag, after ``=``, and on its own."""
    value = SHAPED[kind]
    for args in (["--anything", value], [f"--anything={value}"], [value], [f"TOKENISH={value}"]):
        assert value not in " ".join(redact_args(args)), args


def test_plain_arguments_are_left_alone():
    """Ordinary arguments are shown as written."""
    args = ["-y", "@modelcontextprotocol/server-filesystem", "/home/user/projects", "--model",
            "claude-3-5-sonnet-20241022", "--port", "8080"]
    assert redact_args(args) == tuple(args)


def test_shaped_secret_in_a_spec_is_hidden_everywhere_but_kept_for_launch():
    """A spec built from a URL and a command line shows neither credential, but launches with both."""
    http = ServerSpec.http(f"https://h.example/mcp?sig={SHAPED['base64']}&x={SHAPED['long hex']}")
    stdio = ServerSpec.stdio(["server", "-k", "hunter2-value", SHAPED["base64url, high entropy"]])
    for spec in (http, stdio):
        text = repr(spec) + str(spec.to_dict()) + spec.target
        assert not any(v in text for v in (*SHAPED.values(), "hunter2-value")), text
    assert http.connect_url.endswith(SHAPED["long hex"])
    assert stdio.launch_args[1] == "hunter2-value"


def test_redact_text_hides_secret_query_values_inside_free_text():
    """A URL inside a log line or error message loses its secret query values and password."""
    text = f"GET https://u:pw-12345@h.example/mcp?key=abcdef123&q=1 failed; token {SHAPED['known prefix']}"
    shown = redact_text(text)
    assert "abcdef123" not in shown and "pw-12345" not in shown and SHAPED["known prefix"] not in shown
    assert "q=1" in shown and "failed" in shown


# -- linear time ---------------------------------------------------------------------------------


def _seconds(fn: Callable[[str], object], text: str) -> float:
    """The best of five CPU times of this process: other processes on a loaded machine barely move it, where a
    wall-clock ratio swung past the quadratic threshold's margin."""
    best = float("inf")
    for _ in range(5):
        started = time.process_time()
        fn(text)
        best = min(best, time.process_time() - started)
    return best


def _growth(fn: Callable[[str], object], make: Callable[[int], str]) -> float:
    """How much slower ``fn`` is on 1 MB than on 64 KB: ~16 when linear, ~256 when quadratic."""
    small, large = make(64 * 1024), make(1024 * 1024)
    fn(small)  # warm up regex caches
    return _seconds(fn, large) / max(_seconds(fn, small), 1e-6)


# Inputs that made the old patterns backtrack: long runs with no match, and many almost-matches.
HOSTILE_RUNS = {
    "letters": lambda n: "a" * n,
    "scheme-like": lambda n: ("ab+c" * n)[:n],
    "colons": lambda n: "http://" + "x:" * (n // 2),
    "jwt-ish": lambda n: ("eyJ" * n)[:n],
    "placeholders": lambda n: ("${env:" * n)[:n],
    "urls": lambda n: ("a://b:c" * n)[:n],
}

REDACTORS = {
    "redact_text": redact_text,
    "redact_url": redact_url,
    "redact_args": lambda s: redact_args(["--flag", s, s]),
    "ServerSpec.stdio": lambda s: ServerSpec.stdio(["server", s]),
    "fill_placeholders": lambda s: fill_placeholders(s, environ={}, inputs={}) if "${" not in s else
    _raises(fill_placeholders, s),
}


def _raises(fn: Callable[..., object], s: str) -> None:
    try:
        fn(s, environ={}, inputs={})
    except Exception:  # noqa: BLE001 - only the time matters here
        pass


@pytest.mark.parametrize("run", list(HOSTILE_RUNS))
@pytest.mark.parametrize("redactor", list(REDACTORS))
def test_redaction_is_linear_in_the_input(redactor, run):
    """Redacting a 1 MB argument costs about 16x a 64 KB one (linear), never ~256x (quadratic)."""
    assert _growth(REDACTORS[redactor], HOSTILE_RUNS[run]) < 64


def test_a_megabyte_argument_in_a_client_config_is_linear():
    """A client config with a 1 MB argument parses in time proportional to its size."""
    def config(n: int) -> str:
        return '{"mcpServers": {"s": {"command": "npx", "args": ["' + "a:" * (n // 2) + '"]}}}'

    assert _growth(lambda text: parse_config(text, path="mcp.json"), config) < 64


def test_a_long_bad_inventory_value_is_linear():
    """An inventory rejecting a 1 MB value says so in time proportional to its size."""
    def parse(text: str) -> None:
        with pytest.raises(InventoryError):
            parse_inventory(text, path="inv.yaml")

    assert _growth(parse, lambda n: "version: 1\nstage: " + "x" * n + "\n") < 64
