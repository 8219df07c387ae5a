// The viewer in Debian's Chromium, driven by playwright-core, against a
// running impactmap (IMPACTMAP_URL; crates/cli/tests/browser.rs starts one).
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { launch, recordFirstIdle, watch } from "./chromium.mjs";

const base = process.env.IMPACTMAP_URL;
const artefacts = process.env.IMPACTMAP_ARTEFACTS;
let browser;

before(async () => {
  assert.ok(base, "IMPACTMAP_URL names the server to test");
  browser = await launch();
});

after(async () => browser?.close());

/// Opens a page, collecting console errors and requests that left 127.0.0.1.
async function open(path, viewport = { width: 1280, height: 800 }) {
  const page = await browser.newPage({ viewport });
  const problems = watch(page);
  await page.goto(`${base}${path}`);
  await page.waitForFunction(() => window.__map?.loaded() && window.__map.areTilesLoaded(), null, { timeout: 30000 });
  return { page, problems };
}

/// Sum of `count` over the distinct clusters and lone organisations loaded.
const loadedTotal = (page) =>
  page.evaluate(() => {
    const seen = new Map();
    for (const f of window.__map.querySourceFeatures("impactmap", { sourceLayer: "clusters" })) seen.set(f.id, f.properties.count);
    return [...seen.values()].reduce((a, b) => a + b, 0);
  });

test("the world view draws clusters that count every organisation, offline", async () => {
  const { page, problems } = await open("/");
  const health = await (await fetch(`${base}/healthz`)).json();
  assert.equal(await loadedTotal(page), health.atlas.organisations);
  const drawn = await page.evaluate(() => window.__map.queryRenderedFeatures({ layers: ["clusters"] }).length);
  assert.ok(drawn > 0, "clusters are drawn");
  // The whole world is in view: the list counts everyone.
  await page.waitForFunction((n) => document.querySelector(".list h2")?.textContent.endsWith(`: ${n}`), health.atlas.organisations, { timeout: 10000 });
  assert.match(await page.textContent("#sample-notice"), /Sample data/);
  if (artefacts) await page.screenshot({ path: `${artefacts}/world.png` });
  assert.deepEqual(problems, []);
  await page.close();
});

