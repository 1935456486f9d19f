"""Public holidays from the pinned `holidays` package, by country and subdivision."""

from __future__ import annotations

import datetime as dt

import pytest

from optimizer.calendars import CalendarError, calendars_of, check_calendar, public_holidays

MARCH = (dt.date(2027, 3, 1), dt.date(2027, 4, 1))


@pytest.mark.parametrize(
    ("country", "subdivision", "expected"),
    [
        (
            "PH",
            None,
            {"2027-03-09", "2027-03-25", "2027-03-26", "2027-03-27"},
        ),  # Eid (est.), Holy Week
        ("PL", None, {"2027-03-28", "2027-03-29"}),  # Easter Sunday and Monday
        ("PT", None, {"2027-03-26", "2027-03-28"}),  # Good Friday, Easter Sunday
        ("IE", None, {"2027-03-17", "2027-03-29"}),  # St Patrick's Day, Easter Monday
        ("EG", None, {"2027-03-09", "2027-03-10"}),  # Eid al-Fitr (estimated)
        ("MX", None, {"2027-03-15"}),  # Benito Juárez's birthday (3rd Monday of March)
        (
            "CO",
            None,
            {"2027-03-22", "2027-03-25", "2027-03-26"},
        ),  # St Joseph (observed), Holy Thu/Fri
        ("MY", None, {"2027-03-10", "2027-03-11"}),  # Hari Raya Aidilfitri
        ("DE", "BY", {"2027-03-26", "2027-03-29"}),  # Good Friday, Easter Monday
        ("SA", None, {"2027-03-09", "2027-03-10", "2027-03-11", "2027-03-12", "2027-03-14"}),
    ],
)
def test_march_2027_holidays(country, subdivision, expected):
    got = public_holidays(country, subdivision, *MARCH)
    assert {d.isoformat() for d in got} == expected


def test_islamic_dates_are_marked_estimated():
    names = public_holidays("EG", None, *MARCH).values()
    assert all("estimated" in n for n in names)


def test_names_are_english_where_offered():
    assert public_holidays("PT", None, *MARCH)[dt.date(2027, 3, 26)] == "Good Friday"


def test_extra_dates_join_the_table():
    extra = {dt.date(2027, 3, 3): "Company day", dt.date(2027, 5, 1): "outside"}
    got = public_holidays("MX", None, *MARCH, extra=extra)
    assert got[dt.date(2027, 3, 3)] == "Company day" and dt.date(2027, 5, 1) not in got


@pytest.mark.parametrize(("country", "subdivision"), [("XX", None), ("DE", "ZZ")])
def test_unknown_country_or_subdivision_is_a_clear_error(country, subdivision):
    with pytest.raises(CalendarError, match=country if subdivision is None else subdivision):
        check_calendar(country, subdivision)


def test_scenario_tables_per_site_and_market(load, mini_data):
    mini_data["horizon"]["days"] = 28
    mini_data["extra_holidays"] = {"LIS": ["2027-03-02"], "PT": {"2027-03-03": "Market day"}}
    cal = calendars_of(load(mini_data))
    assert dt.date(2027, 3, 2) in cal.site["LIS"] and dt.date(2027, 3, 2) not in cal.market["PT"]
    # key "PT" is both the market id and the country code: it applies to both
    assert dt.date(2027, 3, 3) in cal.market["PT"] and dt.date(2027, 3, 3) in cal.site["LIS"]
    assert dt.date(2027, 3, 26) in cal.site["LIS"]
