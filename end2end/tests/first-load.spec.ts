import { test, expect, openApp, showConversations, DISCLAIMER } from "./fixtures";

// What a new user on a slow phone meets before the wasm has arrived, and what survives a reload.

const log = (page: import("@playwright/test").Page) => page.getByRole("log", { name: "Messages" });

test("text typed before the app has loaded survives it, and Enter then sends it", async ({ page, consoleErrors }) => {
  const cdp = await page.context().newCDPSession(page);
  await cdp.send("Emulation.setCPUThrottlingRate", { rate: 4 });
  // The wasm waits until the question is typed, so the typing surely happens before hydration.
  let typed!: () => void;
  const typing = new Promise<void>((resolve) => (typed = resolve));
  await page.route("**/pkg/*.wasm", async (route) => {
    await typing;
    await route.continue();
  });
  await page.goto("/", { waitUntil: "domcontentloaded" });
  const message = page.getByRole("textbox", { name: "Message" });
  await message.pressSequentially("How much can I put in a SEP IRA?");
  await expect(page.locator("body[data-hydrated=true]")).toHaveCount(0);
  typed();
  await expect(page.locator("body[data-hydrated=true]")).toHaveCount(1, { timeout: 20_000 });
  await expect(message).toHaveValue("How much can I put in a SEP IRA?");
  await message.press("Enter");
  await expect(log(page).getByRole("article", { name: "You" }).getByText("How much can I put in a SEP IRA?")).toBeVisible();
  await expect(log(page).getByText(/tokens: \d+ in/)).toBeVisible({ timeout: 20_000 });
  await expect(message).toHaveValue("");
});

test("Enter before the app has loaded posts the question, and the answer streams in once it has", async ({ page, consoleErrors }) => {
  const cdp = await page.context().newCDPSession(page);
  await cdp.send("Emulation.setCPUThrottlingRate", { rate: 4 });
  let hold = true;
  await page.route("**/pkg/*.wasm", async (route) => {
    while (hold) await new Promise((r) => setTimeout(r, 50));
    await route.continue();
  });
  await page.goto("/", { waitUntil: "domcontentloaded" });
  const message = page.getByRole("textbox", { name: "Message" });
  await message.fill("What is the self-employment tax rate? [mock:slow]");
  await message.press("Enter");
  // A plain form post: the server stored the question and sent the browser to the new conversation.
  await expect(page).toHaveURL(/\/c\/[0-9a-f-]{36}$/);
  await expect(log(page).getByRole("article", { name: "You" }).getByText("What is the self-employment tax rate? [mock:slow]")).toBeVisible();
  hold = false;
  await expect(page.locator("body[data-hydrated=true]")).toHaveCount(1, { timeout: 20_000 });
  // Attached to the answer being written: it completes on this page without a reload.
  await expect(page.getByRole("button", { name: "Stop" })).toBeVisible();
  await expect(log(page).getByText(/tokens: \d+ in/)).toBeVisible({ timeout: 30_000 });
  await expect(log(page).getByText(/Answered in \d+\.\d s · first words after \d+\.\d s/)).toBeVisible();
  await expect(page.getByText(DISCLAIMER)).toBeVisible();
});

test.describe("without JavaScript", () => {
  test.use({ javaScriptEnabled: false });

  test("the composer posts, the answer appears when done, and the links and New chat work", async ({ page, isMobile }) => {
    await page.goto("/");
    await expect(page.getByRole("heading", { level: 1 })).toBeVisible();
    const message = page.getByRole("textbox", { name: "Message" });
    await message.fill("Do I need to pay quarterly estimated taxes?");
    await page.getByRole("button", { name: "Send" }).click();
    await expect(page).toHaveURL(/\/c\/[0-9a-f-]{36}$/);
    const conversation = page.url();
    await expect(log(page).getByRole("article", { name: "You" }).getByText("Do I need to pay quarterly estimated taxes?")).toBeVisible();
    // The page reloads itself until the answer is stored, then shows it whole.
    await expect(log(page).getByText(/tokens: \d+ in/)).toBeVisible({ timeout: 30_000 });
    await expect(page.getByText(DISCLAIMER)).toBeVisible();

    // An empty question is refused with a reason, nothing is stored.
    await page.getByRole("button", { name: "Send" }).click();
    await expect(page.getByRole("alert")).toContainText(/empty|Type a question/i);
    await expect(page).toHaveURL(conversation);

    if (isMobile) await page.getByRole("button", { name: "Open conversations" }).click();
    const nav = page.getByRole("navigation", { name: "Conversations" });
    await expect(nav).toBeInViewport();
    await nav.getByRole("button", { name: "New chat" }).click();
    await expect(page).toHaveURL(/\/$/);
    await expect(log(page).getByText("Do I need to pay quarterly estimated taxes?")).toHaveCount(0);
    if (isMobile) await page.getByRole("button", { name: "Open conversations" }).click();
    await nav.getByRole("link", { name: /quarterly|Quarterly/ }).first().click();
    await expect(page).toHaveURL(conversation);
    await expect(log(page).getByText("Do I need to pay quarterly estimated taxes?")).toBeVisible();
  });
});

