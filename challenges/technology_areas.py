"""NATO's priority emerging and disruptive technologies (data/diana-facts.md).

Reference data: a migration creates them, so a fresh portal can publish a
programme without the demo; staff may add more in the admin.
"""

# (slug, name), in NATO's order.
PRIORITY_TECHNOLOGY_AREAS: list[tuple[str, str]] = [
    ("artificial-intelligence", "Artificial intelligence"),
    ("big-data", "Big-data processing"),
    ("quantum", "Quantum-enabled technologies"),
    ("autonomy", "Autonomy"),
    ("biotechnology", "Biotechnology and human enhancement"),
    ("novel-materials", "Novel materials and manufacturing"),
    ("space", "Space"),
    ("energy-propulsion", "Energy and propulsion"),
    ("hypersonics", "Hypersonics"),
    ("next-generation-communications", "Next-generation communications networks"),
]
