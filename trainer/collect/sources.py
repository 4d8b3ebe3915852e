"""Turning a folder, a URL list or an image search into city jobs for the pipeline, cities resolved in the store."""

from typing import Iterable, Iterator, Optional

from storage.cities import add_city, list_cities, match_city
from storage.errors import StorageError, UnknownCity
from storage.store import LabelStore
from trainer.collect.candidates import Candidate, list_folder, read_url_list
from trainer.collect.errors import BadSource, SearchStopped
from trainer.collect.pipeline import CityJob
from trainer.collect.search.base import ImageSearch

MAX_QUERY_CHARS = 256  # Image.query's column width
SEARCH_HEADROOM = 3  # ask the search for this many times the target: links die, pictures get refused or deduped


def resolve_cities(store: LabelStore, names: Iterable[str], add_classes: bool) -> dict[str, str]:
    """Each given name mapped to a city (aliases and small typos allowed); unknown names need `add_classes`."""
    with store.transaction() as session:
        mapping, unknown = {}, []
        for name in dict.fromkeys(names):
            try:
                mapping[name] = match_city(session, name).name
            except UnknownCity:
                unknown.append(name)
        if unknown and not add_classes:
            known = ", ".join(city.name for city in list_cities(session)) or "none yet"
            raise BadSource(
                f"unknown cities: {', '.join(unknown)} (known: {known}). "
                "Pass --add-classes to add them, or rename them to a known city or alias."
            )
        try:
            for name in unknown:
                mapping[name] = add_city(session, name).name
        except StorageError as error:
            raise BadSource(str(error)) from None
    return mapping


def folder_jobs(store: LabelStore, root, add_classes: bool) -> tuple[list[CityJob], list[str]]:
    """One job per city from `root/<city>/...`, and notes about files that were left out."""
    listing = list_folder(root)
    if not listing.files_by_folder:
        raise BadSource(f"{root} has no sub-folders; put each city's photos in a folder named after it")
    mapping = resolve_cities(store, listing.files_by_folder, add_classes)
    files_by_city: dict[str, list] = {}
    for folder, files in listing.files_by_folder.items():
        files_by_city.setdefault(mapping[folder], []).extend(files)
    notes = [f"folder {folder!r} → {city}" for folder, city in mapping.items() if folder != city]
    if listing.loose_files:
        notes.append(f"{len(listing.loose_files)} file(s) directly in {root} were left out (no city folder)")
    jobs = [
        CityJob(city, [Candidate(path=path) for path in files], total=len(files))
        for city, files in files_by_city.items()
    ]
    return jobs, notes


def url_list_jobs(store: LabelStore, path, default_class: Optional[str], add_classes: bool) -> list[CityJob]:
    """One job per class named in the URL list (or `default_class` for a plain list)."""
    urls_by_class = read_url_list(path, default_class)
    mapping = resolve_cities(store, urls_by_class, add_classes)
    urls_by_city: dict[str, list[str]] = {}
    for name, urls in urls_by_class.items():
        urls_by_city.setdefault(mapping[name], []).extend(urls)
    return [
        CityJob(city, [Candidate(url=url) for url in dict.fromkeys(urls)], total=len(set(urls)))
        for city, urls in urls_by_city.items()
    ]


def search_jobs(
    store: LabelStore,
    provider: ImageSearch,
    cities: list[str],
    per_class: int,
    suffix: Optional[str],
    photo_type: Optional[str],
    add_classes: bool,
) -> list[CityJob]:
    """One job per city searching "<city> <suffix>", stopping once `per_class` images of that query are stored."""
    mapping = resolve_cities(store, cities, add_classes)
    jobs = []
    for name in cities:
        query = " ".join(part for part in (name, suffix) if part)
        if len(query) > MAX_QUERY_CHARS:
            raise BadSource(f"the search {query[:40]!r}… is longer than {MAX_QUERY_CHARS} characters")
        results = _search_candidates(provider, query, per_class * SEARCH_HEADROOM, photo_type)
        jobs.append(CityJob(mapping[name], results, query=query, target=per_class))
    return jobs


def _search_candidates(provider: ImageSearch, query: str, limit: int, photo_type: Optional[str]) -> Iterator[Candidate]:
    # Lazy: the search runs only when the pipeline reaches this city, and only as far as it needs.
    try:
        for result in provider.search(query, limit, photo_type):
            yield Candidate(url=result.image_url, query=query)
    except SearchStopped:
        raise
    except Exception as error:  # a provider's bug stops this city's search, never the run
        raise SearchStopped(f"{provider.name} failed: {type(error).__name__}: {error}") from error
