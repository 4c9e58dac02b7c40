"""The 32 NATO Allies since March 2024: ISO 3166-1 alpha-2 code and year of accession."""

NATO_ALLIES: dict[str, int] = {
    "AL": 2009, "BE": 1949, "BG": 2004, "CA": 1949, "HR": 2009, "CZ": 1999, "DK": 1949,
    "EE": 2004, "FI": 2023, "FR": 1949, "DE": 1955, "GR": 1952, "HU": 1999, "IS": 1949,
    "IT": 1949, "LV": 2004, "LT": 2004, "LU": 1949, "ME": 2017, "NL": 1949, "MK": 2020,
    "NO": 1949, "PL": 1999, "PT": 1949, "RO": 2004, "SK": 2004, "SI": 2004, "ES": 1982,
    "SE": 2024, "TR": 1952, "GB": 1949, "US": 1949,
}  # fmt: skip
