// The viewer: the server's own style, its tiles filtered by the page's query
// (?sector=health-social&continent=africa), nothing from the internet.
import { Map, NavigationControl } from "./vendor/maplibre-gl.mjs";
import { ClusterDonuts } from "./donuts.js";
import { showCard } from "./card.js";

const filters = new URLSearchParams(location.search);
const query = filters.toString();
const map = new Map({
  container: "map",
  style: `style.json${query ? `?${query}` : ""}`,
  center: [10, 20],
  zoom: 1,
  attributionControl: { compact: true },
});
map.addControl(new NavigationControl(), "top-right");

const taxonomy = fetch("tiles.json").then((r) => r.json());
taxonomy.then((tilejson) => {
  const sectors = Object.keys(tilejson.vector_layers.find((l) => l.id === "clusters").fields)
    .filter((f) => f.startsWith("n_"))
    .map((f) => f.slice(2));
  const start = () => {
    // The donuts replace the style's plain cluster circles, kept for clicks.
    map.setPaintProperty("clusters", "circle-opacity", 0);
    map.setPaintProperty("clusters", "circle-stroke-width", 0);
    new ClusterDonuts(map, sectors).start();
  };
  if (map.isStyleLoaded()) start();
  else map.once("load", start);
});

// A cluster opens to the zoom where it splits; an organisation shows its card.
map.on("click", "clusters", (event) => {
  const feature = event.features[0];
  map.easeTo({ center: feature.geometry.coordinates, zoom: feature.properties.expansion_zoom });
});
map.on("click", "organisations", (event) => showCard(map, event.features[0]));
for (const layer of ["clusters", "organisations"]) {
  map.on("mouseenter", layer, () => (map.getCanvas().style.cursor = "pointer"));
  map.on("mouseleave", layer, () => (map.getCanvas().style.cursor = ""));
}

// Tests and embedding pages reach the map here.
window.__map = map;
