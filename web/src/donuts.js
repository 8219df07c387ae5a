// Clusters drawn as donuts of their sector (or continent) mix, with their
// count in the middle: SVG markers over the `clusters` circle layer, made for
// the clusters in view and reused while they stay in view.
import { Marker } from "./vendor/maplibre-gl.mjs";

/// One colour per sector, in the taxonomy's order (the last one, unclassified, grey).
const PALETTE = ["#4e79a7", "#f28e2b", "#e15759", "#76b7b2", "#59a14f", "#edc948", "#b07aa1", "#ff9da7",
  "#9c755f", "#2f4b7c", "#a05195", "#d45087", "#665191", "#ffa600", "#003f5c", "#bab0ac"];

const SVG = "http://www.w3.org/2000/svg";

/// Colours of continents, in the taxonomy's order.
const CONTINENT_PALETTE = ["#e76f51", "#2a9d8f", "#264653", "#e9c46a", "#f4a261", "#8ab17d"];

export class ClusterDonuts {
  /// `by` is "sector" (the default) or "continent": which counts the arcs show.
  constructor(map, sectors, continents, by = "sector") {
    this.map = map;
    this.by = by;
    this.keys = by === "continent" ? continents : sectors;
    this.prefix = by === "continent" ? "c_" : "n_";
    this.sectors = sectors;
    this.markers = new Map();
  }

  colour(index) {
    if (this.by === "continent") return CONTINENT_PALETTE[index % CONTINENT_PALETTE.length];
    return this.keys[index] === "unclassified" ? "#bab0ac" : PALETTE[index % PALETTE.length];
  }

  start() {
    const update = () => this.update();
    this.map.on("data", (e) => e.sourceId === "impactmap" && e.isSourceLoaded && update());
    this.map.on("moveend", update);
    update();
  }

  update() {
    const seen = new Set();
    for (const feature of this.map.queryRenderedFeatures({ layers: ["clusters"] })) {
      const key = `${feature.id}`;
      if (seen.has(key)) continue;
      seen.add(key);
      if (!this.markers.has(key)) {
        const element = this.donut(feature.properties);
        element.dataset.id = key;
        const marker = new Marker({ element }).setLngLat(feature.geometry.coordinates).addTo(this.map);
        marker.getElement().addEventListener("click", (event) => {
          event.stopPropagation();
          this.map.easeTo({ center: feature.geometry.coordinates, zoom: feature.properties.expansion_zoom });
        });
        this.markers.set(key, marker);
      }
    }
    for (const [key, marker] of this.markers) {
      if (!seen.has(key)) {
        marker.remove();
        this.markers.delete(key);
      }
    }
  }

  /// An SVG donut: one arc per sector with organisations, the count inside.
  donut(properties) {
    const count = properties.count;
    const parts = this.keys.map((k, i) => ({ value: properties[`${this.prefix}${k}`] ?? 0, colour: this.colour(i), key: k })).filter((p) => p.value > 0);
    const total = parts.reduce((sum, p) => sum + p.value, 0);
    const size = count >= 1000 ? 64 : count >= 100 ? 52 : count >= 10 ? 42 : 34;
    const r = size / 2;
    const inner = r * 0.6;
    const svg = document.createElementNS(SVG, "svg");
    svg.setAttribute("width", size);
    svg.setAttribute("height", size);
    svg.setAttribute("viewBox", `0 0 ${size} ${size}`);
    svg.setAttribute("class", "cluster-donut");
    svg.dataset.count = String(count);
    let angle = -Math.PI / 2;
    for (const part of parts) {
      const sweep = (part.value / total) * Math.PI * 2;
      const path = document.createElementNS(SVG, "path");
      path.setAttribute("d", arc(r, r, r, inner, angle, angle + sweep));
      path.setAttribute("fill", part.colour);
      path.dataset[this.by] = part.key;
      svg.append(path);
      angle += sweep;
    }
    const disc = document.createElementNS(SVG, "circle");
    disc.setAttribute("cx", r);
    disc.setAttribute("cy", r);
    disc.setAttribute("r", inner);
    disc.setAttribute("fill", "#ffffff");
    const label = document.createElementNS(SVG, "text");
    label.setAttribute("x", r);
    label.setAttribute("y", r);
    label.setAttribute("text-anchor", "middle");
    label.setAttribute("dominant-baseline", "central");
    label.setAttribute("font-size", Math.max(10, inner * 0.8));
    label.textContent = count >= 10000 ? `${Math.round(count / 1000)}k` : String(count);
    svg.append(disc, label);
    const title = document.createElementNS(SVG, "title");
    title.textContent = `${count}`;
    svg.append(title);
    return svg;
  }
}

/// The path of a ring segment from angle a0 to a1 (radians) around (cx, cy).
function arc(cx, cy, outer, inner, a0, a1) {
  if (a1 - a0 >= Math.PI * 2 - 1e-9) a1 = a0 + Math.PI * 2 - 1e-4;
  const large = a1 - a0 > Math.PI ? 1 : 0;
  const p = (radius, a) => `${cx + radius * Math.cos(a)} ${cy + radius * Math.sin(a)}`;
  return `M ${p(outer, a0)} A ${outer} ${outer} 0 ${large} 1 ${p(outer, a1)} L ${p(inner, a1)} A ${inner} ${inner} 0 ${large} 0 ${p(inner, a0)} Z`;
}