test("the map draws its world view before the panel and controls ask for anything", async () => {
  const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
  const problems = watch(page);
  await recordFirstIdle(page);
  await page.goto(`${base}/`);
  await page.waitForFunction(() => /: \d+/.test(document.querySelector(".list h2")?.textContent ?? ""), null, { timeout: 30000 });
  await page.waitForFunction(() => document.querySelectorAll("select[name=country] option").length > 1, null, { timeout: 10000 });
  // (The tiles are fetched by MapLibre's worker, so they are not among the page's resources.)
  const { idle, panel } = await page.evaluate(() => ({
    idle: window.__firstIdle,
    panel: performance.getEntriesByType("resource").filter((r) => /\/api\/stats|\/ogc\//.test(r.name)).map((r) => r.startTime),
  }));
  assert.ok(idle > 0, "the map reached its first idle");
  // Five facets' counts and the list's page, all after.
  assert.ok(panel.length >= 6, `${panel.length} panel requests`);
  assert.deepEqual(panel.filter((at) => at < idle), []);
  await page.waitForSelector(".maplibregl-ctrl-zoom-in");
  await page.waitForSelector(".maplibregl-ctrl-attrib");
  assert.deepEqual(problems, []);
  await page.close();
});

test("a sector in the page's address re-clusters the map", async () => {
  const { page, problems } = await open("/?sector=housing");
  const stats = await (await fetch(`${base}/api/stats?sector=housing`)).json();
  assert.ok(stats.total > 0);
  assert.equal(await loadedTotal(page), stats.total);
  if (artefacts) await page.screenshot({ path: `${artefacts}/housing.png` });
  assert.deepEqual(problems, []);
  await page.close();
});

test("clusters show their sector mix and open at their expansion zoom", async () => {
  const { page, problems } = await open("/");
  await page.waitForSelector("svg.cluster-donut");
  const donuts = await page.$$eval("svg.cluster-donut", (all) => all.map((d) => ({ count: Number(d.dataset.count), arcs: d.querySelectorAll("path").length })));
  assert.ok(donuts.length > 5, `${donuts.length} donuts`);
  assert.ok(donuts.every((d) => d.arcs >= 1), "every donut has arcs");
  assert.ok(donuts.some((d) => d.arcs >= 3), "big clusters mix several sectors");
  const before = await page.evaluate(() => window.__map.getZoom());
  const target = await page.evaluate(() => {
    const f = window.__map.queryRenderedFeatures({ layers: ["clusters"] }).sort((a, b) => b.properties.count - a.properties.count)[0];
    return { id: String(f.id), zoom: f.properties.expansion_zoom };
  });
  // Donuts overlap where clusters crowd: click this one's own element.
  await page.$eval(`svg.cluster-donut[data-id="${target.id}"]`, (donut) => donut.dispatchEvent(new MouseEvent("click", { bubbles: true })));
  await page.waitForFunction((z) => Math.abs(window.__map.getZoom() - z) < 0.01 && !window.__map.isMoving(), target.zoom, { timeout: 10000 });
  assert.ok(target.zoom > before);
  if (artefacts) await page.screenshot({ path: `${artefacts}/zoomed.png` });
  assert.deepEqual(problems, []);
  await page.close();
});

/// Clicks an organisation drawn on the map and returns once its card is open.
async function openCard(page, org) {
  await page.waitForFunction(() => window.__map.loaded() && window.__map.areTilesLoaded() && !window.__map.isMoving(), null, { timeout: 15000 });
  const point = await page.evaluate((id) => {
    const f = window.__map.queryRenderedFeatures({ layers: ["organisations"] }).find((x) => x.properties.id === id);
    if (!f) return null;
    // project() counts from the map's corner; the page has a header above it.
    const at = window.__map.project(f.geometry.coordinates);
    const box = window.__map.getContainer().getBoundingClientRect();
    return { x: box.left + at.x, y: box.top + at.y };
  }, org.id);
  assert.ok(point, "the organisation is drawn");
  await page.mouse.click(point.x, point.y);
  await page.waitForSelector(".card h2");
}

// RELIABILITY A10.
test("a hostile name shows as text in the card, the list and the embed, and runs nothing", async () => {
  const name = "<img src=x onerror=alert(1)>";
  const found = await (await fetch(`${base}/api/search?q=onerror`)).json();
  const org = found.features.find((f) => f.properties.name === name);
  assert.ok(org, "the hostile organisation is on the map");
  const [lon, lat] = org.geometry.coordinates;
  for (const path of [`/#16/${lat}/${lon}`, `/embed#16/${lat}/${lon}`]) {
    const { page, problems } = await open(path);
    const dialogs = [];
    page.on("dialog", async (d) => { dialogs.push(d.message()); await d.dismiss(); });
    await openCard(page, org);
    assert.equal(await page.textContent(".card h2"), name);
    assert.equal(await page.$$eval(".card img", (imgs) => imgs.length), 0);
    if (!path.startsWith("/embed")) {
      await page.waitForFunction((n) => [...document.querySelectorAll(".list button")].some((b) => b.textContent.startsWith(n)), name, { timeout: 10000 });
      assert.equal(await page.$$eval(".list img", (imgs) => imgs.length), 0);
      if (artefacts) await page.screenshot({ path: `${artefacts}/card.png` });
    }
    assert.deepEqual(dialogs, []);
    assert.deepEqual(problems, []);
    await page.close();
  }
});

test("?lang=fr shows French strings and French sector names", async () => {
  const { page, problems } = await open("/?lang=fr&sector=finance");
  assert.match(await page.textContent("#sample-notice"), /Données d'exemple/);
  await page.waitForSelector(".legend li");
  const legend = await page.$$eval(".legend li", (items) => items.map((i) => i.textContent));
  assert.ok(legend.includes("Santé et action sociale"), legend.join(" | "));
  assert.equal(await page.$eval("select[name=sector]", (s) => s.value), "finance");
  const stats = await (await fetch(`${base}/api/stats?sector=finance`)).json();
  assert.equal(await loadedTotal(page), stats.total);
  if (artefacts) await page.screenshot({ path: `${artefacts}/french.png` });
  assert.deepEqual(problems, []);
  await page.close();
});

test("usable at 360×640", async () => {
  const { page, problems } = await open("/", { width: 360, height: 640 });
  const box = await page.$eval("#map", (m) => m.getBoundingClientRect().toJSON());
  assert.ok(box.width >= 340 && box.height >= 300, JSON.stringify(box));
  if (artefacts) await page.screenshot({ path: `${artefacts}/mobile.png` });
  assert.deepEqual(problems, []);
  await page.close();
});

test("the list names the organisations in view, and opens their card", async () => {
  const { page, problems } = await open("/");
  await page.evaluate(() => window.__map.jumpTo({ center: [2.35, 48.85], zoom: 5 }));
  await page.waitForFunction(() => /: \d+/.test(document.querySelector(".list h2")?.textContent ?? "") && !window.__map.isMoving(), null, { timeout: 15000 });
  await page.waitForTimeout(500);
  const shown = Number((await page.textContent(".list h2")).split(": ")[1]);
  const bounds = await page.evaluate(() => window.__map.getBounds().toArray().flat().map((v) => v.toFixed(5)).join(","));
  const matched = (await (await fetch(`${base}/ogc/collections/organisations/items?limit=1&bbox=${bounds}`)).json()).numberMatched;
  assert.equal(shown, matched);
  assert.ok(shown > 0);
  await page.focus(".list button");
  await page.keyboard.press("Enter");
  await page.waitForSelector(".card h2");
  assert.deepEqual(problems, []);
  await page.close();
});

test("/embed?lang=fr&sector=... is the map alone, in French, filtered", async () => {
  const { page, problems } = await open("/embed?lang=fr&sector=education", { width: 320, height: 480 });
  assert.match(await page.textContent("#sample-notice"), /Données d'exemple/);
  assert.equal(await page.$("#panel"), null);
  assert.equal(await page.$("header"), null);
  const stats = await (await fetch(`${base}/api/stats?sector=education`)).json();
  assert.equal(await loadedTotal(page), stats.total);
  if (artefacts) await page.screenshot({ path: `${artefacts}/embed.png` });
  assert.deepEqual(problems, []);
  await page.close();
});

test("?colour=continent colours the donuts by continent", async () => {
  const { page, problems } = await open("/?colour=continent&lang=es");
  await page.waitForSelector("svg.cluster-donut path[data-continent]");
  const continents = await page.$$eval("svg.cluster-donut path[data-continent]", (paths) => [...new Set(paths.map((p) => p.dataset.continent))]);
  assert.ok(continents.includes("europe") && continents.includes("africa"), continents.join(","));
  assert.equal(await page.$("svg.cluster-donut path[data-sector]"), null);
  const legend = await page.$$eval(".legend li", (items) => items.map((i) => i.textContent));
  assert.ok(legend.includes("África"), legend.join(" | "));
  assert.deepEqual(problems, []);
  await page.close();
});

test("?view=h3 shades hexagons that count every organisation", async () => {
  const { page, problems } = await open("/?view=h3");
  await page.waitForFunction(() => window.__map.getLayer("h3") && window.__map.queryRenderedFeatures({ layers: ["h3"] }).length > 0, null, { timeout: 15000 });
  const total = await page.evaluate(() => {
    const cells = new Map();
    for (const f of window.__map.querySourceFeatures("density", { sourceLayer: "h3" })) cells.set(f.properties.h3, f.properties.count);
    return [...cells.values()].reduce((a, b) => a + b, 0);
  });
  const health = await (await fetch(`${base}/healthz`)).json();
  assert.equal(total, health.atlas.organisations);
  assert.equal(await page.$("svg.cluster-donut"), null);
  if (artefacts) await page.screenshot({ path: `${artefacts}/h3.png` });
  assert.deepEqual(problems, []);
  await page.close();
});

test("the search box finds a town and the view lives in the address", async () => {
  const { page, problems } = await open("/?lang=fr");
  const org = (await (await fetch(`${base}/api/organisations?format=geojson`)).json()).features.find((f) => f.properties.city.length > 4);
  await page.fill(".search input", org.properties.city.slice(0, 5));
  await page.waitForSelector(".search li button");
  const labels = await page.$$eval(".search li button", (b) => b.map((x) => x.textContent));
  assert.ok(labels.some((l) => l.includes(org.properties.city)), labels.join(" | "));
  await page.click(".search li button");
  await page.waitForSelector(".card h2");
  await page.waitForFunction(() => !window.__map.isMoving() && window.__map.getZoom() > 13, null, { timeout: 15000 });
  const hash = await page.evaluate(() => location.hash);
  assert.match(hash, /^#1[34](\.\d+)?\/-?\d/);
  // Opening that address shows the same place.
  const again = await browser.newPage();
  await again.goto(`${base}/?lang=fr${hash}`);
  await again.waitForFunction(() => window.__map?.loaded());
  const zoom = await again.evaluate(() => window.__map.getZoom());
  assert.ok(zoom > 13, `${zoom}`);
  await again.close();
  assert.deepEqual(problems, []);
  await page.close();
});

test("the configurator writes the iframe snippet of the chosen map", async () => {
  const page = await browser.newPage();
  const problems = [];
  page.on("pageerror", (e) => problems.push(`page: ${e}`));
  await page.goto(`${base}/configure`);
  await page.waitForFunction(() => window.__configured);
  await page.selectOption("select[name=lang]", "fr");
  await page.selectOption("select[name=sector]", "housing");
  const snippet = await page.inputValue("#snippet");
  assert.equal(snippet, `<iframe src="${base}/embed?lang=fr&sector=housing" title="Pact for Impact organisations" width="100%" height="480" style="border:0"></iframe>`);
  assert.equal(await page.getAttribute("#preview", "src"), `${base}/embed?lang=fr&sector=housing`);
  assert.deepEqual(problems, []);
  await page.close();
});

test("each filter option says how many it would show", async () => {
  const { page, problems } = await open("/?continent=africa");
  await page.waitForSelector("select[name=sdg] option:nth-child(3)", { state: "attached" });
  await page.waitForFunction(() => /\(\d+\)/.test(document.querySelector("select[name=sector] option[value=finance]")?.textContent ?? ""));
  const finance = await page.$eval("select[name=sector] option[value=finance]", (o) => o.textContent);
  const stats = await (await fetch(`${base}/api/stats?by=sector&continent=africa`)).json();
  assert.equal(finance, `Finance, credit and insurance (${stats.totals.sector.finance})`);
  const sdg3 = await page.$eval("select[name=sdg] option[value='3']", (o) => o.textContent);
  const sdgStats = await (await fetch(`${base}/api/stats?by=sdg&continent=africa`)).json();
  assert.equal(sdg3, `SDG 3 (${sdgStats.totals.sdg["3"]})`);
  assert.deepEqual(problems, []);
  await page.close();
});

test("a country filter re-clusters the map and counts its options", async () => {
  const { page, problems } = await open("/?country=SN");
  const stats = await (await fetch(`${base}/api/stats?by=country`)).json();
  assert.ok(stats.totals.country.SN > 0);
  assert.equal(await loadedTotal(page), stats.totals.country.SN);
  await page.waitForFunction(() => /\(\d+\)/.test(document.querySelector("select[name=country] option[value=SN]")?.textContent ?? ""));
  assert.equal(await page.$eval("select[name=country] option[value=SN]", (o) => o.textContent), `Senegal (${stats.totals.country.SN})`);
  assert.equal(await page.$eval("select[name=country]", (s) => s.value), "SN");
  // Only countries with organisations are offered.
  const offered = await page.$$eval("select[name=country] option", (all) => all.slice(1).map((o) => o.value));
  assert.deepEqual(offered.slice().sort(), Object.keys(stats.totals.country).sort());
  assert.deepEqual(problems, []);
  await page.close();
});

test("the family legend shows the colours lone organisations are drawn in", async () => {
  const { page, problems } = await open("/");
  await page.waitForSelector(".legend[data-by=family] li");
  const legend = await page.$$eval(".legend[data-by=family] li", (items) => items.map((li) => [li.textContent, li.querySelector(".swatch").style.background]));
  const expression = await page.evaluate(() => window.__map.getPaintProperty("organisations", "circle-color"));
  const taxonomy = await (await fetch(`${base}/api/taxonomy`)).json();
  const cooperative = legend.find(([name]) => name === taxonomy.families.find((f) => f.key === "cooperative").en);
  const hex = expression[expression.indexOf("cooperative") + 1];
  const rgb = `rgb(${[1, 3, 5].map((i) => parseInt(hex.slice(i, i + 2), 16)).join(", ")})`;
  assert.equal(cooperative?.[1], rgb);
  assert.equal(legend.length, (expression.length - 3) / 2);
  assert.deepEqual(problems, []);
  await page.close();
});

test("the open card lives in the address and a shared address opens it", async () => {
  const org = (await (await fetch(`${base}/api/organisations?format=geojson&country=KE`)).json()).features[0];
  const { page, problems } = await open(`/?lang=es&org=${org.id}`);
  await page.waitForSelector(".card h2");
  assert.equal(await page.textContent(".card h2"), org.properties.name);
  // The card tells what the organisation does, as text.
  await page.waitForSelector(".card-description");
  assert.equal(await page.textContent(".card-description"), org.properties.description);
  await page.waitForFunction(() => !window.__map.isMoving());
  assert.equal(new URL(page.url()).searchParams.get("org"), org.id);
  await page.click(".maplibregl-popup-close-button");
  await page.waitForFunction(() => !new URL(location.href).searchParams.has("org"));
  assert.deepEqual(problems, []);
  await page.close();
});

// RELIABILITY E13.
test("bad address parameters fall back to defaults and are never shown", async () => {
  const hostile = encodeURIComponent("<img src=x onerror=alert(1)>");
  const { page, problems } = await open(`/embed?sector=${hostile}&continent=atlantis&sdg=99&country=ZZ&lang=xx&colour=${hostile}&org=${hostile}&controls=none`);
  const dialogs = [];
  page.on("dialog", (d) => dialogs.push(d.message()));
  const health = await (await fetch(`${base}/healthz`)).json();
  assert.equal(await loadedTotal(page), health.atlas.organisations);
  assert.equal(await page.evaluate(() => document.documentElement.lang), "en");
  // The controls come with the map's first idle, the attribution among them.
  await page.waitForSelector(".maplibregl-ctrl-attrib");
  assert.equal(await page.$(".maplibregl-ctrl-zoom-in"), null);
  assert.equal(await page.$$eval("img[src=x]", (i) => i.length), 0);
  assert.ok(!(await page.content()).includes("onerror"));
  assert.deepEqual(dialogs, []);
  assert.deepEqual(problems, []);
  await page.close();
});
