"""Egypt (EG): Labour Law 14/2025 (in force since September 2025, replacing
Law 12/2003 with the same hours).

48-hour week of six 8-hour days; Friday–Saturday weekend; a rest of at
least an hour so no one works more than 5 hours in a row (60 minutes,
unpaid); public-holiday work paid double and overtime +35 % by day, as
under Law 12/2003. Night work is 22:00–06:00. The law sets no premium for
ordinary night hours (only for night overtime), so the night premium is a
contract figure: +10 %, the same differential as the Philippine site's.
12 hours' rest between shifts as company policy; starts on the hour.
"""

CODE = "EG"
NAME = "Egypt"
RULES = {
    "min_rest_hours": 12,
    "max_hours_week": 48,
    "max_consecutive_days": 6,
    "shift_hours": [8],
    "start_step_minutes": 60,
    "break": {"minutes": 60, "paid": False, "after_hours": [3, 5]},
    "weekend": ["Fri", "Sat"],
    "night": {"from": "22:00", "to": "06:00"},
    "premiums": {"night": 1.10, "weekend": 1.5, "holiday": 2.0, "overtime_after_hours_week": 48, "overtime": 1.35},
    "start_band_hours": 2,
    "days_off_together": 2,
    "max_consecutive_nights": 5,
}  # fmt: skip
