"""CSV files meant for spreadsheets: a BOM, no formulas, money to the cent.

Excel opens a UTF-8 CSV without a byte-order mark as the local code page
(Bogotá becomes BogotÃ¡), so these files start with one unless asked not to.
A text cell starting with `=`, `+`, `-`, `@`, a tab or a carriage return is
a formula to a spreadsheet; following OWASP's CSV-injection rule it is
written with a leading `'` so it shows as the text it is. Numbers are never
touched (a negative amount stays a number). Money is rounded half up to the
currency's minor unit (ISO 4217: 2 decimals for most, 0 for JPY or KRW, 3
for KWD), float noise past 12 significant digits dropped first, and written
with exactly that many decimals; other decimals are rounded to 6 places so
no float noise (`0.30000000000000004`) reaches a sheet.
"""

from __future__ import annotations

import io
from collections.abc import Mapping
from decimal import ROUND_HALF_EVEN, ROUND_HALF_UP, Decimal

import numpy as np
import pandas as pd

BOM = "\ufeff"
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
OTHER_DECIMALS = 6
SIGNIFICANT = 12  # digits of a float amount that are money; the rest is noise

# ISO 4217 currencies whose minor unit is not 1/100
_MINOR_UNITS = {
    **dict.fromkeys(
        ("BIF", "CLP", "DJF", "GNF", "ISK", "JPY", "KMF", "KRW", "PYG", "RWF", "UGX", "UYI",
         "VND", "VUV", "XAF", "XOF", "XPF"),
        0,
    ),
    **dict.fromkeys(("BHD", "IQD", "JOD", "KWD", "LYD", "OMR", "TND"), 3),
    **dict.fromkeys(("CLF", "UYW"), 4),
}  # fmt: skip


def minor_unit(currency: str) -> int:
    """Decimals of a currency's minor unit (ISO 4217): 2 unless listed otherwise."""
    return _MINOR_UNITS.get(str(currency).upper(), 2)


def round_money(amount: float, currency: str) -> Decimal:
    """`amount` rounded half up to the minor unit of `currency`.

    The float is first cut to `SIGNIFICANT` digits (a sum of floats is exact
    to about 15; the digits past those are noise, never money), keeping at
    least one place past the minor unit; that decimal value is then rounded
    half up. So 774.125 EUR is 774.13 (binary rounding would give 774.12),
    and so is a sum of per-minute costs that came to 774.1249999999999."""
    minor = minor_unit(currency)
    value = Decimal(repr(float(amount)))
    if value.is_finite() and value:
        places = max(SIGNIFICANT - value.adjusted() - 1, minor + 1)
        value = value.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_EVEN)
    return value.quantize(Decimal(1).scaleb(-minor), rounding=ROUND_HALF_UP)


def neutralise(text: str) -> str:
    """A text cell that a spreadsheet will not run as a formula (OWASP)."""
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def _money_column(values: pd.Series, currencies: pd.Series) -> list[str]:
    return [
        "" if pd.isna(v) else str(round_money(v, c))
        for v, c in zip(values.to_numpy(), currencies.to_numpy(), strict=True)
    ]


def spreadsheet_frame(
    df: pd.DataFrame,
    *,
    money: Mapping[str, str] | None = None,
    money_in: Mapping[str, str] | None = None,
) -> pd.DataFrame:
    """`df` made safe for a spreadsheet (see module doc).

    `money` maps a column to its currency code; `money_in` maps a column to
    the column holding each row's currency code. Text columns are
    neutralised, money columns become fixed-decimal text, other floats are
    rounded to 6 places."""
    out = df.copy()
    amounts = {
        **{c: pd.Series(cur, index=out.index) for c, cur in (money or {}).items() if c in out},
        **{c: out[cur].astype(str) for c, cur in (money_in or {}).items() if c in out},
    }
    for c in out.columns:
        col = out[c]
        if c in amounts:
            continue
        if col.dtype == object or pd.api.types.is_string_dtype(col):
            out[c] = [neutralise(v) if isinstance(v, str) else v for v in col.to_numpy()]
        elif pd.api.types.is_float_dtype(col):
            out[c] = np.round(col.to_numpy(dtype=float), OTHER_DECIMALS)
    for c, cur in amounts.items():
        out[c] = _money_column(out[c], cur)
    return out


def csv_bytes(
    df: pd.DataFrame,
    *,
    money: Mapping[str, str] | None = None,
    money_in: Mapping[str, str] | None = None,
    bom: bool = True,
) -> bytes:
    """`df` as a CSV for spreadsheets: UTF-8 (with a BOM unless `bom=False`),
    `\\n` line ends, made safe by `spreadsheet_frame`."""
    buf = io.StringIO()
    spreadsheet_frame(df, money=money, money_in=money_in).to_csv(
        buf, index=False, lineterminator="\n"
    )
    return ((BOM if bom else "") + buf.getvalue()).encode("utf-8")
