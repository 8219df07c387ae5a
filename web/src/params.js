// The page's address, read defensively: only known filter values reach the
// tiles and the API; anything else is dropped (never shown, never sent).
export const FILTER_KEYS = ["continent", "sector", "family", "sdg", "country", "q"];

const ORG_ID = /^[a-z0-9-]{1,64}$/;

/// The filters of `params` that the taxonomy knows, as a query string's pairs.
export function knownFilters(params, taxonomy) {
  const known = {
    continent: new Set(taxonomy.continents.map((t) => t.key)),
    sector: new Set(taxonomy.sectors.map((t) => t.key)),
    family: new Set(taxonomy.families.map((t) => t.key)),
    sdg: new Set(Array.from({ length: 17 }, (_, i) => String(i + 1))),
    country: new Set(taxonomy.countries.map((c) => c.code)),
  };
  const filters = new URLSearchParams();
  for (const key of FILTER_KEYS) {
    const value = params.get(key);
    if (!value) continue;
    if (key === "q") {
      const q = value.trim().slice(0, 100);
      if (q) filters.set("q", q);
      continue;
    }
    const values = value.split(",").map((v) => v.trim()).filter((v) => known[key].has(v));
    if (values.length) filters.set(key, values.join(","));
  }
  return filters;
}

/// The organisation named in the address (`?org=`), if it looks like an id.
export function selectedOrganisation(params) {
  const id = params.get("org");
  return id && ORG_ID.test(id) ? id : null;
}
