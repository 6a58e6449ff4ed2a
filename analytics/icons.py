"""Making Data Count icons as emoji and Norwegian words (we cannot ship NHS England's images).

Every icon comes with its text, so meaning never rests on colour. The keys are those of
analytics.spc (variation of the newest point, assurance against the target).
"""

from __future__ import annotations

VARIATION: dict[str, tuple[str, str]] = {
    "common_cause": ("〰️", "Vanlig variasjon"),
    "improvement_high": ("⬆️", "Forbedring (høy)"),
    "improvement_low": ("⬇️", "Forbedring (lav)"),
    "concern_high": ("⚠️", "Bekymring (høy)"),
    "concern_low": ("⚠️", "Bekymring (lav)"),
    "neutral_high": ("🔼", "Spesiell årsak (høy)"),
    "neutral_low": ("🔽", "Spesiell årsak (lav)"),
}
ASSURANCE: dict[str, tuple[str, str]] = {
    "consistent_pass": ("✔️", "Når målet stabilt"),
    "inconsistent": ("❓", "Treffer og bommer"),
    "consistent_fail": ("✖️", "Når ikke målet"),
}
# Longer explanations for a legend or a tooltip.
VARIATION_HELP = {
    "common_cause": "Ingen spesiell årsak: variasjonen er den prosessen vanligvis gir.",
    "improvement_high": "Spesiell årsak i ønsket retning (høyere er bedre).",
    "improvement_low": "Spesiell årsak i ønsket retning (lavere er bedre).",
    "concern_high": "Spesiell årsak i uønsket retning (høyere enn vanlig).",
    "concern_low": "Spesiell årsak i uønsket retning (lavere enn vanlig).",
    "neutral_high": "Spesiell årsak, høyere enn vanlig (indikatoren har ingen ønsket retning).",
    "neutral_low": "Spesiell årsak, lavere enn vanlig (indikatoren har ingen ønsket retning).",
}
ASSURANCE_HELP = {
    "consistent_pass": "Målet ligger utenfor kontrollgrensene på riktig side: prosessen når det hver gang.",
    "inconsistent": "Målet ligger mellom kontrollgrensene: prosessen når det noen ganger.",
    "consistent_fail": "Målet ligger utenfor kontrollgrensene på feil side: prosessen når det ikke uten endring.",
}
POINT_TYPES: dict[str, tuple[str, str, str]] = {
    # point type → (legend text, plotly marker symbol, colour); symbol and text carry meaning.
    "common_cause": ("Vanlig variasjon", "circle", "#7f7f7f"),
    "special_cause_improvement": ("Spesiell årsak – forbedring", "triangle-up", "#1f5fa8"),
    "special_cause_concern": ("Spesiell årsak – bekymring", "diamond", "#e07000"),
    "special_cause_neutral_high": ("Spesiell årsak – høy", "triangle-up", "#6a3d9a"),
    "special_cause_neutral_low": ("Spesiell årsak – lav", "triangle-down", "#6a3d9a"),
}
NO_VARIATION = "– For få punkter"
NO_ASSURANCE = "– Ikke tallfestet mål"
NO_SPC = "– Ikke SPC (kumulativt antall eller framskriving)"


def variation_text(key: str | None, enough_points: bool = True) -> str:
    """'⬆️ Forbedring (høy)'; '– For få punkter' without limits."""
    if key is None or not enough_points:
        return NO_VARIATION
    icon, text = VARIATION[key]
    return f"{icon} {text}"


ASSURANCE_WITHHELD = "– Ikke vurdert: prosessen har endret seg siden grensene ble beregnet"


def assurance_text(
    key: str | None, has_target: bool = True, enough_points: bool = True, withheld: bool = False
) -> str:
    """'✔️ Når målet stabilt'; a dash and why when there is nothing to assure. withheld: the
    assurance was held back because the newest point is a special cause (SpcResult.assurance_note)."""
    if key in ASSURANCE:
        icon, text = ASSURANCE[key]
        return f"{icon} {text}"
    if not has_target:
        return NO_ASSURANCE
    if not enough_points:
        return NO_VARIATION
    return ASSURANCE_WITHHELD if withheld else "– Ikke vurdert"
