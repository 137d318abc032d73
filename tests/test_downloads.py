"""Data downloads: the build copies the data tables, the descriptor and the schemas into the site, and
the data dictionary links each of them."""

from __future__ import annotations

import re

import pandas as pd
import pytest

from trialkit import book, data
from trialkit.tooling.sphinxext import DATA_FOLDER, ROOT, copy_data_tables


def test_every_table_descriptor_and_schema_is_copied_byte_for_byte(tmp_path):
    stale = tmp_path / "site" / "old" / "removed.csv"
    stale.parent.mkdir(parents=True)
    stale.write_text("x\n1\n")
    copied = copy_data_tables(tmp_path / "site")
    names = {p.relative_to(tmp_path / "site").as_posix() for p in copied}
    for res in data._package(ROOT / "data")["resources"]:
        assert res["path"] in names
        assert (tmp_path / "site" / res["path"]).read_bytes() == (ROOT / "data" / res["path"]).read_bytes()
    assert "datapackage.json" in names
    assert {f"schemas/{p.name}" for p in (ROOT / "data" / "schemas").glob("*.json")} <= names
    assert not any(n.endswith((".yml", ".md")) for n in names)  # tables, descriptor and schemas only
    assert not stale.exists(), "a table no longer in data/ must not stay in the site"


def test_data_dictionary_table_links_each_file_and_schema():
    inventory = data.inventory()
    html = book.data_downloads(inventory).data
    hrefs = re.findall(r'<a class="tk-download" href="([^"]+)" download>', html)
    for path in inventory["file"]:
        assert f"../_static/{DATA_FOLDER}/{path.removeprefix('data/')}" in hrefs, path
    assert f"../_static/{DATA_FOLDER}/datapackage.json" in hrefs
    for schema in set(inventory["schema"]):
        assert f"../_static/{DATA_FOLDER}/schemas/{schema}.json" in hrefs
    assert html.count("<tr") == len(inventory) + 1  # the table itself is unchanged: a row per table


def test_data_downloads_rejects_an_inventory_without_paths_under_data():
    with pytest.raises(ValueError, match="file"):
        book.data_downloads(pd.DataFrame({"study": ["x"], "schema": ["observations"]}))
    with pytest.raises(ValueError, match="under data/"):
        book.data_downloads(pd.DataFrame({"file": ["/etc/passwd"], "schema": ["observations"]}))
