"""Meeting mode's settings (``[meeting]`` in ``ptx.toml``): the slideshow of views a shared
screen steps through, how long each stays, and how often the data is read again.

::

    [meeting]
    slide_seconds = 60
    refresh_minutes = 15
    slides = ["/", "/feedback?measure=fft_pct_positive", "/departments?section=heatmap"]

A slide is a dashboard address as its address bar shows it (the page's path and its query
string): any view a user can bookmark can be a slide.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qsl, urlsplit

from ptx.errors import ConfigError

MIN_SLIDE_SECONDS = 10  # shorter than this, a room cannot read a slide before it moves on


@dataclass(frozen=True)
class Slide:
    """One view of the slideshow: a page ("" is the Overview) and its query parameters."""

    page: str
    params: tuple[tuple[str, str], ...] = ()

    @classmethod
    def parse(cls, address: str, where: str = "[meeting] slides") -> Slide:
        parts = urlsplit(address)
        if parts.scheme or parts.netloc or not parts.path.startswith("/"):
            raise ConfigError(
                f"{where}: {address!r} is not a dashboard address; write the path and query "
                'as the address bar shows them after the host, e.g. "/feedback?measure=nps".'
            )
        return cls(parts.path.strip("/"), tuple(parse_qsl(parts.query, keep_blank_values=True)))

    @property
    def query(self) -> dict[str, str | list[str]]:
        """The query parameters, one given more than once (the dates) as a list."""
        out: dict[str, str | list[str]] = {}
        for name, value in self.params:
            before = out.get(name)
            if before is None:
                out[name] = value
            else:
                out[name] = [*([before] if isinstance(before, str) else before), value]
        return out


@dataclass(frozen=True)
class Meeting:
    """The slideshow: its views, seconds per view, and minutes between data refreshes."""

    slides: tuple[Slide, ...] = ()
    slide_seconds: int = 60
    refresh_minutes: int = 15

    def __post_init__(self) -> None:
        if self.slide_seconds < MIN_SLIDE_SECONDS:
            raise ConfigError(
                f"[meeting] slide_seconds must be {MIN_SLIDE_SECONDS} or more, "
                f"not {self.slide_seconds}."
            )
        if self.refresh_minutes < 1:
            raise ConfigError(
                f"[meeting] refresh_minutes must be 1 or more, not {self.refresh_minutes}."
            )

    def next_slide(self, current: int) -> int:
        """The index of the slide after ``current`` (back to the first after the last)."""
        return (current + 1) % len(self.slides) if self.slides else 0


def meeting_settings(raw: dict[str, Any], where: str) -> Meeting:
    """The ``[meeting]`` section read and checked; ``where`` names the config file in errors."""
    allowed = ("refresh_minutes", "slide_seconds", "slides")
    unknown = set(raw) - set(allowed)
    if unknown:
        raise ConfigError(
            f"{where}: [meeting] has unknown setting(s) {sorted(unknown)}; "
            f"allowed: {', '.join(allowed)}."
        )
    slides = raw.get("slides", [])
    if not isinstance(slides, list) or not all(isinstance(s, str) for s in slides):
        raise ConfigError(f"{where}: [meeting] slides must be a list of dashboard addresses.")
    numbers = {}
    for key in ("slide_seconds", "refresh_minutes"):
        if key in raw:
            value = raw[key]
            if isinstance(value, bool) or not isinstance(value, int):
                raise ConfigError(
                    f"{where}: [meeting] {key} must be a whole number, not {value!r}."
                )
            numbers[key] = value
    try:
        return Meeting(tuple(Slide.parse(s) for s in slides), **numbers)
    except ConfigError as exc:
        raise ConfigError(f"{where}: {exc}") from None