test("a reload mid-answer picks the answer up where it stands: no gap, no repeat", async ({ page, consoleErrors }) => {
  // Two slow answers, read in full.
  test.setTimeout(120_000);
  // The same question twice: once read straight through, once with a reload in the middle.
  const question = "Tell me everything about deductions [mock:slow]";
  await openApp(page);
  const message = page.getByRole("textbox", { name: "Message" });
  await message.fill(question);
  await message.press("Enter");
  await expect(log(page).getByText(/tokens: \d+ in/)).toBeVisible({ timeout: 50_000 });
  const whole = await log(page).getByRole("article", { name: "Tally" }).locator(".answer").innerText();

  await openApp(page, "/");
  await message.fill(question);
  await message.press("Enter");
  await expect(page.locator(".streaming")).toContainText("Applicable tax categories");
  await expect(page).toHaveURL(/\/c\/[0-9a-f-]{36}$/);
  await page.reload();
  await expect(page.locator("body[data-hydrated=true]")).toHaveCount(1);
  await expect(page.getByRole("button", { name: "Stop" })).toBeVisible();
  await expect(log(page).getByText(/tokens: \d+ in/)).toBeVisible({ timeout: 50_000 });
  await expect(page.getByText("Stopped: the answer above is incomplete.")).toHaveCount(0);
  const resumed = await log(page).getByRole("article", { name: "Tally" }).locator(".answer").innerText();
  expect(resumed).toBe(whole);
});

test("the guest notice is one line, opens for the why, and closes for the session", async ({ page, consoleErrors }) => {
  await openApp(page);
  const notice = page.getByRole("status").filter({ hasText: "questions left today" });
  await expect(notice).toBeVisible();
  const box = await page.locator("details").filter({ hasText: "questions left today" }).boundingBox();
  expect(box!.height, "one line").toBeLessThanOrEqual(32);
  await expect(page.getByRole("heading", { level: 1 })).toBeInViewport();
  // The placeholder fits on one line of the composer.
  const composer = page.getByRole("textbox", { name: "Message" });
  expect(await composer.evaluate((el: HTMLTextAreaElement) => el.scrollWidth <= el.clientWidth)).toBe(true);

  await page.getByText("questions left today").click();
  await expect(page.getByText("Your history is saved on this device only.")).toBeVisible();
  await page.getByRole("button", { name: "Close the guest notice" }).click();
  await expect(notice).toHaveCount(0);
  await page.reload();
  await expect(page.locator("body[data-hydrated=true]")).toHaveCount(1);
  await expect(page.getByText("questions left today")).toHaveCount(0);
});

test("the theme is chosen, applied at once, and rendered by the server on the next load", async ({ page, consoleErrors }) => {
  await page.emulateMedia({ colorScheme: "light" });
  await openApp(page);
  const background = () => page.evaluate(() => getComputedStyle(document.body).backgroundColor);
  const light = await background();
  const theme = page.getByRole("combobox", { name: "Theme" });
  await expect(theme).toHaveValue("system");
  await theme.selectOption("dark");
  await expect.poll(background).not.toBe(light);
  const dark = await background();
  // No flash: the server's HTML already says dark, before any script runs.
  const html = await (await page.request.get("/")).text();
  expect(html).toContain('data-theme="dark"');
  await page.reload();
  await expect(page.locator("html[data-theme=dark]")).toHaveCount(1);
  expect(await background()).toBe(dark);
  await theme.selectOption("system");
  await expect.poll(background).toBe(light);
});

// Everything a first visit downloads before the app is usable: the page, its script, wasm, styles, icons and the
// service worker, as bytes over the wire (compressed bodies and headers), until the app has hydrated and the
// network is quiet. Brotli is what browsers get over https (this suite runs over plain http, where Chromium only
// offers gzip, so it asks for brotli as a browser behind TLS would).
//
// The goal is 250 KB (issue 16); it is far from reached. The budget holds what there is (about 630 KB on
// 2026-12-03, 653 KB on 2026-12-07 after the log's boxes of messages took 6 KB: docs/benchmarks.md) so the bundle
// cannot grow unnoticed; lower it as the bundle is cut.
const FIRST_LOAD_BUDGET = 660 * 1000;

test("a first visit downloads less than the first-load budget", async ({ page, consoleErrors }) => {
  await page.setExtraHTTPHeaders({ "Accept-Encoding": "br, gzip" });
  const cdp = await page.context().newCDPSession(page);
  await cdp.send("Network.enable");
  const urls = new Map<string, string>();
  const bytes = new Map<string, number>();
  cdp.on("Network.requestWillBeSent", (event) => urls.set(event.requestId, event.request.url));
  cdp.on("Network.loadingFinished", (event) => bytes.set(event.requestId, event.encodedDataLength));
  await page.goto("/");
  await expect(page.locator("body[data-hydrated=true]")).toHaveCount(1);
  await page.waitForLoadState("networkidle");
  const files = [...bytes].map(([id, size]) => `${new URL(urls.get(id) ?? "").pathname} ${size}`);
  const total = [...bytes.values()].reduce((sum, size) => sum + size, 0);
  console.log(`first load: ${total} bytes\n  ${files.join("\n  ")}`);
  expect(total, files.join(", ")).toBeLessThan(FIRST_LOAD_BUDGET);
});
