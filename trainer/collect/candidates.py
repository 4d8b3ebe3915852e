"""Candidates: one file or URL that may become a labelled image, and readers for folders and URL lists."""

import csv
import io
from dataclasses import dataclass
from pathlib import Path
from typing import Optional

from trainer.collect.errors import BadSource

URL_COLUMNS = ("url", "link", "image")
CLASS_COLUMNS = ("class", "city", "label")


@dataclass(frozen=True)
class Candidate:
    """A file or a URL to try, with the search query that found it (if any)."""

    url: Optional[str] = None
    path: Optional[Path] = None
    query: Optional[str] = None

    @property
    def name(self) -> str:
        """How the summary names this candidate."""
        return self.url if self.url is not None else str(self.path)


@dataclass
class FolderListing:
    """A data-set folder: candidate files per sub-folder name, and files lying outside any sub-folder."""

    files_by_folder: dict[str, list[Path]]
    loose_files: list[Path]


def list_folder(root: Path) -> FolderListing:
    """One sub-folder per city (files found recursively, hidden ones skipped), sorted for a stable order."""
    root = Path(root)
    if not root.is_dir():
        raise BadSource(f"{root} is not a folder")
    files_by_folder: dict[str, list[Path]] = {}
    loose: list[Path] = []
    for entry in sorted(root.iterdir()):
        if entry.name.startswith("."):
            continue
        if entry.is_dir():
            files_by_folder[entry.name] = sorted(
                path for path in entry.rglob("*") if path.is_file() and not _hidden(path, entry)
            )
        elif entry.is_file():
            loose.append(entry)
    return FolderListing(files_by_folder, loose)


def _hidden(path: Path, top: Path) -> bool:
    return any(part.startswith(".") for part in path.relative_to(top).parts)


def read_url_list(path: Path, default_class: Optional[str] = None) -> dict[str, list[str]]:
    """URLs per class name from a plain list (one URL a line, `--class` needed) or a CSV with url,class columns."""
    try:
        text = Path(path).read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as error:
        raise BadSource(f"cannot read the URL list {path}: {error}") from None
    lines = [line.strip() for line in text.splitlines() if line.strip() and not line.lstrip().startswith("#")]
    if not lines:
        raise BadSource(f"the URL list {path} is empty")
    header = [cell.strip().lower() for cell in next(csv.reader([lines[0]]))]
    if any(column in header for column in URL_COLUMNS):
        return _read_csv(path, "\n".join(lines), header, default_class)
    if default_class is None:
        raise BadSource(f"{path} is a plain URL list; say which city it shows with --class CITY")
    return {default_class: _unique(lines)}


def _read_csv(path: Path, text: str, header: list[str], default_class: Optional[str]) -> dict[str, list[str]]:
    url_column = next(column for column in URL_COLUMNS if column in header)
    class_column = next((column for column in CLASS_COLUMNS if column in header), None)
    if class_column is None and default_class is None:
        raise BadSource(f"{path} has no class column ({'/'.join(CLASS_COLUMNS)}); add one or pass --class CITY")
    by_class: dict[str, list[str]] = {}
    rows = csv.reader(io.StringIO(text))
    next(rows)
    for number, row in enumerate(rows, start=2):
        cells = dict(zip(header, (cell.strip() for cell in row)))
        url = cells.get(url_column, "")
        city = (cells.get(class_column, "") if class_column else "") or default_class
        if not url:
            continue
        if not city:
            raise BadSource(f"{path} line {number}: no class for {url}; fill it in or pass --class CITY")
        by_class.setdefault(city, []).append(url)
    return {city: _unique(urls) for city, urls in by_class.items()}


def _unique(items: list[str]) -> list[str]:
    return list(dict.fromkeys(items))
