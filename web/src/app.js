// The viewer: the server's own style, its tiles filtered by the page's query
// (?sector=health-social&continent=africa&lang=fr), nothing from the internet.
import { AttributionControl, Map, NavigationControl } from "./vendor/maplibre-gl.mjs";
import { ClusterDonuts } from "./donuts.js";
import { showCard } from "./card.js";
import { pickLanguage, t } from "./i18n.js";
import { renderControls, renderFamilyLegend, renderLegend } from "./controls.js";
import { FILTER_KEYS, knownFilters, selectedOrganisation } from "./params.js";
import { ViewList } from "./list.js";
import { renderSearch } from "./search.js";

const params = new URLSearchParams(location.search);
const lang = pickLanguage(params);
const contribute = document.getElementById("contribute-link");
if (contribute) contribute.href = `contribute?lang=${lang}`;
// The pages are written in English: other languages replace their text. A
// text rewritten unchanged would still be laid out and painted again.
if (lang !== "en") {
  document.documentElement.lang = lang;
  const notice = document.getElementById("sample-notice");
  if (notice) notice.textContent = t(lang, "sample");
  document.getElementById("map").setAttribute("aria-label", t(lang, "map"));
  if (contribute) contribute.textContent = t(lang, "contribute");
}

// Only known filters go to the server; other parameters (lang) stay in the
// page, and unknown values are dropped rather than break the map. An address
// without filters starts the map at once.
const taxonomyReady = fetch("api/taxonomy").then((r) => r.json());
const filters = FILTER_KEYS.some((key) => params.has(key)) ? knownFilters(params, await taxonomyReady) : new URLSearchParams();
const query = filters.toString();
const map = new Map({
  container: "map",
  style: `style.json${query ? `?${query}` : ""}`,
  // The world centred on Greenwich: at zoom 1 a map up to 1,024 px wide needs
  // four tiles per source; centred 10° east it needed six (the antimeridian's
  // edge wrapped into view), a third more work before the first idle.
  center: [0, 20],
  zoom: 1,
  // The view lives in the address (#zoom/lat/lon), so every view can be shared.
  hash: true,
  attributionControl: false,
});
// Tests, benchmarks and embedding pages reach the map here, from its start.
window.__map = map;
// MapLibre's "load" fires once: code that arrives later (after a fetch) waits on this.
const mapLoaded = new Promise((resolve) => map.once("load", resolve));
// The first idle: the world view complete, every tile drawn. What is not the
// map waits for it, so that its requests, layout and repaints do not compete
// with the map's first tiles (benches/README.md, "The viewer's start").
const mapIdle = new Promise((resolve) => map.once("idle", resolve));
mapIdle.then(() => {
  // An embedding page may hide the zoom buttons: /embed?controls=none.
  if (params.get("controls") !== "none") map.addControl(new NavigationControl(), "top-right");
  map.addControl(new AttributionControl({ compact: true }));
});

const panel = document.getElementById("panel");
const taxonomy = await taxonomyReady;
{
  const colourBy = params.get("colour") === "continent" ? "continent" : "sector";
  const donuts = new ClusterDonuts(map, taxonomy.sectors.map((s) => s.key), taxonomy.continents.map((c) => c.key), colourBy);
  // The embedded map (/embed) has no panel: the map alone, configured by its address.
  // The panel fills once the map is drawn.
  if (panel) mapIdle.then(() => {
    // Controls arrive with their counts; the legend and the list need not wait.
    const controls = document.createElement("div");
    panel.append(controls);
    renderControls(controls, taxonomy, lang, filters);
    renderLegend(panel, colourBy === "continent" ? taxonomy.continents : taxonomy.sectors, colourBy, (i) => donuts.colour(i), lang);
    new ViewList(map, panel, lang, query, (feature) => showCard(map, feature, lang)).start();
    renderSearch(panel, lang, query, (feature) => {
      map.flyTo({ center: feature.geometry.coordinates, zoom: 14 });
      showCard(map, { properties: { id: feature.id, name: feature.properties.name }, geometry: feature.geometry }, lang);
    });
  });
  if (params.get("view") === "h3") {
    mapLoaded.then(() => showDensity(map));
  } else {
    // The donuts replace the style's plain cluster circles, kept for clicks.
    // They come after the first complete frame: the circles show the clusters
    // while tiles arrive, and the markers do not slow the map's first load.
    mapIdle.then(() => {
      map.setPaintProperty("clusters", "circle-opacity", 0);
      map.setPaintProperty("clusters", "circle-stroke-width", 0);
      donuts.start();
      if (panel) renderFamilyLegend(panel, taxonomy.families, map.getPaintProperty("organisations", "circle-color"), lang);
    });
  }
  window.__taxonomy = taxonomy;
}

// The organisation named in the address (?org=) opens with its card.
const selected = selectedOrganisation(params);
if (selected) {
  fetch(`api/organisations/${selected}`).then(async (response) => {
    if (!response.ok) return;
    const feature = await response.json();
    const open = () => {
      // A shared address may also hold the view (#zoom/lat/lon): keep it then.
      if (!location.hash) map.jumpTo({ center: feature.geometry.coordinates, zoom: 14 });
      showCard(map, { properties: { id: feature.id, name: feature.properties.name }, geometry: feature.geometry }, lang);
    };
    mapLoaded.then(open);
  });
}

/// The density view (?view=h3): H3 hexagons shaded by their count, no clusters.
function showDensity(map) {
  map.setLayoutProperty("clusters", "visibility", "none");
  map.setLayoutProperty("organisations", "visibility", "none");
  // The style's tiles carry clusters only; the hexagons come from the same tiles' h3 layer.
  const clusters = map.getStyle().sources.impactmap;
  map.addSource("density", { ...clusters, tiles: clusters.tiles.map((url) => url.replace("layers=clusters", "layers=h3")), maxzoom: 15 });
  map.addLayer(
    {
      id: "h3",
      type: "fill",
      source: "density",
      "source-layer": "h3",
      paint: {
        "fill-color": ["interpolate", ["linear"], ["ln", ["+", 1, ["get", "count"]]], 0, "#ffffcc", 2, "#fd8d3c", 5, "#bd0026"],
        "fill-opacity": 0.7,
        "fill-outline-color": "#ffffff",
      },
    },
    "clusters",
  );
}

// A cluster opens to the zoom where it splits; an organisation shows its card.
map.on("click", "clusters", (event) => {
  const feature = event.features[0];
  map.easeTo({ center: feature.geometry.coordinates, zoom: feature.properties.expansion_zoom });
});
map.on("click", "organisations", (event) => showCard(map, event.features[0], lang));
for (const layer of ["clusters", "organisations"]) {
  map.on("mouseenter", layer, () => (map.getCanvas().style.cursor = "pointer"));
  map.on("mouseleave", layer, () => (map.getCanvas().style.cursor = ""));
}
