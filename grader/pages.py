"""The Jinja2 environment of the grader's HTML pages (``grader/templates/``), autoescaping on."""
from __future__ import annotations

from functools import lru_cache
from pathlib import Path

__all__ = ["TEMPLATES", "render"]

TEMPLATES = Path(__file__).with_name("templates")


@lru_cache(maxsize=1)
def _env():
    from jinja2 import Environment, FileSystemLoader, StrictUndefined
    return Environment(loader=FileSystemLoader(str(TEMPLATES)), autoescape=True, undefined=StrictUndefined,
                       trim_blocks=True, lstrip_blocks=True)


def render(name: str, **context) -> str:
    """Render ``grader/templates/<name>`` with ``context`` (every value escaped unless marked safe)."""
    return _env().get_template(name).render(**context)
