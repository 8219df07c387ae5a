// World view in headless Chromium: impactmap's viewer (server-side clusters)
// against a MapLibre page that loads the same organisations as one GeoJSON
// and clusters them in the browser — the usual way of such maps. Same
// browser, same basemap tiles, same machine, same run; no cache between runs.
//
//   node benches/browser/world.mjs http://127.0.0.1:8080 [RUNS]
//
// Prints one JSON line per page: time from navigation to the first idle map
// (tiles loaded, nothing moving) and bytes on the wire until then (page and
// workers), medians and ranges over RUNS fresh browser contexts.
import { createServer } from "node:http";
import { gzipSync } from "node:zlib";
import { readFileSync } from "node:fs";
import { chromium } from "../../web/node_modules/playwright-core/index.mjs";

const base = process.argv[2];
const runs = Number(process.argv[3] ?? 5);
if (!base) throw new Error("usage: node benches/browser/world.mjs BASE_URL [RUNS]");

// The comparison page, its MapLibre and the GeoJSON, served gzipped as any static host would.
const geojson = gzipSync(Buffer.from(await (await fetch(`${base}/api/organisations?format=geojson`)).arrayBuffer()), { level: 6 });
const maplibre = new URL("../../web/node_modules/maplibre-gl/dist/", import.meta.url);
const files = {
  "/": ["text/html", `<!doctype html><meta charset=utf-8><link rel=stylesheet href=maplibre-gl.css>
<style>html,body,#map{margin:0;height:100%}</style><div id=map></div>
<script type=module>
import { Map } from "./maplibre-gl.mjs";
const map = new Map({ container: "map", center: [0, 20], zoom: 1, style: {
  version: 8,
  sources: {
    basemap: { type: "vector", tiles: ["${base}/tiles/{z}/{x}/{y}.mvt?layers=countries"], maxzoom: 10 },
    orgs: { type: "geojson", data: "orgs.geojson", cluster: true, clusterRadius: 50, clusterMaxZoom: 14,
      clusterProperties: { africa: ["+", ["case", ["==", ["get", "continent"], "africa"], 1, 0]] } },
  },
  layers: [
    { id: "bg", type: "background", paint: { "background-color": "#dbe9f4" } },
    { id: "countries", type: "fill", source: "basemap", "source-layer": "countries", paint: { "fill-color": "#f7f5ef" } },
    { id: "clusters", type: "circle", source: "orgs", paint: { "circle-color": "#2b6cb0",
      "circle-radius": ["step", ["coalesce", ["get", "point_count"], 1], 6, 10, 12, 100, 18, 1000, 24] } },
  ] } });
window.__map = map;
</script>`],
  "/maplibre-gl.mjs": ["text/javascript", readFileSync(new URL("maplibre-gl.mjs", maplibre))],
  "/maplibre-gl-shared.mjs": ["text/javascript", readFileSync(new URL("maplibre-gl-shared.mjs", maplibre))],
  "/maplibre-gl-worker.mjs": ["text/javascript", readFileSync(new URL("maplibre-gl-worker.mjs", maplibre))],
  "/maplibre-gl.css": ["text/css", readFileSync(new URL("maplibre-gl.css", maplibre))],
};
const peer = createServer((req, res) => {
  const path = new URL(req.url, "http://x").pathname;
  if (path === "/orgs.geojson") {
    res.writeHead(200, { "Content-Type": "application/geo+json", "Content-Encoding": "gzip" });
    return res.end(geojson);
  }
  const file = files[path];
  if (!file) return res.writeHead(404).end();
  const body = gzipSync(file[1]);
  res.writeHead(200, { "Content-Type": file[0], "Content-Encoding": "gzip" });
  res.end(body);
});
await new Promise((resolve) => peer.listen(0, "127.0.0.1", resolve));
const peerUrl = `http://127.0.0.1:${peer.address().port}/`;

const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM ?? "/usr/bin/chromium",
  args: ["--no-sandbox", "--disable-gpu", "--enable-unsafe-swiftshader", "--no-first-run", "--disable-background-networking"],
});

async function measure(url) {
  const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
  const page = await context.newPage();
  // Every response, the workers' (tiles, GeoJSON) included: bytes as sent (compressed) with headers.
  const sizes = [];
  page.on("requestfinished", (request) => sizes.push(request.sizes().then((s) => s.responseBodySize + s.responseHeadersSize)));
  await page.goto(url);
  const idle = await page.evaluate(
    () =>
      new Promise((resolve) => {
        const poll = () => {
          const map = window.__map;
          if (map?.loaded() && map.areTilesLoaded() && !map.isMoving()) resolve(performance.now());
          else setTimeout(poll, 5);
        };
        poll();
      }),
  );
  const counted = sizes.length;
  const bytes = (await Promise.all(sizes.slice(0, counted))).reduce((a, b) => a + b, 0);
  await context.close();
  return { idle, bytes };
}

const median = (xs) => xs.slice().sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const organisations = (await (await fetch(`${base}/healthz`)).json()).atlas.organisations;
for (const [name, url] of [["impactmap", `${base}/`], ["geojson-clustering", peerUrl]]) {
  await measure(url); // warm the server and the OS, not the browser
  const samples = [];
  for (let i = 0; i < runs; i++) samples.push(await measure(url));
  const idle = samples.map((s) => s.idle);
  const bytes = samples.map((s) => s.bytes);
  console.log(JSON.stringify({ page: name, organisations, runs, idle_ms: Math.round(median(idle)), idle_min: Math.round(Math.min(...idle)),
    idle_max: Math.round(Math.max(...idle)), bytes: median(bytes), bytes_min: Math.min(...bytes), bytes_max: Math.max(...bytes) }));
}
await browser.close();
peer.close();
