"""Convert Seattle PD Terry stops (Data4Democracy snapshot) into two yearly OPP-schema stop files.

Run from the repository root with the source CSV as the argument; see SOURCE.md for the origin and every step.
"""

import sys
from pathlib import Path

import pandas as pd

RACES = {
    "White": "white",
    "Black": "black",
    "Hispanic": "hispanic",
    "Asian": "asian/pacific islander",
    "American Indian / Alaskan Native": "other",
    "Multi-Racial": "other",
    "Other": "other",
}
FLAGS = {"Y": "TRUE", "N": "FALSE"}
OUT = Path(__file__).parent


def convert(source: Path) -> None:
    raw = pd.read_csv(source, dtype=str, keep_default_na=False)
    out = pd.DataFrame(
        {
            "raw_row_number": raw["TERRY_STOP_ID"],
            "date": raw["Reported_Date"],
            "time": raw["Reported_Time"].str[:8],
            "district": raw["Precinct"].where(~raw["Precinct"].isin(["NULL", "Unknown"]), "NA"),
            "subject_race": raw["SubjectPerceivedRace"].map(RACES).fillna("NA"),
            "type": "pedestrian",
            "arrest_made": raw["ArrestFlag"].map(FLAGS).fillna("NA"),
            "frisk_performed": raw["FriskFlag"].map(FLAGS).fillna("NA"),
        }
    )
    # The one deliberate change (SOURCE.md): arrests left blank for January-June 2016, as a file whose field
    # was not recorded for part of a year.
    out.loc[out["date"].between("2016-01-01", "2016-06-30"), "arrest_made"] = "NA"
    out = out.sort_values(["date", "time", "raw_row_number"], kind="stable")
    for year in ("2016", "2017"):
        rows = out[out["date"].str.startswith(year)]
        rows.to_csv(OUT / f"seattle_terry_stops_{year}.csv.gz", index=False, compression={"method": "gzip", "mtime": 0})


if __name__ == "__main__":
    convert(Path(sys.argv[1]))
