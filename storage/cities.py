"""Cities (classes): adding, deactivating, and matching what a person typed to a city."""

import difflib
import unicodedata
from typing import Iterable, Optional

from sqlalchemy import select
from sqlalchemy.orm import Session

from storage.errors import DuplicateCity, UnknownCity
from storage.models import City


def normalise_name(text: str) -> str:
    """Case-, accent- and spacing-insensitive form of a city name ('  MÜNCHEN ' -> 'munchen')."""
    decomposed = unicodedata.normalize("NFKD", text.replace("ß", "ss"))
    stripped = "".join(char for char in decomposed if not unicodedata.combining(char))
    return " ".join(stripped.casefold().replace("-", " ").split())


def list_cities(session: Session, include_inactive: bool = False) -> list[City]:
    """Cities sorted by name; active ones only unless asked."""
    query = select(City).order_by(City.name)
    if not include_inactive:
        query = query.where(City.active.is_(True))
    return list(session.scalars(query))


def get_city(session: Session, name: str) -> Optional[City]:
    """The city (active or not) whose name or alias equals `name` after normalisation."""
    wanted = normalise_name(name)
    for city in list_cities(session, include_inactive=True):
        if wanted in _names_of(city):
            return city
    return None


def add_city(session: Session, name: str, aliases: Iterable[str] = ()) -> City:
    """Add a city, or reactivate and extend a deactivated one; a clash with another city is refused."""
    name = " ".join(name.split())
    if not name:
        raise UnknownCity("a city needs a name")
    existing = get_city(session, name)
    if existing is not None and normalise_name(existing.name) != normalise_name(name):
        raise DuplicateCity(f"{name!r} is already an alias of {existing.name}")
    for alias in aliases:
        owner = get_city(session, alias)
        if owner is not None and owner is not existing:
            raise DuplicateCity(f"{alias!r} already names {owner.name}")
    if existing is None:
        existing = City(name=name, aliases=[], active=True)
        session.add(existing)
    existing.active = True
    existing.aliases = sorted(set(existing.aliases) | {alias.strip() for alias in aliases if alias.strip()})
    session.flush()
    return existing


def ensure_cities(session: Session, names: Iterable[str]) -> None:
    """Create the initial cities that do not exist yet (deactivated ones stay deactivated)."""
    for name in names:
        if get_city(session, name) is None:
            add_city(session, name)


def deactivate_city(session: Session, name: str) -> City:
    """Stop predicting and training a city; its labels are kept."""
    city = get_city(session, name)
    if city is None:
        raise UnknownCity(f"no city called {name!r}")
    city.active = False
    return city


def match_city(session: Session, text: str, cutoff: float = 0.75) -> City:
    """The active city a person meant: exact name or alias, else the closest within small typos."""
    wanted = normalise_name(text)
    cities = list_cities(session)
    names = {variant: city for city in cities for variant in _names_of(city)}
    if wanted in names:
        return names[wanted]
    close = difflib.get_close_matches(wanted, list(names), n=2, cutoff=cutoff)
    if close and (len(close) == 1 or names[close[0]] is names[close[1]]):
        return names[close[0]]
    known = ", ".join(city.name for city in cities) or "none yet"
    raise UnknownCity(f"I don't know a city called {text.strip()!r}. Known cities: {known}")


def _names_of(city: City) -> set[str]:
    return {normalise_name(city.name), *(normalise_name(alias) for alias in city.aliases)}
