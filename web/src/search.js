// The search box: names and towns (and countries) through /api/search,
// under the page's filters; results as buttons that fly to the organisation.
import { t } from "./i18n.js";

export function renderSearch(container, lang, filters, open) {
  const section = document.createElement("section");
  section.className = "search";
  const input = document.createElement("input");
  input.type = "search";
  input.placeholder = t(lang, "search");
  input.setAttribute("aria-label", t(lang, "search"));
  const results = document.createElement("ul");
  results.setAttribute("aria-live", "polite");
  section.append(input, results);
  container.prepend(section);
  let asked = 0;
  input.addEventListener("input", async () => {
    const mine = ++asked;
    const q = input.value.trim();
    if (q.length < 2) {
      results.replaceChildren();
      return;
    }
    const answer = await (await fetch(`api/search?limit=10&q=${encodeURIComponent(q)}${filters ? `&${filters}` : ""}`)).json();
    if (mine !== asked) return; // a later keystroke answered first
    results.replaceChildren(
      ...answer.features.map((feature) => {
        const item = document.createElement("li");
        const button = document.createElement("button");
        button.type = "button";
        button.textContent = `${feature.properties.name} — ${feature.properties.city}`;
        button.addEventListener("click", () => open(feature));
        item.append(button);
        return item;
      }),
    );
  });
}
