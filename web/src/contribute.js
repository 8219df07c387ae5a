// The public form (/contribute, ?lang=, ?edit=ORG_ID to suggest a change):
// the server validates again and has the last word; this page only helps.
// Every value a person typed is set as text or as a form value, never as HTML.
import { Map, Marker } from "./vendor/maplibre-gl.mjs";
import { label, pickLanguage, t } from "./i18n.js";
import { element } from "./dom.js";
import { solve } from "./pow.js";

const params = new URLSearchParams(location.search);
const lang = pickLanguage(params);
const editOf = params.get("edit");
document.documentElement.lang = lang;
const notice = document.getElementById("sample-notice");
if (notice) notice.textContent = t(lang, "sample");
document.getElementById("form-title").textContent = t(lang, "formTitle");
document.getElementById("form-intro").textContent = editOf ? `${t(lang, "formIntro")} ${t(lang, "fEditing")}` : t(lang, "formIntro");
document.querySelector("header a").href = `./?lang=${lang}`;

const form = document.getElementById("form");
const answer = document.getElementById("answer");
// The token is fetched now, so that the time a person takes counts.
const challenge = fetch("api/submissions/challenge").then((r) => r.json());

/// A labelled field with room for its error message.
function field(name, text, control) {
  control.name = name;
  control.id = `f-${name}`;
  const error = element("span", { className: "field-error", id: `e-${name}` });
  control.setAttribute("aria-describedby", error.id);
  return element("div", { className: "field", dataset: { field: name } }, element("label", { htmlFor: control.id, textContent: text }), control, error);
}

function checkboxes(name, text, options) {
  const set = element("fieldset", { className: "field checks", dataset: { field: name } }, element("legend", { textContent: text }));
  for (const [value, caption] of options) {
    set.append(element("label", {}, element("input", { type: "checkbox", name, value }), ` ${caption}`));
  }
  set.append(element("span", { className: "field-error", id: `e-${name}` }));
  return set;
}

function select(options, placeholder) {
  const s = element("select", {}, element("option", { value: "", textContent: placeholder }));
  for (const [value, caption] of options) s.append(element("option", { value, textContent: caption }));
  return s;
}

const taxonomy = await fetch("api/taxonomy").then((r) => r.json());
const byLabel = (a, b) => a[1].localeCompare(b[1], lang);
const countries = taxonomy.countries.map((c) => [c.code, c[lang] || c.en]).sort(byLabel);
const families = taxonomy.families.filter((f) => f.key !== "unclassified").map((f) => [f.key, label(f, lang)]);
const sectors = taxonomy.sectors.filter((s) => s.key !== "unclassified").map((s) => [s.key, label(s, lang)]);

const town = element("input", { type: "text", autocomplete: "off" });
const places = element("ul", { className: "places", role: "listbox" });
const position = element("p", { className: "position", textContent: t(lang, "fNoPosition") });
const mapBox = element("div", { id: "form-map" });
// Bots fill every field; people never see this one.
const honeypot = element("div", { className: "hp", ariaHidden: "true" }, element("label", { textContent: "Homepage" }, element("input", { name: "homepage", tabIndex: -1, autocomplete: "off" })));
form.append(
  field("name", t(lang, "fName"), element("input", { type: "text", maxLength: 200, required: true })),
  field("family", t(lang, "fFamily"), select(families, t(lang, "fChoose"))),
  checkboxes("sectors", t(lang, "fSectors"), sectors),
  field("description", t(lang, "fDescription"), element("textarea", { rows: 4, maxLength: 5000 })),
  field("website", t(lang, "fWebsite"), element("input", { type: "url", maxLength: 2000 })),
  field("email", t(lang, "fEmail"), element("input", { type: "email", maxLength: 254 })),
  field("city", t(lang, "fTown"), town),
  places,
  field("country", t(lang, "fCountry"), select(countries, t(lang, "fChoose"))),
  element("div", { className: "field", dataset: { field: "lat" } }, element("span", { textContent: t(lang, "fPosition") }), mapBox, position, element("span", { className: "field-error", id: "e-lat" })),
  checkboxes("sdgs", t(lang, "fSdgs"), Array.from({ length: 17 }, (_, i) => [String(i + 1), String(i + 1)])),
  element("div", { className: "field", dataset: { field: "consent" } },
    element("label", {}, element("input", { type: "checkbox", name: "consent", id: "f-consent" }), ` ${t(lang, "fConsent")}`),
    element("span", { className: "field-error", id: "e-consent" })),
  honeypot,
  element("button", { type: "submit", textContent: t(lang, "fSubmit") }),
);

