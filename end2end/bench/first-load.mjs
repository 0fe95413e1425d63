// First-load transfer as Chromium measures it: bytes over the wire (compressed, with headers) for the page and
// everything it loads until the wasm has hydrated. Prints Markdown table rows for docs/benchmarks.md.
import { chromium } from "@playwright/test";

const baseURL = process.env.BASE_URL || "http://127.0.0.1:3200";
const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM_PATH || "/usr/bin/chromium",
  args: ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
    "--disable-component-update", "--disable-sync"],
});
try {
  const page = await browser.newPage();
  const started = Date.now();
  await page.goto(baseURL + "/");
  await page.waitForSelector("body[data-hydrated=true]", { timeout: 30_000 });
  const hydratedMs = Date.now() - started;
  const entries = await page.evaluate(() =>
    [...performance.getEntriesByType("navigation"), ...performance.getEntriesByType("resource")].map((e) => ({
      name: e.name,
      transfer: e.transferSize,
      body: e.decodedBodySize,
    })),
  );
  const total = entries.reduce((sum, e) => sum + e.transfer, 0);
  const decoded = entries.reduce((sum, e) => sum + e.body, 0);
  const kib = (n) => (n / 1024).toFixed(1);
  console.log(`| first-load transfer (${entries.length} requests, over the wire) | ${kib(total)} KiB (${kib(decoded)} KiB decoded) |`);
  for (const e of entries) {
    console.log(`| &nbsp;&nbsp;${new URL(e.name).pathname} | ${kib(e.transfer)} KiB |`);
  }
  console.log(`| load to hydrated, local (one run) | ${hydratedMs} ms |`);
} finally {
  await browser.close();
}
