"""Turn "what to look at" (a client config, a command line, a URL, the bundled demo) into ServerSpecs.

The CLI's target options and the notebooks' parameter cells both come through ``targets()``, so a
notebook pointed at a config sees exactly the servers ``mcprisk scan --config`` would.
"""

from __future__ import annotations

import os
import shlex
from collections.abc import Mapping, Sequence

from ._errors import SpecError
from .specs import ServerSpec

__all__ = ["env_reference", "targets"]


def env_reference(value: str) -> str:
    """``env:VAR`` (the CLI's way to name a secret) becomes the ``${env:VAR}`` template; other values pass."""
    return "${env:" + value[4:] + "}" if value.startswith("env:") else value


def targets(*, config: str | os.PathLike[str] | Sequence[str | os.PathLike[str]] | None = None,
            servers: Sequence[str] | None = None, command: str | Sequence[str] | None = None,
            env: Mapping[str, str] | None = None, url: str | Sequence[str] | None = None,
            headers: Mapping[str, str] | None = None, sse: bool = False, name: str | None = None,
            demo: str | Sequence[str] | None = None, demo_profile: str | Mapping[str, str] = "full",
            demo_insecure: str | Sequence[str] = ()) -> list[ServerSpec]:
    """Specs for every target given, in order: config servers, the command, the URLs, the demo servers.

    ``servers`` selects servers of ``config`` by name; without it, entries the client keeps disabled are left
    out. Header and env values may be ``env:VAR``.
    ``demo_profile`` is one profile for every demo server, or a mapping from demo server to profile.
    Raises SpecError when nothing is given, a selected server is missing, or two servers share a name.
    """
    specs: list[ServerSpec] = []
    if config is not None:
        from .configs import load_config

        paths = [config] if isinstance(config, (str, os.PathLike)) else list(config)
        for path in paths:
            specs.extend(load_config(os.path.expanduser(str(path))))
        if servers:
            missing = set(servers) - {s.name for s in specs}
            if missing:
                known = ", ".join(sorted(s.name for s in specs)) or "none"
                raise SpecError(f"server(s) {', '.join(sorted(missing))} not in the config (servers: {known})")
            specs = [s for s in specs if s.name in set(servers)]  # a disabled one named here is wanted
        else:
            specs = [s for s in specs if not s.disabled]  # the client keeps it but does not start it: neither do we
    elif servers:
        raise SpecError("servers= selects servers from a config; give config= too")
    if command:
        argv = shlex.split(command) if isinstance(command, str) else list(command)
        specs.append(ServerSpec.stdio(argv, name=name, env={k: env_reference(v) for k, v in (env or {}).items()}))
    urls = [url] if isinstance(url, str) else list(url or ())
    for u in urls:
        specs.append(ServerSpec.http(u, name=name if len(urls) == 1 else None,
                                     headers={k: env_reference(v) for k, v in (headers or {}).items()},
                                     transport="sse" if sse else "http"))
    if demo:
        from .demo import demo_spec

        for server in [demo] if isinstance(demo, str) else list(demo):
            profile = demo_profile if isinstance(demo_profile, str) else demo_profile.get(server, "full")
            specs.append(demo_spec(server, profile=profile, insecure=demo_insecure))
    if not specs:
        raise SpecError("nothing to look at: give a config, a command, a url or a demo server")
    names = [s.name for s in specs]
    dupes = sorted({n for n in names if names.count(n) > 1})
    if dupes:
        raise SpecError(f"two servers are named {', '.join(dupes)}; give a name or select servers")
    return specs
