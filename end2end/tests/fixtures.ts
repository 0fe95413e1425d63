import { test as base, expect, Page } from "@playwright/test";

/** Every test fails if the page logs an error or throws: a hydration mismatch or CSP violation shows up here. */
export const test = base.extend<{ consoleErrors: string[] }>({
  consoleErrors: async ({ page }, use) => {
    const errors: string[] = [];
    page.on("console", (msg) => {
      if (msg.type() === "error") errors.push(msg.text());
    });
    page.on("pageerror", (err) => errors.push(`pageerror: ${err.message}`));
    await use(errors);
    expect(errors, "console errors").toEqual([]);
  },
});

export { expect };

/** Opens the app and waits until the wasm has hydrated the server-rendered page. */
export async function openApp(page: Page, path = "/") {
  await page.goto(path);
  await expect(page.locator("body[data-hydrated=true]")).toHaveCount(1);
}

/** On phones the conversation list is a drawer; open it when needed. */
export async function showConversations(page: Page) {
  const opener = page.getByRole("button", { name: "Open conversations" });
  if (await opener.isVisible()) await opener.click();
  await expect(page.getByRole("navigation", { name: "Conversations" })).toBeInViewport();
}

export const DISCLAIMER =
  "This information is provided for general guidance only and does not constitute legal or financial advice. " +
  "Consult with a qualified tax professional for advice specific to your situation.";
