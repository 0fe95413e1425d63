import { test, expect, openApp } from "./fixtures";

// Installable, and it opens offline.

/** Waits until the service worker controls the page (the first visit installs it). */
async function controlled(page: import("@playwright/test").Page) {
  await page.evaluate(async () => {
    await navigator.serviceWorker.ready;
    if (!navigator.serviceWorker.controller) {
      await new Promise((resolve) => navigator.serviceWorker.addEventListener("controllerchange", resolve, { once: true }));
    }
  });
}

test("Chromium finds the app installable: a valid manifest, icons and a service worker", async ({ page, consoleErrors }) => {
  await openApp(page);
  await controlled(page);
  const cdp = await page.context().newCDPSession(page);
  const { installabilityErrors } = await cdp.send("Page.getInstallabilityErrors");
  // A Playwright context is a private window, where nothing installs; any other reason would be a defect.
  expect(installabilityErrors.filter((e: any) => e.errorId !== "in-incognito")).toEqual([]);
  const manifest = await (await page.request.get("/manifest.webmanifest")).json();
  expect(manifest.display).toBe("standalone");
  expect(manifest.short_name).toBe("Tally");
  const sizes = manifest.icons.map((icon: any) => `${icon.sizes} ${icon.purpose}`);
  expect(sizes).toEqual(expect.arrayContaining(["192x192 any", "512x512 any", "512x512 maskable"]));
  for (const icon of manifest.icons) expect((await page.request.get(icon.src)).status()).toBe(200);
  await expect(page.locator('meta[name="theme-color"][media*="dark"]')).toHaveCount(1);
  await expect(page.locator('meta[name="theme-color"][media*="light"]')).toHaveCount(1);
});

test("offline, the app opens with a clear notice, and a question typed there waits in the composer", async ({ page, context }) => {
  await openApp(page);
  await controlled(page);
  await context.setOffline(true);
  await page.reload();
  await expect(page.getByRole("heading", { name: "You are offline: your conversations will load when you are back online" })).toBeVisible();
  const message = page.getByRole("textbox", { name: "Message" });
  await message.fill("What can I deduct for my home office?");
  await page.getByRole("button", { name: "Send" }).click();
  await expect(page.getByText("will be ready to send when you are back online")).toBeVisible();

  // Back online, the offline page goes back to the app by itself.
  await context.setOffline(false);
  await expect(page.locator("body[data-hydrated=true]")).toHaveCount(1);
  await expect(page.getByRole("textbox", { name: "Message" })).toHaveValue("What can I deduct for my home office?");
});

test("the app's files are hashed, precompressed and cached for a year; pages are not", async ({ page, consoleErrors }) => {
  await openApp(page);
  const assets = await page.evaluate(() => performance.getEntriesByType("resource").map((e) => e.name));
  const wasm = assets.find((name) => name.endsWith(".wasm"))!;
  expect(new URL(wasm).pathname).toMatch(/^\/pkg\/tally\.[A-Za-z0-9_-]+\.wasm$/);
  for (const encoding of ["br", "gzip"]) {
    const response = await page.request.get(wasm, { headers: { "accept-encoding": encoding } });
    expect(response.headers()["content-encoding"]).toBe(encoding);
    expect(response.headers()["cache-control"]).toBe("public, max-age=31536000, immutable");
  }
  const html = await page.request.get("/");
  expect(html.headers()["cache-control"]).toBe("no-store");
});
