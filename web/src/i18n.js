// Strings shown to people, in English, French and Spanish. The language comes
// from ?lang=, else the browser, else English. Taxonomy labels come from
// /api/taxonomy (data/taxonomy.toml), not from here.
const STRINGS = {
  en: {
    sample: "Sample data: the organisations shown are generated, not real.",
    sectors: "Sectors",
    allSectors: "All sectors",
    allContinents: "All continents",
    allFamilies: "All families",
    allSdgs: "All SDGs",
    filters: "Filters",
    sampleOrganisation: "Sample organisation (generated, not real)",
    map: "Map of organisations",
    inView: "In view",
    continents: "Continents",
    search: "Search a name or a town",
    colourBy: "Colour by",
    bySector: "Colour by sector",
    byContinent: "Colour by continent",
    more: "and more: zoom in",
  },
  fr: {
    sample: "Données d'exemple : les organisations affichées sont générées, pas réelles.",
    sectors: "Secteurs",
    allSectors: "Tous les secteurs",
    allContinents: "Tous les continents",
    allFamilies: "Toutes les familles",
    allSdgs: "Tous les ODD",
    filters: "Filtres",
    sampleOrganisation: "Organisation d'exemple (générée, pas réelle)",
    map: "Carte des organisations",
    inView: "Dans la vue",
    continents: "Continents",
    search: "Chercher un nom ou une ville",
    colourBy: "Couleurs",
    bySector: "Couleurs par secteur",
    byContinent: "Couleurs par continent",
    more: "et d'autres : zoomez",
  },
  es: {
    sample: "Datos de ejemplo: las organizaciones mostradas son generadas, no reales.",
    sectors: "Sectores",
    allSectors: "Todos los sectores",
    allContinents: "Todos los continentes",
    allFamilies: "Todas las familias",
    allSdgs: "Todos los ODS",
    filters: "Filtros",
    sampleOrganisation: "Organización de ejemplo (generada, no real)",
    map: "Mapa de organizaciones",
    inView: "En la vista",
    continents: "Continentes",
    search: "Buscar un nombre o una ciudad",
    colourBy: "Colores",
    bySector: "Colores por sector",
    byContinent: "Colores por continente",
    more: "y más: acerque el mapa",
  },
};

export const LANGUAGES = Object.keys(STRINGS);

export function pickLanguage(params) {
  const asked = params.get("lang");
  if (LANGUAGES.includes(asked)) return asked;
  const browser = (navigator.language || "en").slice(0, 2);
  return LANGUAGES.includes(browser) ? browser : "en";
}

export function t(lang, key) {
  return STRINGS[lang]?.[key] ?? STRINGS.en[key];
}

/// A taxonomy term's label in the language, English when missing.
export function label(term, lang) {
  return term?.[lang] ?? term?.en ?? "";
}
