"""Poland (PL): Labour Code (Kodeks pracy).

11 hours' daily rest; 48-hour average week; night time 21:00–07:00 paid
+20 % of the minimum wage (about +15 % of a call-centre wage); a 15-minute
paid break, rounded to the 30-minute grid; overtime +50 % after 40 hours.
EU site: at most 4 night shifts in a row (night-work health guidance).
"""

CODE = "PL"
NAME = "Poland"
RULES = {
    "min_rest_hours": 11,
    "max_hours_week": 48,
    "max_consecutive_days": 6,
    "shift_hours": [8],
    "start_step_minutes": 30,
    "break": {"minutes": 30, "paid": True, "after_hours": [3, 5]},
    "weekend": ["Sat", "Sun"],
    "night": {"from": "21:00", "to": "07:00"},
    "premiums": {"night": 1.15, "weekend": 1.0, "holiday": 2.0, "overtime_after_hours_week": 40, "overtime": 1.5},
    "start_band_hours": 2,
    "days_off_together": 2,
    "max_consecutive_nights": 4,
}  # fmt: skip
