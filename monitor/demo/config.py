"""The demo's configuration: its bundled settings, the default watch targets and the served outlets."""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from importlib import resources
from pathlib import Path

from monitor.config import Config, Source, parse_config
from monitor.demo.server import DemoOutlet
from monitor.nlp.targets import default_targets

DEMO_CONFIG = "demo.toml"


def demo_config(outlets: Sequence[DemoOutlet]) -> Config:
    """The bundled demo settings with the served outlets as sources (private addresses allowed)."""
    text = resources.files("monitor.demo").joinpath(DEMO_CONFIG).read_text("utf-8")
    config = parse_config(text, Path(DEMO_CONFIG))
    sources = tuple(
        Source(key=o.key, name=o.name, url=o.url, kind=o.kind, weight=o.weight, allow_private=True)
        for o in outlets
    )
    return dataclasses.replace(config, sources=sources, watches=default_targets())
