// The viewer: the server's own style, its tiles filtered by the page's query
// (?sector=health-social&continent=africa), nothing from the internet.
import { Map, NavigationControl } from "./vendor/maplibre-gl.mjs";

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
// Tests and embedding pages reach the map here.
window.__map = map;
