from pathlib import Path

import pytest

from commentsvc.spam.data import DataError, bundled_files, load_csv, load_csvs


def write(tmp_path: Path, text: str, name: str = "f.csv", raw: bytes | None = None) -> Path:
    path = tmp_path / name
    if raw is not None:
        path.write_bytes(raw)
    else:
        path.write_text(text, encoding="utf-8")
    return path


def test_bundled_files_load_with_groups_and_hashes():
    dataset = load_csvs(bundled_files())
    assert len(dataset) == 1586
    assert sum(dataset.labels) == 831
    assert set(dataset.groups) == {p.name for p in bundled_files()}
    assert all(len(sha) == 64 for sha in dataset.sources.values())


def test_multiline_quoted_fields_and_optional_columns(tmp_path):
    path = write(
        tmp_path,
        'AUTHOR,CONTENT,CLASS,WEBSITE\nAnn,"line one\nline two",0,\nBob,"buy, now",1,http://x.com\n',
    )
    dataset = load_csv(path)
    assert [item.text.body for item in dataset.items] == ["line one\nline two", "buy, now"]
    assert dataset.items[1].text.website == "http://x.com"
    assert dataset.items[1].text.author == "Bob"
    # The second record starts on line 4, after the two-line first record.
    assert [item.line for item in dataset.items] == [2, 4]


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("CONTENT\nhello\n", "f.csv:1: missing column(s) CLASS"),
        ("AUTHOR,CLASS\nann,1\n", "f.csv:1: missing column(s) CONTENT"),
        ('CONTENT,CLASS\nhello,0\n"two\nlines",yes\n', "f.csv:3: CLASS must be 0 or 1, got 'yes'"),
        ("CONTENT,CLASS\nhello,0,extra\n", "f.csv:2: wrong number of fields"),
        ("CONTENT,CLASS\nhello\n", "f.csv:2: wrong number of fields"),
        ("CONTENT,CLASS\n", "f.csv: no rows"),
        ('CONTENT,CLASS\n"never closed,1\n', "f.csv:"),
    ],
)
def test_loader_errors_name_file_and_line(tmp_path, text, message):
    path = write(tmp_path, text)
    with pytest.raises(DataError) as error:
        load_csv(path)
    assert message in str(error.value)


def test_not_utf8_names_the_line(tmp_path):
    path = write(tmp_path, "", raw=b"CONTENT,CLASS\nok,0\ncaf\xe9,1\n")
    with pytest.raises(DataError, match=r"f\.csv:3: not UTF-8"):
        load_csv(path)


def test_missing_file_and_duplicate_names(tmp_path):
    with pytest.raises(DataError, match="cannot read"):
        load_csv(tmp_path / "absent.csv")
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    first = write(tmp_path / "a", "CONTENT,CLASS\nx,0\n")
    second = write(tmp_path / "b", "CONTENT,CLASS\ny,1\n")
    with pytest.raises(DataError, match="share a name"):
        load_csvs([first, second])
    with pytest.raises(DataError, match="no CSV file"):
        load_csvs([])


def test_directory_means_every_csv(tmp_path):
    write(tmp_path, "CONTENT,CLASS\nx,0\n", "one.csv")
    write(tmp_path, "CONTENT,CLASS\ny,1\n", "two.csv")
    dataset = load_csvs([tmp_path])
    assert dataset.groups == ["one.csv", "two.csv"]


PAGES = "FILE,PAGE_URL\n"


def test_pages_sidecar_gives_each_file_its_page(tmp_path):
    write(tmp_path, "CONTENT,CLASS\nx,0\n", "one.csv")
    write(tmp_path, "CONTENT,CLASS,PAGE_URL\ny,1,\nz,0,https://ex.fr/own\n", "two.csv")
    write(tmp_path, PAGES + "one.csv,https://ex.fr/one\ntwo.csv,https://ex.fr/two\n", "pages.csv")
    dataset = load_csvs([tmp_path])
    # The sidecar is no data file; a filled-in PAGE_URL cell wins over it.
    assert dataset.groups == ["one.csv", "two.csv", "two.csv"]
    assert [item.text.page_url for item in dataset.items] == [
        "https://ex.fr/one",
        "https://ex.fr/two",
        "https://ex.fr/own",
    ]
    assert f"{tmp_path.name}/pages.csv" in dataset.sources


def test_bundled_files_have_their_videos():
    pages = {item.group: item.text.page_url for item in load_csvs(bundled_files()).items}
    assert pages["Youtube01-Psy.csv"] == "https://www.youtube.com/watch?v=9bZkp7q19f0"
    assert pages["Youtube03-LMFAO.csv"] == "https://www.youtube.com/watch?v=KQ6zr6kCPj8"
    assert "pages.csv" not in {path.name for path in bundled_files()}


@pytest.mark.parametrize(
    ("pages", "message"),
    [
        ("FILE\none.csv\n", "pages.csv:1: missing column(s) PAGE_URL"),
        (PAGES + "one.csv,https://ex.fr/a\nabsent.csv,https://ex.fr/b\n", "pages.csv:3: no data"),
        (PAGES + "one.csv,not a url\n", "pages.csv:2: PAGE_URL is not a page address"),
        (PAGES + "one.csv,https://ex.fr/a\none.csv,https://ex.fr/b\n", "pages.csv:3: one.csv"),
        (PAGES + "one.csv,https://ex.fr/a,extra\n", "pages.csv:2: wrong number of fields"),
    ],
)
def test_pages_sidecar_errors_name_file_and_line(tmp_path, pages, message):
    data = write(tmp_path, "CONTENT,CLASS\nx,0\n", "one.csv")
    write(tmp_path, pages, "pages.csv")
    with pytest.raises(DataError) as error:
        load_csv(data)
    assert message in str(error.value)


def test_bad_page_url_column_names_file_and_line(tmp_path):
    path = write(tmp_path, 'CONTENT,CLASS,PAGE_URL\nx,0,https://ex.fr/a\n"a\nb",1,ftp://x\n')
    with pytest.raises(DataError, match=r"f\.csv:3: PAGE_URL is not a page address"):
        load_csv(path)
