"""English dates the way NATO writes them (day month year, 24-hour clock), not Django's
US defaults ("Nov. 29, 2026, 11:12 p.m."): for the admin and any date shown without
an explicit format. French keeps Django's own French formats."""

DATE_FORMAT = "j F Y"
DATETIME_FORMAT = "j F Y, H:i"
TIME_FORMAT = "H:i"
SHORT_DATE_FORMAT = "d/m/Y"
SHORT_DATETIME_FORMAT = "d/m/Y H:i"
MONTH_DAY_FORMAT = "j F"
YEAR_MONTH_FORMAT = "F Y"
FIRST_DAY_OF_WEEK = 1  # Monday
