// The embed configurator: choose language, filters and colours; the page
// writes the <iframe> snippet and previews it. Values come only from lists.
import { label } from "./i18n.js";

const form = document.getElementById("options");
const snippet = document.getElementById("snippet");
const preview = document.getElementById("preview");

function choice(name, caption, options) {
  const wrapper = document.createElement("label");
  wrapper.textContent = caption;
  const select = document.createElement("select");
  select.name = name;
  for (const [value, text] of options) {
    const option = document.createElement("option");
    option.value = value;
    option.textContent = text;
    select.append(option);
  }
  select.addEventListener("change", update);
  wrapper.append(select);
  form.append(wrapper);
}

function update() {
  const params = new URLSearchParams();
  for (const select of form.querySelectorAll("select")) if (select.value) params.set(select.name, select.value);
  const url = new URL(`embed${params.size ? `?${params}` : ""}`, location.href).href;
  snippet.value = `<iframe src="${url}" title="Pact for Impact organisations" width="100%" height="480" style="border:0"></iframe>`;
  preview.src = url;
}

const taxonomy = await (await fetch("api/taxonomy")).json();
const terms = (list) => [["", "—"], ...list.filter((t) => t.key !== "unclassified").map((t) => [t.key, label(t, "en")])];
choice("lang", "Language", [["en", "English"], ["fr", "Français"], ["es", "Español"]]);
choice("continent", "Continent", terms(taxonomy.continents));
choice("sector", "Sector", terms(taxonomy.sectors));
choice("family", "Family", terms(taxonomy.families));
choice("colour", "Colours", [["", "by sector"], ["continent", "by continent"]]);
update();
window.__configured = true;
