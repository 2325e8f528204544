"""tests/matrix.py finds every supported Python, free-threaded builds included, by name alone."""

from tests.matrix import VERSION, Row, found_versions


def test_version_names():
    assert VERSION.match("python3.13t")[1] == "3.13t"
    assert VERSION.match("python3.14")[1] == "3.14"
    assert VERSION.match("python3.13-config") is None and VERSION.match("python3") is None


def test_found_versions_are_supported_and_ordered():
    versions = found_versions()
    numbers = [int(v.split(".")[1].rstrip("t")) for v in versions]
    assert all(n >= 11 for n in numbers) and numbers == sorted(numbers)


def test_one_core_row_has_its_own_name():
    assert Row("3.11", "default", one_core=True).name == "py3.11-default-1core"
