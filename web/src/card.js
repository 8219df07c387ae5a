// The card of an organisation: every value set as text, never as HTML.
import { Popup } from "./vendor/maplibre-gl.mjs";
import { label, t } from "./i18n.js";

const text = (tag, value, className) => {
  const element = document.createElement(tag);
  element.textContent = value;
  if (className) element.className = className;
  return element;
};

export async function showCard(map, feature, lang) {
  const card = document.createElement("article");
  card.className = "card";
  const id = feature.properties.id;
  const heading = text("h2", feature.properties.name ?? "");
  card.append(heading);
  const response = await fetch(`api/organisations/${encodeURIComponent(id)}`);
  if (response.ok) {
    const { properties } = await response.json();
    heading.textContent = properties.name;
    const taxonomy = window.__taxonomy;
    const named = (list, key) => label(list?.find((term) => term.key === key), lang) || key;
    card.append(text("p", `${named(taxonomy?.families, properties.family)} · ${properties.sectors.map((s) => named(taxonomy?.sectors, s)).join(", ")}`, "card-classes"));
    card.append(text("p", [properties.city, properties.country].filter(Boolean).join(", "), "card-place"));
    if (properties.sdgs.length) card.append(text("p", `SDG ${properties.sdgs.join(", ")}`, "card-sdgs"));
    if (properties.description) card.append(text("p", properties.description, "card-description"));
    if (properties.website) {
      const link = text("a", properties.website);
      link.href = properties.website;
      link.rel = "noopener";
      link.target = "_blank";
      card.append(link);
    }
    if (properties.sample) card.append(text("p", t(lang, "sampleOrganisation"), "card-sample"));
    // Outside the embed, members may suggest a change; a moderator reviews it.
    if (!document.body.classList.contains("embed")) {
      const suggest = text("a", t(lang, "suggest"), "card-suggest");
      suggest.href = `contribute?lang=${lang}&edit=${encodeURIComponent(id)}`;
      card.append(suggest);
    }
  }
  const popup = new Popup({ maxWidth: "280px" }).setLngLat(feature.geometry.coordinates).setDOMContent(card).addTo(map);
  // The open card lives in the address (?org=), so it can be shared.
  const address = new URL(location.href);
  address.searchParams.set("org", id);
  history.replaceState(history.state, "", address);
  popup.on("close", () => {
    const now = new URL(location.href);
    if (now.searchParams.get("org") !== id) return;
    now.searchParams.delete("org");
    history.replaceState(history.state, "", now);
  });
}
