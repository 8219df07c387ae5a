// Filter controls and the sector legend. Choosing a value changes the page's
// address, and with it the tiles the server clusters.
import { t, label } from "./i18n.js";
import { FILTER_KEYS } from "./params.js";

/// The seventeen Sustainable Development Goals, as options.
const SDGS = Array.from({ length: 17 }, (_, i) => ({ key: String(i + 1), en: `SDG ${i + 1}`, fr: `ODD ${i + 1}`, es: `ODS ${i + 1}` }));

function select(name, allLabel, terms, lang, current, counts = {}) {
  const element = document.createElement("select");
  element.name = name;
  element.setAttribute("aria-label", allLabel);
  const all = document.createElement("option");
  all.value = "";
  all.textContent = allLabel;
  element.append(all);
  for (const term of terms.filter((x) => x.key !== "unclassified")) {
    const option = document.createElement("option");
    option.value = term.key;
    option.textContent = term.key in counts ? `${label(term, lang)} (${counts[term.key]})` : label(term, lang);
    option.selected = term.key === current;
    element.append(option);
  }
  element.addEventListener("change", () => {
    const params = new URLSearchParams(location.search);
    if (element.value) params.set(name, element.value);
    else params.delete(name);
    location.search = params.toString();
  });
  return element;
}

/// Counts per value of every facet under the other filters, so each option
/// says how many organisations choosing it would show.
async function liveCounts(params) {
  const counts = {};
  for (const facet of ["continent", "sector", "family", "sdg", "country"]) {
    const others = new URLSearchParams([...params].filter(([k]) => FILTER_KEYS.includes(k) && k !== facet));
    const answer = await (await fetch(`api/stats?by=${facet}${others.size ? `&${others}` : ""}`)).json();
    counts[facet] = answer.totals[facet] ?? {};
  }
  return counts;
}

export async function renderControls(container, taxonomy, lang, params) {
  const counts = await liveCounts(params);
  const form = document.createElement("form");
  form.className = "filters";
  form.setAttribute("aria-label", t(lang, "filters"));
  form.addEventListener("submit", (e) => e.preventDefault());
  const colours = [
    { key: "sector", en: t(lang, "bySector"), [lang]: t(lang, "bySector") },
    { key: "continent", en: t(lang, "byContinent"), [lang]: t(lang, "byContinent") },
  ];
  const colourSelect = select("colour", t(lang, "colourBy"), colours, lang, params.get("colour") ?? "sector");
  colourSelect.firstChild.remove(); // no "all" choice: one mode or the other
  // Countries that have organisations under the other filters, by name.
  const current = params.get("country");
  const countries = taxonomy.countries
    .filter((c) => c.code in counts.country || c.code === current)
    .map((c) => ({ key: c.code, en: c.en, fr: c.fr, es: c.es }))
    .sort((a, b) => label(a, lang).localeCompare(label(b, lang), lang));
  form.append(
    select("continent", t(lang, "allContinents"), taxonomy.continents, lang, params.get("continent"), counts.continent),
    select("sector", t(lang, "allSectors"), taxonomy.sectors, lang, params.get("sector"), counts.sector),
    select("family", t(lang, "allFamilies"), taxonomy.families, lang, params.get("family"), counts.family),
    select("sdg", t(lang, "allSdgs"), SDGS, lang, params.get("sdg"), counts.sdg),
    select("country", t(lang, "allCountries"), countries, lang, current, counts.country),
    colourSelect,
  );
  container.append(form);
}

export function renderLegend(container, terms, by, colours, lang) {
  const legend = document.createElement("section");
  legend.className = "legend";
  const heading = document.createElement("h2");
  heading.textContent = t(lang, { continent: "continents", sector: "sectors", family: "families" }[by]);
  legend.dataset.by = by;
  const list = document.createElement("ul");
  terms.forEach((term, i) => {
    const item = document.createElement("li");
    const swatch = document.createElement("span");
    swatch.className = "swatch";
    swatch.style.background = colours(i);
    item.append(swatch, document.createTextNode(label(term, lang)));
    list.append(item);
  });
  legend.append(heading, list);
  container.append(legend);
}

/// The legend of lone organisations' colours, read from the style's own
/// `match` expression on `family`, so it says what is drawn.
export function renderFamilyLegend(container, families, colourExpression, lang) {
  if (!Array.isArray(colourExpression) || colourExpression[0] !== "match") return;
  const colourOf = new Map();
  for (let i = 2; i + 1 < colourExpression.length; i += 2) colourOf.set(colourExpression[i], colourExpression[i + 1]);
  const terms = families.filter((f) => colourOf.has(f.key));
  renderLegend(container, terms, "family", (i) => colourOf.get(terms[i].key), lang);
}
