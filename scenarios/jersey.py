"""Jersey place data for invented addresses, and Jersey working days.

The twelve parishes are real; every street name below is invented for
Threshold and any match with a real street is a coincidence. Postcode
districts follow the broad pattern of Jersey's JE1-JE3 districts, and the
inward part of a generated postcode is random, so no address here belongs
to anyone.
"""

from __future__ import annotations

from datetime import date
from functools import lru_cache

import holidays

PARISHES: tuple[str, ...] = (
    "Grouville",
    "St Brelade",
    "St Clement",
    "St Helier",
    "St John",
    "St Lawrence",
    "St Martin",
    "St Mary",
    "St Ouen",
    "St Peter",
    "St Saviour",
    "Trinity",
)

#: Postcode district used for each parish when inventing an address.
POSTCODE_DISTRICTS: dict[str, str] = {
    "Grouville": "JE3",
    "St Brelade": "JE3",
    "St Clement": "JE2",
    "St Helier": "JE2",
    "St John": "JE3",
    "St Lawrence": "JE3",
    "St Martin": "JE3",
    "St Mary": "JE3",
    "St Ouen": "JE3",
    "St Peter": "JE3",
    "St Saviour": "JE2",
    "Trinity": "JE3",
}

#: Invented street names in the island's mix of French and English styles.
STREETS: tuple[str, ...] = (
    "Rue des Trois Saules",
    "Chemin des Hirondelles Bleues",
    "Clos de la Lanterne Verte",
    "Rue du Vieux Tonnelier",
    "La Ruette des Genêts Dorés",
    "Clos des Sept Cerisiers",
    "Rue de la Mare aux Grenouilles",
    "Chemin du Pressoir Rouge",
    "Clos du Petit Colombier",
    "Rue des Quatre Moulins",
    "Le Mont des Alouettes",
    "Clos de l'Ancre Brisée",
    "Rue du Puits Fleuri",
    "Chemin de la Vieille Forge",
    "Clos des Goélands Gris",
    "Kestrel Mews",
    "Samphire Row",
    "Oystercatcher Court",
    "Lantern Terrace",
    "Seaholly Gardens",
    "Bramblewick Close",
    "Tidewater Walk",
)

#: Common island surnames, mixed with Faker's surnames in variants.
SURNAMES: tuple[str, ...] = (
    "Le Brun",
    "Le Cornu",
    "Renouf",
    "Vibert",
    "Pallot",
    "Le Marquand",
    "de Gruchy",
    "Romeril",
    "Le Sueur",
    "Falle",
    "Gallichan",
    "Hamon",
    "Journeaux",
    "Le Quesne",
    "Mourant",
    "Querée",
    "Le Feuvre",
    "Bisson",
)


@lru_cache(maxsize=64)
def _holidays_for(year: int) -> frozenset[date]:
    return frozenset(holidays.country_holidays("JE", years=year).keys())


def is_jersey_working_day(day: date) -> bool:
    """Return True for a weekday that is not a Jersey public holiday."""
    return day.weekday() < 5 and day not in _holidays_for(day.year)
