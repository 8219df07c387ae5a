// Regenerates ../countries.csv and ../boundaries.geojson.
// Facts come from three packages: world-countries (codes, names, regions,
// endonyms), i18n-iso-countries (the names people write in English, French,
// Spanish, Portuguese, Arabic, German and Italian, former ones included:
// Turkey, Ivory Coast) and world-atlas (Natural Earth 1:50m admin-0
// polygons, public domain).
import { readFileSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { feature } from "topojson-client";

const require = createRequire(import.meta.url);
const i18n = require("i18n-iso-countries");
const LANGUAGES = ["en", "fr", "es", "pt", "ar", "de", "it"];
for (const lang of LANGUAGES) i18n.registerLocale(require(`i18n-iso-countries/langs/${lang}.json`));

const countries = JSON.parse(readFileSync(new URL("node_modules/world-countries/countries.json", import.meta.url)));
const atlas = JSON.parse(readFileSync(new URL("node_modules/world-atlas/countries-50m.json", import.meta.url)));

// Our six continents; world-countries' regions and subregions map onto them.
function continentOf(c) {
  if (c.region === "Africa") return "africa";
  if (c.region === "Asia") return "asia";
  if (c.region === "Europe") return "europe";
  if (c.region === "Oceania") return "oceania";
  if (c.region === "Americas") {
    const north = new Set(["US", "CA", "GL", "BM", "PM", "UM"]);
    return north.has(c.cca2) ? "north-america" : "latin-america-caribbean";
  }
  // Antarctic territories go to the continent whose organisations would serve them.
  return { AQ: "oceania", HM: "oceania", TF: "africa", BV: "africa", GS: "latin-america-caribbean" }[c.cca2];
}

const csvCell = (s) => (/[",\n]/.test(s) ? `"${s.replaceAll('"', '""')}"` : s);
const rows = [
  ["alpha2", "alpha3", "numeric", "continent", "name_en", "name_fr", "name_es", "name_pt", "lat", "lon", "other_names"].join(","),
];
for (const c of [...countries].sort((a, b) => a.cca2.localeCompare(b.cca2))) {
  const names = [c.name.common, c.translations.fra.common, c.translations.spa.common, c.translations.por.common];
  const other = new Set([
    c.name.official,
    c.translations.fra.official,
    c.translations.spa.official,
    c.translations.por.official,
    ...c.altSpellings,
    // Each name in the country's own languages (Österreich, Ελλάδα, Türkiye).
    ...Object.values(c.name.native ?? {}).flatMap((n) => [n.common, n.official]),
    ...["deu", "ita", "ara"].flatMap((l) => (c.translations[l] ? [c.translations[l].common, c.translations[l].official] : [])),
    ...LANGUAGES.flatMap((l) => i18n.getName(c.cca2, l, { select: "all" }) ?? []),
  ]);
  for (const n of names) other.delete(n);
  other.delete(c.cca2);
  rows.push(
    [c.cca2, c.cca3, c.ccn3, continentOf(c), ...names, c.latlng[0], c.latlng[1], [...other].join("|")]
      .map((v) => csvCell(String(v)))
      .join(","),
  );
}
writeFileSync(new URL("../countries.csv", import.meta.url), rows.join("\n") + "\n");

// Polygons keyed by alpha-2. Natural Earth draws some territories as parts of
// their parent (Réunion inside France); split those parts out by proximity.
const byNumeric = new Map(countries.map((c) => [c.ccn3, c]));
const byName = { Somaliland: "SO", Kosovo: "XK", "N. Cyprus": "CY" };
const parts = new Map(); // alpha2 -> array of polygons
const add = (code, polys) => parts.set(code, [...(parts.get(code) ?? []), ...polys]);
for (const f of feature(atlas, atlas.objects.countries).features) {
  const code = byNumeric.get(f.id)?.cca2 ?? byName[f.properties.name];
  if (!code) continue; // Siachen Glacier, Indian Ocean Ter. (split below from AU)
  const polys = f.geometry.type === "Polygon" ? [f.geometry.coordinates] : f.geometry.coordinates;
  add(code, polys);
}
const ocean = feature(atlas, atlas.objects.countries).features.find((f) => f.properties.name === "Indian Ocean Ter.");
add("AU", ocean.geometry.type === "Polygon" ? [ocean.geometry.coordinates] : ocean.geometry.coordinates);

const centre = (poly) => {
  let [w, s, e, n] = [180, 90, -180, -90];
  for (const [x, y] of poly[0]) [w, s, e, n] = [Math.min(w, x), Math.min(s, y), Math.max(e, x), Math.max(n, y)];
  return [(w + e) / 2, (s + n) / 2];
};
const parents = { GF: "FR", GP: "FR", MQ: "FR", RE: "FR", YT: "FR", SJ: "NO", BQ: "NL", CC: "AU", CX: "AU", UM: "US", GI: "GB" };
for (const [child, parent] of Object.entries(parents)) {
  const c = countries.find((x) => x.cca2 === child);
  const [lat, lon] = c.latlng;
  const near = (p) => {
    const [x, y] = centre(p);
    return Math.hypot(x - lon, y - lat) < 3;
  };
  const moved = (parts.get(parent) ?? []).filter(near);
  if (moved.length === 0) continue;
  parts.set(parent, parts.get(parent).filter((p) => !near(p)));
  add(child, moved);
}

// topojson-client returns rings that cross the antimeridian as they lie on
// the sphere (Chukotka's coast jumps from 180 to -180 and back); on the plane
// such a ring wraps the globe and holds the wrong points. Cut those polygons
// at 180 into a western and an eastern part. Rings around a pole (one jump,
// Antarctica) are left as they are.
const jumps = (ring) => ring.slice(1).filter(([x], i) => Math.abs(x - ring[i][0]) > 180).length;
const unwrap = (ring) => {
  const out = [ring[0]];
  for (const [x, y] of ring.slice(1)) {
    let u = x;
    const prev = out[out.length - 1][0];
    while (u - prev > 180) u -= 360;
    while (prev - u > 180) u += 360;
    out.push([u, y]);
  }
  const min = Math.min(...out.map(([x]) => x));
  return min < -180 ? out.map(([x, y]) => [x + 360, y]) : out;
};
// Sutherland-Hodgman against one vertical line: keep the side where keep(x).
const clipAt = (ring, line, keep) => {
  const out = [];
  for (let i = 0; i < ring.length - 1; i++) {
    const [a, b] = [ring[i], ring[i + 1]];
    if (keep(a[0])) out.push(a);
    if (keep(a[0]) !== keep(b[0])) out.push([line, a[1] + ((b[1] - a[1]) * (line - a[0])) / (b[0] - a[0])]);
  }
  if (out.length < 3) return null;
  return [...out, out[0]];
};
const splitAtAntimeridian = (polys) =>
  polys.flatMap((poly) => {
    if (jumps(poly[0]) !== 2) return [poly];
    const rings = poly.map(unwrap);
    const west = rings.map((r) => clipAt(r, 180, (x) => x <= 180));
    const east = rings.map((r) => clipAt(r, 180, (x) => x >= 180)?.map(([x, y]) => [x - 360, y]));
    return [west, east].filter((p) => p[0]).map((p) => p.filter(Boolean));
  });
for (const [code, polys] of parts) parts.set(code, splitAtAntimeridian(polys));

const round = (v) => Math.round(v * 1e4) / 1e4;
const features = [...parts.entries()]
  .sort(([a], [b]) => a.localeCompare(b))
  .map(([code, polys]) => ({
    type: "Feature",
    properties: { iso2: code },
    geometry: { type: "MultiPolygon", coordinates: polys.map((p) => p.map((r) => r.map(([x, y]) => [round(x), round(y)]))) },
  }));
const out = features.map((f) => JSON.stringify(f)).join(",\n");
writeFileSync(new URL("../boundaries.geojson", import.meta.url), `{"type":"FeatureCollection","features":[\n${out}\n]}\n`);
console.log(`${rows.length - 1} countries, ${features.length} boundaries`);
