// Pages to their first idle in interleaved rounds: every round opens each
// page once, in turn, in a fresh Chromium with the peers harness's flags
// (software GL through SwiftShader, 1280×800), and each page's time is read
// as a ratio to the first page's in the same round. This machine's speed
// drifts by up to 2× within minutes, so the median of those per-round ratios
// compares pages where medians of separate runs do not.
//
//   node benches/browser/rounds.mjs ROUNDS name=URL [name=URL ...]
//
// Each page must set `window.__map` to its MapLibre map as it creates it.
// Prints, per page, the median first idle (ms) and the median ratio to the
// first page, with every round's ratio.
import { chromium } from "../../web/node_modules/playwright-core/index.mjs";
import { recordFirstIdle } from "../../web/test/chromium.mjs";

const rounds = Number(process.argv[2]);
const pages = process.argv.slice(3).map((arg) => arg.split(/=(.*)/s).slice(0, 2));
if (!(rounds > 0) || pages.length === 0 || pages.some(([, url]) => !url)) {
  throw new Error("usage: node benches/browser/rounds.mjs ROUNDS name=URL [name=URL ...]");
}

async function firstIdle(url) {
  const browser = await chromium.launch({
    executablePath: process.env.CHROMIUM ?? "/usr/bin/chromium",
    args: ["--no-sandbox", "--use-gl=angle", "--use-angle=swiftshader", "--enable-unsafe-swiftshader", "--disable-background-networking", "--no-first-run"],
  });
  try {
    const page = await (await browser.newContext({ viewport: { width: 1280, height: 800 } })).newPage();
    await recordFirstIdle(page);
    await page.goto(url, { waitUntil: "commit" });
    await page.waitForFunction(() => window.__firstIdle !== undefined, null, { polling: 20, timeout: 120000 });
    return await page.evaluate(() => window.__firstIdle);
  } finally {
    await browser.close();
  }
}

const idle = pages.map(() => []);
for (let round = 0; round < rounds; round++) {
  for (const [i, [, url]] of pages.entries()) idle[i].push(await firstIdle(url));
}
const median = (xs) => xs.slice().sort((a, b) => a - b)[Math.floor(xs.length / 2)];
for (const [i, [name]] of pages.entries()) {
  const ratios = idle[i].map((ms, round) => ms / idle[0][round]);
  console.log(`${name.padEnd(16)} idle ${Math.round(median(idle[i]))} ms, ratio to ${pages[0][0]} ${median(ratios).toFixed(3)} [${ratios.map((r) => r.toFixed(2)).join(" ")}]`);
}
