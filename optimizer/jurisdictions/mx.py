"""Mexico (MX): Ley Federal del Trabajo.

48-hour week; a 30-minute paid rest; Sunday premium 25 % (prima dominical);
holiday work paid triple; overtime double. Night shift 20:00–06:00 (+15 %
by contract). Starts on the hour.
"""

CODE = "MX"
NAME = "Mexico"
RULES = {
    "min_rest_hours": 10,
    "max_hours_week": 48,
    "max_consecutive_days": 6,
    "shift_hours": [8],
    "start_step_minutes": 60,
    "break": {"minutes": 30, "paid": True, "after_hours": [3, 5]},
    "weekend": ["Sun"],
    "night": {"from": "20:00", "to": "06:00"},
    "premiums": {"night": 1.15, "weekend": 1.25, "holiday": 3.0, "overtime_after_hours_week": 48, "overtime": 2.0},
    "start_band_hours": 2,
    "days_off_together": 2,
    "max_consecutive_nights": 5,
}  # fmt: skip
