// The accessible twin of the map: the organisations in view (and under the
// filters) as a list of buttons, from the OGC API, refreshed when the map stops.
import { t } from "./i18n.js";

const LIMIT = 50;

export class ViewList {
  constructor(map, container, lang, filters, open) {
    this.map = map;
    this.lang = lang;
    this.filters = filters;
    this.open = open;
    this.section = document.createElement("section");
    this.section.className = "list";
    this.section.setAttribute("aria-live", "polite");
    this.heading = document.createElement("h2");
    this.items = document.createElement("ol");
    this.section.append(this.heading, this.items);
    container.append(this.section);
    this.asked = 0;
  }

  /// Called once the map has drawn its first view.
  start() {
    this.map.on("moveend", () => this.refresh());
    this.refresh();
  }

  async refresh() {
    const asked = ++this.asked;
    const b = this.map.getBounds();
    let [west, east] = [b.getWest(), b.getEast()];
    if (east - west >= 360) {
      [west, east] = [-180, 180];
    } else {
      // Back into -180..180; west > east then crosses the antimeridian, as the API allows.
      const wrap = (v) => ((((v + 180) % 360) + 360) % 360) - 180;
      [west, east] = [wrap(west), wrap(east)];
      if (east === -180) east = 180;
    }
    const clamp = (v) => Math.min(90, Math.max(-90, v));
    const bbox = [west, clamp(b.getSouth()), east, clamp(b.getNorth())].map((v) => v.toFixed(5)).join(",");
    const url = `ogc/collections/organisations/items?limit=${LIMIT}&bbox=${bbox}${this.filters ? `&${this.filters}` : ""}`;
    const page = await (await fetch(url)).json();
    if (asked !== this.asked) return; // a newer view answered first
    this.heading.textContent = `${t(this.lang, "inView")}: ${page.numberMatched}`;
    this.items.replaceChildren(
      ...page.features.map((feature) => {
        const item = document.createElement("li");
        const button = document.createElement("button");
        button.type = "button";
        button.textContent = `${feature.properties.name} — ${feature.properties.city}`;
        button.addEventListener("click", () => {
          this.map.flyTo({ center: feature.geometry.coordinates, zoom: Math.max(this.map.getZoom(), 14) });
          this.open({ properties: { id: feature.id, name: feature.properties.name }, geometry: feature.geometry });
        });
        item.append(button);
        return item;
      }),
    );
    if (page.numberMatched > page.features.length) {
      const more = document.createElement("li");
      more.textContent = t(this.lang, "more");
      this.items.append(more);
    }
  }
}
