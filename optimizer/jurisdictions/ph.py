"""Philippines (PH): Labor Code (Presidential Decree 442).

8-hour day with a 1-hour unpaid meal break; night shift differential of
10 % for work between 22:00 and 06:00 (Art. 86); rest-day work +30 %;
regular holidays paid 200 %; overtime +25 %, counted after 40 hours a
week; six 8-hour days (48 hours) at most. Start times on a 30-minute step
(Manila is the largest follow-the-sun site; half-hour staggered starts are
the BPO norm).
"""

CODE = "PH"
NAME = "Philippines"
RULES = {
    "min_rest_hours": 8,
    "max_hours_week": 48,
    "max_consecutive_days": 6,
    "shift_hours": [8],
    "start_step_minutes": 30,
    "break": {"minutes": 60, "paid": False, "after_hours": [3, 5]},
    "weekend": ["Sat", "Sun"],
    "night": {"from": "22:00", "to": "06:00"},
    "premiums": {"night": 1.10, "weekend": 1.30, "holiday": 2.0, "overtime_after_hours_week": 40, "overtime": 1.25},
    "start_band_hours": 2,
    "days_off_together": 2,
    "max_consecutive_nights": 5,
}  # fmt: skip
