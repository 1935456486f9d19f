"""Colombia (CO): Código Sustantivo del Trabajo (Leyes 2101 de 2021 y 2466 de 2025).

42-hour week from July 2026; night work from 19:00 (+35 %); Sunday and
holiday surcharge 90 % (100 % from July 2027, after this data's horizon);
overtime +25 %. Starts on the hour.
"""

CODE = "CO"
NAME = "Colombia"
RULES = {
    "min_rest_hours": 10,
    "max_hours_week": 42,
    "max_consecutive_days": 6,
    "shift_hours": [8],
    "start_step_minutes": 60,
    "break": {"minutes": 60, "paid": False, "after_hours": [3, 5]},
    "weekend": ["Sun"],
    "night": {"from": "19:00", "to": "06:00"},
    "premiums": {"night": 1.35, "weekend": 1.9, "holiday": 1.9, "overtime_after_hours_week": 42, "overtime": 1.25},
    "start_band_hours": 2,
    "days_off_together": 2,
    "max_consecutive_nights": 5,
}  # fmt: skip
