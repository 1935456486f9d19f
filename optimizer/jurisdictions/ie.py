"""Ireland (IE): Organisation of Working Time Act 1997.

11 hours' rest; 48-hour average week; a 30-minute break after 6 hours
(unpaid); Sunday premium and night rates set by contract (typical
call-centre figures: +25 % weekend, +15 % night 23:00–06:00, 1.5× on public
holidays); overtime +25 % after 40 hours. EU site: at most 4 night shifts
in a row (night-work health guidance).
"""

CODE = "IE"
NAME = "Ireland"
RULES = {
    "min_rest_hours": 11,
    "max_hours_week": 48,
    "max_consecutive_days": 6,
    "shift_hours": [8],
    "start_step_minutes": 30,
    "break": {"minutes": 30, "paid": False, "after_hours": [3, 5]},
    "weekend": ["Sat", "Sun"],
    "night": {"from": "23:00", "to": "06:00"},
    "premiums": {"night": 1.15, "weekend": 1.25, "holiday": 1.5, "overtime_after_hours_week": 40, "overtime": 1.25},
    "start_band_hours": 2,
    "days_off_together": 2,
    "max_consecutive_nights": 4,
}  # fmt: skip
