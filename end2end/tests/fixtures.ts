import AxeBuilder from "@axe-core/playwright";
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

/** Runs axe-core against WCAG 2.0/2.1 A and AA and returns one readable line per violation. */
export async function wcagViolations(page: Page): Promise<string[]> {
  const results = await new AxeBuilder({ page }).withTags(["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]).analyze();
  return results.violations.map(
    (v) => `${v.id} (${v.impact}): ${v.help} at ${v.nodes.map((n) => n.target.join(" ")).join(", ")}`,
  );
}

export const PASSWORD = "Receipts-Owl-2025";

/** A username no other test run has taken. */
export function uniqueName(prefix: string): string {
  return `${prefix}_${Date.now().toString(36)}${Math.floor(Math.random() * 1000)}`;
}

/** Asks in the open conversation and waits until its answer (the `answers`-th on the page) has finished. */
export async function ask(page: Page, question: string, answers = 1) {
  await page.getByRole("textbox", { name: "Message" }).fill(question);
  await page.getByRole("textbox", { name: "Message" }).press("Enter");
  await expect(page.getByRole("log").getByText(/tokens: \d+ in/)).toHaveCount(answers);
}

export async function signUp(page: Page, username: string) {
  await page.goto("/signup");
  await expect(page.getByRole("heading", { name: "Create your account" })).toBeVisible();
  await page.getByLabel("Username").fill(username);
  await page.getByLabel("Email").fill(`${username}@example.com`);
  await page.getByLabel("Password").fill(PASSWORD);
  await page.getByRole("button", { name: "Create account" }).click();
  await expect(page).toHaveURL(/\/$/);
}
