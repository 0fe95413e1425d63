import { test, expect, Page } from "@playwright/test";
import { writeFileSync } from "node:fs";

// Opens a 2,000-message conversation and scrolls to its first message, loading the earlier pages as a reader
// would; records Chromium's long tasks (over 50 ms) throughout, at full speed and with the CPU throttled 4x.

const CONVERSATION = process.env.CONVERSATION_ID!;
const USERNAME = process.env.BENCH_USERNAME || "longread";
const PASSWORD = process.env.BENCH_PASSWORD || "Long-Read-2026";

async function measure(page: Page, throttle: number) {
  const cdp = await page.context().newCDPSession(page);
  await cdp.send("Emulation.setCPUThrottlingRate", { rate: throttle });
  const started = Date.now();
  await page.goto(`/c/${CONVERSATION}`);
  await expect(page.locator("body[data-hydrated=true]")).toHaveCount(1, { timeout: 60_000 });
  const hydratedMs = Date.now() - started;
  const log = page.getByRole("log");
  const shown = log.locator("article");
  const firstPage = await shown.count();
  const scrollStarted = Date.now();
  let pages = 1;
  while ((await log.getByRole("button", { name: "Load earlier messages" }).count()) > 0) {
    const before = await shown.count();
    await log.evaluate((el) => el.scrollTo(0, 0));
    await expect.poll(() => shown.count(), { timeout: 30_000 }).toBeGreaterThan(before);
    pages += 1;
  }
  const scrollMs = Date.now() - scrollStarted;
  const total = await shown.count();
  // A last scroll through everything, top to bottom, as a reader skimming it.
  const skimStarted = Date.now();
  await log.evaluate(async (el) => {
    for (let y = 0; y <= el.scrollHeight; y += 600) {
      el.scrollTo(0, y);
      await new Promise((r) => requestAnimationFrame(() => r(null)));
    }
  });
  const skimMs = Date.now() - skimStarted;
  const tasks: { start: number; duration: number }[] = await page.evaluate(() => (window as any).__longTasks);
  await cdp.send("Emulation.setCPUThrottlingRate", { rate: 1 });
  return {
    throttle,
    hydratedMs,
    firstPage,
    pages,
    total,
    scrollToStartMs: scrollMs,
    skimMs,
    longTasks: tasks.length,
    longestTaskMs: Math.round(Math.max(0, ...tasks.map((t) => t.duration))),
    tasksOver100ms: tasks.filter((t) => t.duration > 100).length,
  };
}

test("a 2,000-message conversation opens and scrolls smoothly", async ({ page }) => {
  await page.addInitScript(() => {
    (window as any).__longTasks = [];
    new PerformanceObserver((list) => {
      for (const entry of list.getEntries()) (window as any).__longTasks.push({ start: entry.startTime, duration: entry.duration });
    }).observe({ type: "longtask", buffered: true });
  });
  await page.goto("/signin");
  await page.getByLabel("Username or email").fill(USERNAME);
  await page.getByLabel("Password").fill(PASSWORD);
  await page.getByRole("button", { name: "Sign in" }).click();
  await expect(page).toHaveURL(/\/$/);
  const results = [];
  for (const throttle of [1, 4]) results.push(await measure(page, throttle));
  console.log(JSON.stringify(results, null, 2));
  writeFileSync(process.env.RESULT_FILE || "end2end/.run/long-conversation.json", JSON.stringify(results, null, 2));
  for (const result of results) expect(result.total).toBe(2000);
});
