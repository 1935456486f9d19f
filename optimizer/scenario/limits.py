"""The limits of what a scenario may say: the sane range of each kind of number
and date, and how much YAML the loader reads.

Every number of a scenario is finite and inside one of these ranges, checked
once when it is loaded (docs/safety.md lists them). The ranges are far wider
than any real contact centre needs; they keep a typo (`1e30`, `.inf`) from
reaching arithmetic that would overflow, loop or run for hours. The money
limits are per hour in the reporting currency, so the solver's objective in
integer cents stays far inside 64 bits.
"""

from __future__ import annotations

import datetime as dt

# ---------------------------------------------------------------- YAML
MAX_YAML_BYTES = 8 * 2**20  # the scenario YAML file
MAX_YAML_ALIASES = 100  # `*name` references (a scenario needs a handful)
MAX_YAML_NODES = 1_000_000  # scalars, lists and mappings, with every alias expanded
MAX_YAML_DEPTH = 64  # lists and mappings inside one another

# ---------------------------------------------------------------- dates
FIRST_DATE = dt.date(1970, 1, 1)  # horizon start, demand timestamps, leave …
LAST_DATE = dt.date(2199, 12, 31)

# ---------------------------------------------------------------- numbers
MAX_MONEY_PER_HOUR = 1e7  # reporting currency: an hourly cost after fx, the under-cover penalty
MAX_HOURLY_COST = 1e9  # site or agent currency, before fx
MIN_FX, MAX_FX = 1e-9, 1e9  # reporting-currency value of one unit of another currency
MAX_MULTIPLIER = 10.0  # a pay premium (night, weekend, holiday, overtime)
MAX_WEEK_HOURS = 168.0  # hours in a week: weekly caps, minimums, rest, overtime threshold
MAX_HORIZON_HOURS = 24.0 * 400  # hours in the longest horizon: an agent's horizon totals
MAX_DAY_HOURS = 24.0  # shift lengths, break windows, v1.1 start band
MAX_AHT_SECONDS = 14_400.0  # average handling time of a contact: 4 hours
MAX_SECONDS = 86_400.0  # an answer-time target
MAX_EMAIL_HOURS = 8_784.0  # an email deadline: a (leap) year
MAX_CONCURRENCY = 100  # chats an agent handles at once
MAX_CONTACTS = 1e6  # contacts of one queue in one interval
MAX_DEMAND_FACTOR = 100.0  # holiday demand multiplier
MAX_COST_WEIGHT = 100.0  # weights.cost multiplies every cost
MAX_WEIGHT = 1e6  # the other weights (reporting currency per unit)
