"""Portugal (PT): Código do Trabalho.

11 hours' rest; a 1–2-hour unpaid break within the first 5 hours; night
work 22:00–07:00 paid +25 %; overtime +25 % after 40 hours. EU site: at
most 4 night shifts in a row (night-work health guidance).
"""

CODE = "PT"
NAME = "Portugal"
RULES = {
    "min_rest_hours": 11,
    "max_hours_week": 48,
    "max_consecutive_days": 6,
    "shift_hours": [8],
    "start_step_minutes": 30,
    "break": {"minutes": 60, "paid": False, "after_hours": [3, 5]},
    "weekend": ["Sat", "Sun"],
    "night": {"from": "22:00", "to": "07:00"},
    "premiums": {"night": 1.25, "weekend": 1.0, "holiday": 2.0, "overtime_after_hours_week": 40, "overtime": 1.25},
    "start_band_hours": 2,
    "days_off_together": 2,
    "max_consecutive_nights": 4,
}  # fmt: skip
