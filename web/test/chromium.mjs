// Shared by the browser tests: Debian's Chromium (never a downloaded browser)
// and a watch on a page for what must never happen there.
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
