"""What connecting to a server really uses: its spec with placeholders filled and hidden values restored,
and the values that must then be scrubbed from everything kept. Shared by introspection, probes and the CLI."""

from __future__ import annotations

import functools
import re
from collections.abc import Mapping
from dataclasses import dataclass
from urllib.parse import parse_qsl, urlsplit

from ._errors import SpecError
from .specs import ServerSpec, fill_placeholders, is_secret_param, looks_like_secret

__all__ = ["ResolvedLaunch"]


@dataclass(frozen=True)
class ResolvedLaunch:
    """What connecting really uses: placeholders filled, hidden values restored. Never stored or shown."""

    command: str
    args: tuple[str, ...]
    url: str
    env: Mapping[str, str]
    headers: Mapping[str, str]

    @classmethod
    def resolve(cls, spec: ServerSpec, environ: Mapping[str, str] | None,
                inputs: Mapping[str, str] | None) -> "ResolvedLaunch":
        env, headers = spec.secrets.resolve(environ, inputs)
        for name, value in headers.items():
            # HTTP libraries quote an illegal value back in their error text: refuse it here, by name only.
            if any(ord(c) < 0x20 or ord(c) == 0x7F for c in value) or not value.isascii():
                raise SpecError(f"header {name!r}: the value has control or non-ASCII characters an HTTP "
                                f"header cannot carry")
        fill = functools.partial(fill_placeholders, environ=environ, inputs=inputs)
        return cls(
            command=fill(spec.command or "", what="the command"),
            args=tuple(fill(a, what=f"argument {i + 1}") for i, a in enumerate(spec.launch_args)),
            url=fill(spec.connect_url or "", what="the url"),
            env=env,
            headers=headers,
        )

    def secret_values(self, spec: ServerSpec) -> list[str]:
        """Values to scrub from anything kept: env, headers, and args/URL that differ from their display form."""
        hidden = [real for real, shown in zip(self.args, spec.args) if real != shown]
        if spec.transport != "stdio" and self.url != spec.url:
            hidden.append(self.url)
            hidden.extend(_url_secrets(self.url))
        # "Bearer <token>": the token alone is the secret, and a server may echo just that part.
        bare = [v.split(None, 1)[1] for v in self.headers.values() if len(v.split(None, 1)) == 2]
        env = [part for name, value in self.env.items() for part in _env_secrets(name, value)]
        return [*env, *self.headers.values(), *bare, *hidden]


# Environment values that are settings, not secrets: scrubbing them from everything a server sends would
# shred its descriptions (DEBUG=true turns every "true" into ***, AWS_REGION=us-east-1 every region name).
_PLAIN_SETTING = re.compile(r"(?i)(true|false|yes|no|on|off|none|null|\d+([.:]\d+)*|[a-z]{1,20}([-_.][a-z0-9]{1,20}){0,3})")


def _env_secrets(name: str, value: str) -> list[str]:
    """The parts of one environment variable to scrub: the whole value when its name says it is a secret or
    its shape does; for a URL, its password and query values; nothing for a plain setting, a path or a word."""
    if not value:
        return []
    if is_secret_param(name) or any(is_secret_param(part) for part in re.split(r"[_-]+", name) if part):
        return [value]
    if "://" in value:
        return _url_secrets(value)
    if looks_like_secret(value):
        return [value]
    if _PLAIN_SETTING.fullmatch(value) or value.startswith(("/", "~", "./", "../")) or len(value) < 12:
        return []
    return [value]  # long and not obviously a setting: hide it rather than risk it


def _url_secrets(url: str) -> list[str]:
    """The password and query values of a URL, each of which may be a secret."""
    parts = urlsplit(url)
    values = [parts.password or ""]
    values += [v for _, v in parse_qsl(parts.query)]
    return [v for v in values if v]
