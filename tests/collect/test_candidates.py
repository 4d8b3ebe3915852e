"""Reading sources: the course's one-URL-a-line lists, CSV url,class files, and city folders."""

import pytest

from trainer.collect.candidates import list_folder, read_url_list
from trainer.collect.errors import BadSource


def test_plain_list_in_the_courses_format(tmp_path):
    """One URL a line (blank lines, comments and repeats dropped) all go to --class."""
    path = tmp_path / "urls_munich.txt"
    path.write_text("https://a.example/1.jpg\n\n# saved from the browser\nhttps://a.example/2.jpg\nhttps://a.example/1.jpg\n")
    assert read_url_list(path, "Munich") == {"Munich": ["https://a.example/1.jpg", "https://a.example/2.jpg"]}


def test_csv_with_url_and_class_columns(tmp_path):
    """CSV rows go to their own class; --class fills rows that leave it empty."""
    path = tmp_path / "links.csv"
    path.write_text('url,class\nhttps://a.example/1.jpg,Cebu\n"https://a.example/2.jpg?x=1,2",Seoul\nhttps://a.example/3.jpg,\n')
    assert read_url_list(path, "Munich") == {
        "Cebu": ["https://a.example/1.jpg"],
        "Seoul": ["https://a.example/2.jpg?x=1,2"],
        "Munich": ["https://a.example/3.jpg"],
    }


def test_csv_row_without_class_and_no_default_is_refused(tmp_path):
    """A CSV row with no class and no --class names its line."""
    path = tmp_path / "links.csv"
    path.write_text("url,class\nhttps://a.example/1.jpg,Cebu\nhttps://a.example/2.jpg,\n")
    with pytest.raises(BadSource, match="line 3"):
        read_url_list(path)


def test_empty_or_missing_list_is_refused(tmp_path):
    """An empty file and a missing one both get a clear message."""
    (tmp_path / "empty.txt").write_text("\n\n")
    with pytest.raises(BadSource, match="empty"):
        read_url_list(tmp_path / "empty.txt", "Cebu")
    with pytest.raises(BadSource, match="cannot read"):
        read_url_list(tmp_path / "nope.txt", "Cebu")


def test_folder_listing_skips_hidden_files_and_notes_loose_ones(tmp_path):
    """Sub-folders become classes (nested files included); hidden files are skipped; top-level files are listed apart."""
    (tmp_path / "Cebu" / "beach").mkdir(parents=True)
    (tmp_path / "Cebu" / "beach" / "1.jpg").write_bytes(b"x")
    (tmp_path / "Cebu" / ".DS_Store").write_bytes(b"x")
    (tmp_path / "stray.jpg").write_bytes(b"x")
    listing = list_folder(tmp_path)
    assert {name: [path.name for path in files] for name, files in listing.files_by_folder.items()} == {"Cebu": ["1.jpg"]}
    assert [path.name for path in listing.loose_files] == ["stray.jpg"]
