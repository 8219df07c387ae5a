// The public form and the moderation page in Debian's Chromium, against a
// running impactmap (IMPACTMAP_URL) with a moderator (IMPACTMAP_ADMIN_TOKEN).
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { createServer } from "node:http";
import { launch, watch } from "./chromium.mjs";

const base = process.env.IMPACTMAP_URL;
const token = process.env.IMPACTMAP_ADMIN_TOKEN;
const artefacts = process.env.IMPACTMAP_ARTEFACTS;
const HOSTILE = `"><svg onload=alert(1)> <img src=x onerror=alert(2)> تعاونية 🌾`;
let browser;

before(async () => {
  assert.ok(base && token, "IMPACTMAP_URL and IMPACTMAP_ADMIN_TOKEN name the server and a moderator");
  browser = await launch();
});

after(async () => browser?.close());

/// A page that records console errors, dialogs and requests leaving 127.0.0.1.
async function open(path, viewport = { width: 1024, height: 900 }) {
  const page = await browser.newPage({ viewport });
  const problems = watch(page);
  page.on("dialog", (d) => {
    problems.push(`dialog: ${d.message()}`);
    d.dismiss();
  });
  await page.goto(`${base}${path}`);
  return { page, problems };
}

const admin = (path, init = {}) => fetch(`${base}/api/admin/${path}`, { ...init, headers: { Authorization: `Bearer ${token}`, ...init.headers } }).then((r) => r.json());

test("the form, in French, finds a town offline, takes the dragged marker and says what comes next", async () => {
  const { page, problems } = await open("/contribute?lang=fr");
  assert.equal(await page.textContent("#form-title"), "Ajouter une organisation à la carte");
  await page.waitForFunction(() => window.__map?.loaded());
  // Sent empty: the page names what is missing and sends nothing.
  let posted = 0;
  page.on("request", (r) => r.method() === "POST" && posted++);
  await page.click("button[type=submit]");
  assert.equal(await page.textContent("#e-name"), "Obligatoire");
  assert.equal(await page.textContent("#e-consent"), "Obligatoire");
  assert.equal(posted, 0);

  await page.fill("#f-name", HOSTILE);
  await page.selectOption("#f-family", "cooperative");
  await page.check("input[name=sectors][value=food-agriculture]");
  await page.check("input[name=sdgs][value='5']");
  await page.fill("#f-website", "javascript:alert(3)");
  await page.fill("#f-city", "thies");
  await page.click(".places button >> nth=0");
  assert.equal(await page.inputValue("#f-country"), "SN");
  assert.equal(await page.inputValue("#f-city"), "Thiès");
  const placed = (await page.textContent(".position")).split(", ").map(Number);
  assert.ok(Math.abs(placed[0] - 14.79) < 0.1 && Math.abs(placed[1] + 16.93) < 0.1, `${placed}`);
  // Drag the marker 40 px east: the position follows.
  const box = await page.locator(".maplibregl-marker").boundingBox();
  await page.mouse.move(box.x + box.width / 2, box.y + box.height - 4);
  await page.mouse.down();
  await page.mouse.move(box.x + box.width / 2 + 40, box.y + box.height - 4, { steps: 8 });
  await page.mouse.up();
  const dragged = (await page.textContent(".position")).split(", ").map(Number);
  assert.ok(dragged[1] > placed[1], `${dragged} is east of ${placed}`);
  await page.check("#f-consent");
  await page.click("button[type=submit]");
  assert.equal(await page.textContent("#e-website"), "Donnez une adresse commençant par http:// ou https://");
  await page.fill("#f-website", "https://example.org/tawuniya");
  await page.click("button[type=submit]");
  await page.waitForSelector("#answer[data-id]", { timeout: 30000 });
  assert.match(await page.textContent("#answer"), /l'organisation apparaîtra sur la carte une fois validée/);
  if (artefacts) await page.screenshot({ path: `${artefacts}/contribute.png`, fullPage: true });
  const id = await page.getAttribute("#answer", "data-id");
  const queue = await admin("submissions?status=pending");
  const mine = queue.submissions.find((s) => s.id === id);
  assert.equal(mine?.fields.name, HOSTILE);
  assert.equal(mine.fields.country, "SN");
  assert.equal(mine.fields.lon, dragged[1]);
  // Pending: not on the public map.
  const search = await (await fetch(`${base}/api/search?q=${encodeURIComponent("تعاونية")}`)).json();
  assert.equal(search.numberReturned, 0);
  assert.deepEqual(problems, []);
  await page.close();
});

// RELIABILITY A10.
test("moderators read submissions as text and approve them onto the map", async () => {
  const { page, problems } = await open("/admin");
  await page.fill("#token", token);
  await page.click("#login button");
  await page.waitForSelector("#items .item");
  assert.equal(await page.locator("#items img, #items svg").count(), 0);
  const item = page.locator(".item", { hasText: "تعاونية" });
  assert.equal(await item.locator("h3").textContent(), HOSTILE);
  if (artefacts) await page.screenshot({ path: `${artefacts}/admin.png`, fullPage: true });
  const id = await item.getAttribute("data-id");
  await item.locator("button", { hasText: "Approve" }).first().click();
  await page.waitForFunction((id) => !document.querySelector(`.item[data-id="${id}"]`), id);
  const approved = (await admin("submissions?status=approved")).submissions.find((s) => s.id === id);
  const published = await (await fetch(`${base}/api/organisations/${approved.organisation}`)).json();
  assert.equal(published.properties.name, HOSTILE);
  // The audit list is fetched again after the queue: wait for it, then read it.
  await page.waitForFunction((id) => document.querySelector("#audit").textContent.includes(`tester — approve ${id}`), id, { timeout: 10000 });
  assert.match(await page.textContent("#audit"), new RegExp(`tester — approve ${id}`));
  // A wrong token is told so and sees nothing.
  await page.evaluate(() => sessionStorage.setItem("impactmap-token", "tester.wrong"));
  await page.reload();
  await page.waitForSelector("#login-error:not(:empty)");
  assert.equal(await page.isHidden("#queue"), true);
  // Only the 401 the page handles shows in the console.
  assert.deepEqual(problems.filter((p) => !p.includes("401")), []);
  await page.close();
});

// RELIABILITY E6.
test("another site may frame the embed but never the moderation page", async () => {
  // A member's site: another origin (another port) whose page frames both.
  const member = createServer((_, res) => {
    res.setHeader("Content-Type", "text/html");
    res.end(`<iframe id="embed" src="${base}/embed" width="400" height="300"></iframe><iframe id="admin" src="${base}/admin"></iframe>`);
  });
  await new Promise((resolve) => member.listen(0, "127.0.0.1", resolve));
  const page = await browser.newPage();
  await page.goto(`http://127.0.0.1:${member.address().port}/`);
  const embed = await (await page.$("#embed")).contentFrame();
  await embed.waitForFunction(() => window.__map?.loaded(), null, { timeout: 30000 });
  const framed = await (await page.$("#admin")).contentFrame();
  await page.waitForTimeout(500);
  assert.equal(await framed.evaluate(() => document.getElementById("login")).catch(() => null), null);
  const headers = (await fetch(`${base}/admin`)).headers;
  assert.equal(headers.get("x-frame-options"), "DENY");
  assert.match(headers.get("content-security-policy"), /frame-ancestors 'none'/);
  await page.close();
  member.close();
});
