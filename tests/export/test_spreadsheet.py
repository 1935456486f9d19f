"""CSV files for spreadsheets: BOM, OWASP formula neutralisation, money to the minor unit.

Each file is read back with pandas as a user's script would, accents intact.
"""

from __future__ import annotations

import io
from decimal import Decimal

import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

from optimizer.export import render
from optimizer.export.spreadsheet import (
    BOM,
    FORMULA_STARTS,
    csv_bytes,
    minor_unit,
    neutralise,
    round_money,
)
from tests.export.conftest import INJECTION


def read(data: bytes) -> pd.DataFrame:
    return pd.read_csv(io.BytesIO(data), encoding="utf-8-sig", keep_default_na=False)


@pytest.mark.parametrize(
    ("text", "safe"),
    [(INJECTION, "'" + INJECTION), ("+1", "'+1"), ("-2", "'-2"), ("@SUM(A1)", "'@SUM(A1)"),
     ("\tx", "'\tx"), ("\rx", "'\rx"), ("Ana", "Ana"), ("", ""), ("a=b", "a=b")],
)  # fmt: skip
def test_formula_starts_are_neutralised(text, safe):
    assert neutralise(text) == safe


@given(st.text())
def test_no_neutralised_text_starts_a_formula(text):
    safe = neutralise(text)
    assert not safe.startswith(FORMULA_STARTS)
    assert safe in (text, "'" + text)


@pytest.mark.parametrize(
    ("amount", "currency", "expected"),
    [(774.125, "EUR", "774.13"), (25695999.99999994, "USD", "25696000.00"), (12.5, "EUR", "12.50"),
     (1234.5, "JPY", "1235"), (1.23456, "KWD", "1.235"), (-2.675, "EUR", "-2.68"), (0.0, "COP", "0.00"),
     # a sum of per-minute costs a hair under the half: float noise, rounded as the half it is
     (774.1249999999999, "EUR", "774.13"), (217.52499999999998, "USD", "217.53"),
     (12.3449, "USD", "12.34")],
)  # fmt: skip
def test_money_rounds_half_up_to_the_minor_unit(amount, currency, expected):
    assert str(round_money(amount, currency)) == expected


def test_minor_units_of_iso_4217():
    assert (minor_unit("EUR"), minor_unit("JPY"), minor_unit("KWD"), minor_unit("krw")) == (
        2,
        0,
        3,
        0,
    )


@given(
    st.floats(min_value=-1e9, max_value=1e9, allow_nan=False),
    st.sampled_from(["EUR", "JPY", "BHD"]),
)
def test_rounded_money_is_within_half_a_minor_unit(amount, currency):
    step = Decimal(1).scaleb(-minor_unit(currency))
    rounded = round_money(amount, currency)
    assert rounded == rounded.quantize(step)
    # half a minor unit, and the float noise past 12 significant digits dropped first
    noise = abs(Decimal(repr(amount))) * Decimal("5e-12")
    assert abs(rounded - Decimal(repr(amount))) <= step / 2 + noise


def test_csv_has_a_bom_unless_asked_not_to():
    df = pd.DataFrame({"city": ["Bogotá", "Kraków"], "n": [1, -2]})
    assert csv_bytes(df).startswith(BOM.encode())
    assert not csv_bytes(df, bom=False).startswith(BOM.encode())
    back = read(csv_bytes(df))
    assert back["city"].tolist() == ["Bogotá", "Kraków"]
    assert back["n"].tolist() == [1, -2]  # numbers are never neutralised


def test_other_decimals_lose_their_float_noise():
    df = pd.DataFrame({"share": [0.1 + 0.2], "cost": [0.1 + 0.2]})
    text = csv_bytes(df, money={"cost": "EUR"}, bom=False).decode()
    assert text == "share,cost\n0.3,0.30\n"


def test_shifts_csv_reads_back_with_accents_and_no_formula(hostile):
    sc, roster = hostile
    ((name, data),) = render(sc, roster, "csv").items()
    assert name == "mini-shifts.csv" and data.startswith(BOM.encode())
    df = read(data)
    ana, a2 = df[df["agent_id"] == "A1"], df[df["agent_id"] == "A2"]
    assert set(ana["agent_name"]) == {"Ana Bogotá"} and set(ana["team"]) == {"Kraków"}
    assert set(a2["agent_name"]) == {"'" + INJECTION} and set(a2["team"]) == {"'+1"}
    assert a2["activity"].tolist() == ["'=1+2", "PT-pt-voice", "BREAK", "PT-pt-voice"]
    assert len(df) == len(roster.segments)  # one row per stretch


def test_payroll_csv_reads_back_with_names_currencies_and_rounded_money(hostile):
    sc, roster = hostile
    ((name, data),) = render(sc, roster, "payroll").items()
    assert name == "mini-payroll.csv"
    df = read(data)
    ana = df[df["agent_id"] == "A1"].iloc[0]
    assert (ana["agent_name"], ana["team"], ana["site"]) == ("Ana Bogotá", "Kraków", "LIS")
    assert (ana["local_currency"], ana["reporting_currency"]) == ("EUR", "USD")
    assert (ana["cost_local"], ana["cost_reporting"]) == (703.75, 774.13)
    assert ana["week_start"] == "2027-03-22" and ana["week_end"] == "2027-03-28"
    a2 = df[df["agent_id"] == "A2"].iloc[0]
    assert (a2["agent_name"], a2["team"]) == ("'" + INJECTION, "'+1")
    text = data.decode("utf-8-sig")
    assert "774.13" in text and "774.125" not in text


def test_payroll_per_day_csv(hand):
    sc, roster = hand
    ((_, data),) = render(sc, roster, "payroll", per_day=True, bom=False).items()
    df = read(data)
    days = ["2027-03-22", "2027-03-23", "2027-03-24", "2027-03-25", "2027-03-27", "2027-03-28"]
    assert df["date"].tolist() == days
    assert df["paid_hours"].sum() == 48