let point = null;
const map = new Map({ container: mapBox, style: "style.json", center: [10, 20], zoom: 1, attributionControl: false });
const marker = new Marker({ draggable: true });
const place = (lon, lat, zoom) => {
  point = { lon: Math.round(lon * 1e6) / 1e6, lat: Math.round(lat * 1e6) / 1e6 };
  marker.setLngLat([point.lon, point.lat]).addTo(map);
  position.textContent = `${point.lat}, ${point.lon}`;
  if (zoom) map.jumpTo({ center: [point.lon, point.lat], zoom });
};
marker.on("dragend", () => place(marker.getLngLat().lng, marker.getLngLat().lat));
map.on("click", (e) => place(e.lngLat.lng, e.lngLat.lat));
window.__map = map;
// "load" fires once; the edited organisation's point may arrive after it.
const mapLoaded = new Promise((resolve) => map.once("load", resolve));

// Offline place search over the shipped gazetteer.
let searching = 0;
town.addEventListener("input", async () => {
  const q = town.value.trim();
  const mine = ++searching;
  places.replaceChildren();
  if (q.length < 2) return;
  const found = await fetch(`api/places?q=${encodeURIComponent(q)}&limit=8`).then((r) => r.json());
  if (mine !== searching) return;
  for (const p of found.places) {
    const country = countries.find(([code]) => code === p.country)?.[1] ?? p.country;
    const choose = element("button", { type: "button", textContent: `${p.name}, ${country}` });
    choose.addEventListener("click", () => {
      town.value = p.name;
      form.elements.country.value = p.country;
      place(p.lon, p.lat, 11);
      places.replaceChildren();
    });
    places.append(element("li", {}, choose));
  }
});

if (editOf) {
  const found = await fetch(`api/organisations/${encodeURIComponent(editOf)}`);
  if (found.ok) {
    const { properties: p, geometry } = await found.json();
    for (const name of ["name", "family", "description", "website", "country"]) form.elements[name].value = p[name] ?? "";
    town.value = p.city ?? "";
    for (const box of form.querySelectorAll("input[name=sectors]")) box.checked = p.sectors.includes(box.value);
    for (const box of form.querySelectorAll("input[name=sdgs]")) box.checked = p.sdgs.includes(Number(box.value));
    mapLoaded.then(() => place(...geometry.coordinates, 12));
  }
}

const showErrors = (errors) => {
  for (const e of form.querySelectorAll(".field-error")) e.textContent = "";
  for (const [name, message] of errors) {
    const target = document.getElementById(`e-${name}`) ?? answer;
    target.textContent = message;
  }
  if (errors.length) form.querySelector(`[data-field="${errors[0][0]}"]`)?.scrollIntoView({ block: "center" });
};

/// The checks a person can fix before sending; the server checks everything again.
function localErrors(body) {
  const errors = [];
  if (!body.name.trim()) errors.push(["name", t(lang, "fRequired")]);
  if (!body.family) errors.push(["family", t(lang, "fRequired")]);
  if (!body.sectors.length) errors.push(["sectors", t(lang, "fRequired")]);
  if (body.website && !/^https?:\/\/\S+$/i.test(body.website)) errors.push(["website", t(lang, "fBadWebsite")]);
  if (!body.country) errors.push(["country", t(lang, "fRequired")]);
  if (body.lat === undefined) errors.push(["lat", t(lang, "fNoPosition")]);
  if (!body.consent) errors.push(["consent", t(lang, "fRequired")]);
  return errors;
}

form.addEventListener("submit", async (event) => {
  event.preventDefault();
  const values = form.elements;
  const checked = (name) => [...form.querySelectorAll(`input[name=${name}]:checked`)].map((b) => b.value);
  const body = {
    name: values.name.value,
    family: values.family.value,
    sectors: checked("sectors"),
    sdgs: checked("sdgs").map(Number),
    description: values.description.value,
    website: values.website.value.trim(),
    email: values.email.value.trim(),
    city: town.value.trim(),
    country: values.country.value,
    ...(point ?? {}),
    consent: values.consent.checked,
    homepage: values.homepage.value,
    ...(editOf ? { edit_of: editOf } : {}),
  };
  const errors = localErrors(body);
  showErrors(errors);
  if (errors.length) return;
  const button = form.querySelector("button[type=submit]");
  button.disabled = true;
  answer.textContent = t(lang, "fWorking");
  try {
    const { token, bits } = await challenge;
    body.form_token = token;
    body.pow = await solve(token, bits);
    const response = await fetch("api/submissions", { method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify(body) });
    const reply = await response.json().catch(() => ({}));
    if (response.ok) {
      form.hidden = true;
      answer.textContent = t(lang, "fThanks");
      answer.dataset.id = reply.id;
      return;
    }
    if (response.status === 422 && reply.errors) {
      showErrors(reply.errors.map((e) => [e.field.split("/")[1], e.error]));
      answer.textContent = t(lang, "fFailed");
    } else if (response.status === 429) answer.textContent = t(lang, "fTooMany");
    else if (response.status === 503) answer.textContent = t(lang, "fUnavailable");
    else answer.textContent = t(lang, "fFailed");
  } catch {
    answer.textContent = t(lang, "fFailed");
  }
  button.disabled = false;
});
