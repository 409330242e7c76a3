"""The schemas: valid Cerberus definitions, closed, with messages that say where and what."""
import pytest
from cerberus import schema as cerberus_schema

from signoff.schema import VALIDATE_DEFINITION, DataValidator, load_schema
from signoff.sources import DATA_FILES
from signoff.validation import check_data
from signoff.errors import DataError
from conftest import copy_5x8, edit


@pytest.mark.parametrize("name", [name for name, _ in DATA_FILES])
def test_shipped_schemas_are_valid_definitions(name):
    definition = cerberus_schema.DefinitionSchema.__new__(cerberus_schema.DefinitionSchema, DataValidator({}))
    cerberus_schema.DefinitionSchema.__init__(definition, DataValidator({}), {})
    VALIDATE_DEFINITION(definition, load_schema(name))


def problems(folder):
    with pytest.raises(DataError) as caught:
        check_data(folder)
    return [p.format().split(str(folder) + "/", 1)[-1] for p in caught.value.problems]


def test_unknown_key_typo_is_an_error_with_a_hint(data_copy):
    folder = data_copy("data")
    edit(folder / "report.yaml", "signatories:", "signatorys:")
    found = problems(folder)
    assert any(line.startswith("report.yaml:") and "error: signatorys: unknown key 'signatorys'; did you mean "
               "'signatories'?" in line for line in found)
    assert any("error: signatories: is required" in line for line in found)


def test_wrong_party_and_bad_date(data_copy):
    folder = data_copy("data")
    edit(folder / "project.yaml", "party: contractor", "party: contracter")
    edit(folder / "report.yaml", "date: 2026-11-20", "date: 2026-02-30")
    found = problems(folder)
    assert any(": error: people." in line and ".party: 'contracter' is not one of customer, contractor" in line
               for line in found)
    assert any(line.startswith("report.yaml:") and "error: date: '2026-02-30' is not a valid date" in line
               for line in found)


def test_boolean_is_not_an_integer(data_copy):
    folder = data_copy("data")
    edit(folder / "delivery.yaml", "quantity: 4,", "quantity: true,")
    assert any(line.startswith("delivery.yaml:7:") and "error: hardware[0].quantity: true is not a whole number"
               in line for line in problems(folder))


def test_a_project_code_longer_than_a_file_name_allows_is_an_error_at_its_line(data_copy):
    """The code names every file: a code of 240 characters passed check and build, then `bundle` could not write
    its archive ("File name too long", found by an attacker). It is an error of project.yaml."""
    folder = data_copy("data")
    edit(folder / "project.yaml", "  code: ZHYQ-2026-017\n", "  code: " + "A" * 41 + "\n")
    with pytest.raises(DataError) as caught:
        check_data(folder)
    assert [p.format().replace(str(folder), "data") for p in caught.value.problems] == [
        f"data/project.yaml:4:9: error: project.code: '{'A' * 41}' is 41 characters; the limit is 40"]


def test_a_number_where_text_is_due_says_to_quote_it_and_too_many_digits_say_so(tmp_path):
    """`id: 2027` said "2027 is not text", and a window of 20 digits "is not a whole number", neither saying what
    to change (found by an attacker)."""
    folder = copy_5x8(tmp_path)
    edit(folder / "visits.yaml", "  - id: 2027-Q1", "  - id: 2027")
    edit(folder / "visits.yaml", "    window: 1\n", "    window: 01\n")
    edit(folder / "service.yaml", "  preventive:\n    every: quarter\n",
         "  preventive:\n    every: quarter\n    notice_working_days: 99999999999999999999\n")
    edit(folder / "service.yaml", "working_hours: [08:30-12:00, 13:30-17:30]", "working_hours: [7, 13:30-17:30]")
    with pytest.raises(DataError) as caught:
        check_data(folder)
    found = [p.format().split(str(folder) + "/", 1)[-1] for p in caught.value.problems]
    assert 'visits.yaml:4:9: error: visits[0].id: 2027 is not text; quote it: "2027"' in found, found
    assert "visits.yaml:6:13: error: visits[0].window: '01' is not a whole number: write 1, without leading " \
        "zeros or quotes" \
        in found, found
    assert any(p.endswith("maintenance.preventive.notice_working_days: '99999999999999999999' is too large a "
                          "number (at most 18 digits)") for p in found), found
    # quoted, 7 would still not be an interval: no hint to quote it
    assert any(p.endswith("working_hours[0]: 7 is not text") for p in found), found


def test_a_huge_value_is_not_echoed_whole_and_a_time_of_a_far_year_says_so(tmp_path):
    """A 4,400-digit quantity was echoed whole into a 4,514-character error line; `reported_at: 9999-12-16 10:00`
    was "not a valid time (no such day, hour or minute)", where the same year in a date says the years allowed."""
    folder = copy_5x8(tmp_path)
    edit(folder / "faults.yaml", "reported_at: 2026-12-16 10:00", "reported_at: 9999-12-16 10:00")
    edit(folder / "faults.yaml", "channel: phone", "channel: " + "x" * 5000)
    edit(folder / "faults.yaml", "level: 2", "level: " + "9" * 4400)
    found = [line for line in problems(folder) if line.startswith("faults.yaml:")]
    assert "faults.yaml:8:18: error: faults[0].reported_at: '9999-12-16 10:00' is outside the years 1900–2999" in found
    assert any(line.endswith(f"error: faults[0].channel: {'x' * 40!r}… (5,000 characters) is not one of phone, "
                             "email, portal, onsite, other") for line in found), found
    assert "faults.yaml:7:12: error: faults[0].level: a number of 4,400 digits is too large a number (at most 18 digits)" \
        in found, found
    assert max(map(len, found)) < 300, found
