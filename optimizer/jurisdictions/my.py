"""Malaysia (MY): Employment Act 1955 as amended in 2022.

45-hour week; work on the rest day paid 1.5–2× (1.5 used); public-holiday
work 2×; overtime 1.5× after 45 hours. No statutory night premium.
"""

CODE = "MY"
NAME = "Malaysia"
RULES = {
    "min_rest_hours": 8,
    "max_hours_week": 45,
    "max_consecutive_days": 6,
    "shift_hours": [8],
    "start_step_minutes": 30,
    "break": {"minutes": 60, "paid": False, "after_hours": [3, 5]},
    "weekend": ["Sat", "Sun"],
    "night": {"from": "22:00", "to": "06:00"},
    "premiums": {"night": 1.0, "weekend": 1.5, "holiday": 2.0, "overtime_after_hours_week": 45, "overtime": 1.5},
    "start_band_hours": 2,
    "days_off_together": 2,
    "max_consecutive_nights": 5,
}  # fmt: skip
