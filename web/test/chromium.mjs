// Shared by the browser tests (and benches/browser): Debian's Chromium (never
// a downloaded browser), a watch on a page for what must never happen there,
// and the moment its map first idles.
import { chromium } from "playwright-core";

export function launch() {
  return chromium.launch({
    executablePath: process.env.CHROMIUM ?? "/usr/bin/chromium",
    args: ["--no-sandbox", "--disable-gpu", "--enable-unsafe-swiftshader", "--disable-quic", "--no-first-run",
      "--disable-background-networking", "--disable-component-update", "--disable-sync"],
  });
}

/// Console errors, page errors and requests leaving 127.0.0.1, as they happen.
export function watch(page) {
  const problems = [];
  page.on("console", (m) => m.type() === "error" && problems.push(`console: ${m.text()}`));
  page.on("pageerror", (e) => problems.push(`page: ${e}`));
  page.on("request", (r) => new URL(r.url()).hostname !== "127.0.0.1" && !/^(blob|data):/.test(r.url()) && problems.push(`offsite: ${r.url()}`));
  return problems;
}

/// Before `page` loads: `window.__firstIdle` will hold the page clock at its
/// map's first idle (the page sets `window.__map` as it creates the map).
export async function recordFirstIdle(page) {
  await page.addInitScript(() => {
    let map;
    Object.defineProperty(window, "__map", {
      configurable: true,
      get: () => map,
      set(value) {
        map = value;
        map.once("idle", () => (window.__firstIdle = performance.now()));
      },
    });
  });
}
