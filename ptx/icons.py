"""Making Data Count's variation and assurance icons, as ptx draws them.

NHS England's "Making Data Count" summarises an SPC chart in two icons: **variation** (the last
point: common cause, or special cause of improvement, concern or neither, high or low) and
**assurance** (will the process meet its target: consistently pass, consistently fail, or hit
and miss). Their meaning comes from :mod:`ptx.spc` (``variation_icon``, ``assurance_icon``);
this module names them, colours them from the colour-blind-safe palette of :mod:`ptx.charts`
(blue improvement, orange concern, grey common cause, purple neither) and draws them as small
SVG pictures that carry their meaning in text too (a ``<title>`` and ``aria-label`` for screen
readers, and a letter or arrow for anyone who cannot tell the colours apart).
"""

from __future__ import annotations

from dataclasses import dataclass
from html import escape

from ptx.charts import PALETTE

# kind -> (label, colour name, symbol drawn inside the circle). Colour names are also the names
# Streamlit's metric accepts for its delta, so a tile's change takes the icon's colour.
VARIATION = {
    "common_cause": ("Common cause: no signal", "gray", "~"),
    "improvement_high": ("Improvement: special cause, higher", "blue", "H↑"),
    "improvement_low": ("Improvement: special cause, lower", "blue", "L↓"),
    "concern_high": ("Concern: special cause, higher", "orange", "H↑"),
    "concern_low": ("Concern: special cause, lower", "orange", "L↓"),
    "neutral_high": ("Special cause, higher (neither better nor worse)", "violet", "H↑"),
    "neutral_low": ("Special cause, lower (neither better nor worse)", "violet", "L↓"),
}
ASSURANCE = {
    "consistent_pass": ("Will consistently meet the target", "blue", "P"),
    "consistent_fail": ("Will consistently miss the target", "orange", "F"),
    "inconsistent": ("Will sometimes meet and sometimes miss the target", "gray", "?"),
}
HEX = {
    "blue": PALETTE["blue"],
    "orange": PALETTE["orange"],
    "gray": PALETTE["grey"],
    "violet": PALETTE["purple"],
}
SHORT = {  # a few words for a tile, beside the picture
    "common_cause": "No signal",
    "improvement_high": "Improving",
    "improvement_low": "Improving",
    "concern_high": "Concern",
    "concern_low": "Concern",
    "neutral_high": "Higher",
    "neutral_low": "Lower",
    "consistent_pass": "Meets target",
    "consistent_fail": "Misses target",
    "inconsistent": "Hit and miss",
}


@dataclass(frozen=True)
class Icon:
    """A variation or assurance icon: its kind (ptx.spc's name), label, colour and picture."""

    kind: str
    label: str
    colour: str  # blue, orange, gray or violet
    symbol: str

    @property
    def short(self) -> str:
        return SHORT[self.kind]

    @property
    def hex(self) -> str:
        return HEX[self.colour]

    def svg(self, size: int = 44) -> str:
        """The icon as an inline SVG picture of ``size`` pixels, named for screen readers."""
        label = escape(self.label)
        font = size * (0.42 if len(self.symbol) == 1 else 0.32)
        return (
            f'<svg xmlns="http://www.w3.org/2000/svg" width="{size}" height="{size}" '
            f'viewBox="0 0 {size} {size}" role="img" aria-label="{label}">'
            f"<title>{label}</title>"
            f'<circle cx="{size / 2}" cy="{size / 2}" r="{size / 2 - 3}" fill="white" '
            f'stroke="{self.hex}" stroke-width="4"/>'
            f'<text x="50%" y="50%" dominant-baseline="central" text-anchor="middle" '
            f'font-family="sans-serif" font-weight="bold" font-size="{font:.0f}" '
            f'fill="{self.hex}">{escape(self.symbol)}</text></svg>'
        )


def variation(kind: str | None) -> Icon | None:
    """The variation icon of ``ptx.spc.variation_icon``'s kind (None: no chart)."""
    return None if kind is None else Icon(kind, *VARIATION[kind])


def assurance(kind: str | None) -> Icon | None:
    """The assurance icon of ``ptx.spc.assurance_icon``'s kind (None: no target)."""
    return None if kind is None else Icon(kind, *ASSURANCE[kind])
