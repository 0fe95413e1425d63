import AxeBuilder from "@axe-core/playwright";
import { Browser, Page } from "@playwright/test";
import { test, expect, openApp, showConversations, PASSWORD, uniqueName, ask, signUp } from "./fixtures";

async function signIn(page: Page, login: string) {
  await page.goto("/signin");
  await page.getByLabel("Username or email").fill(login);
  await page.getByLabel("Password").fill(PASSWORD);
  await page.getByRole("button", { name: "Sign in" }).click();
  await expect(page).toHaveURL(/\/$/);
}

/** The banner's "N of M questions left today". */
async function questionsLeft(page: Page): Promise<number> {
  const text = (await page.getByRole("status").filter({ hasText: "questions left today" }).textContent()) ?? "";
  const match = text.match(/(\d+) of \d+ questions left today/);
  expect(match, text).not.toBeNull();
  return Number(match![1]);
}

async function newPhone(browser: Browser) {
  const context = await browser.newContext({ viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true });
  return { context, page: await context.newPage() };
}

test("a guest asks, signs up and keeps the conversation; another browser signs in, sees it, and signs the first out", async ({ page, browser, consoleErrors }) => {
  await openApp(page);
  const before = await questionsLeft(page);
  await ask(page, "Can I deduct a standing desk for my home office?");
  await expect.poll(() => questionsLeft(page), { message: "the banner counts down" }).toBe(before - 1);

  const username = uniqueName("phone");
  await page.getByRole("link", { name: "Sign up", exact: true }).first().click();
  await expect(page).toHaveURL(/\/signup$/);
  await signUp(page, username);
  await expect(page.getByRole("status").filter({ hasText: "came along" })).toContainText("The conversation you started as a guest came along.");
  await expect(page.getByText("saved on this device only")).toHaveCount(0);
  await expect(page.getByRole("button", { name: username })).toBeVisible();
  await showConversations(page);
  const sidebar = page.getByRole("navigation", { name: "Conversations" });
  await expect(sidebar.locator('a[href^="/c/"]')).toHaveCount(1);

  // The user menu: Settings, the questions left, Sign out.
  const close = page.getByRole("button", { name: "Close conversations" });
  if (await close.isVisible()) await close.click();
  await page.getByRole("button", { name: username }).click();
  const menu = page.getByRole("menu");
  await expect(menu.getByRole("menuitem", { name: "Settings" })).toBeVisible();
  await expect(menu).toContainText(/\d+ questions left today/);
  await expect(menu.getByRole("menuitem", { name: "Sign out" })).toBeVisible();
  await page.keyboard.press("Escape");

  const laptop = await browser.newContext({ viewport: { width: 1280, height: 800 } });
  const other = await laptop.newPage();
  await signIn(other, username);
  await expect(other.locator("body[data-hydrated=true]")).toHaveCount(1);
  const link = other.getByRole("navigation", { name: "Conversations" }).locator('a[href^="/c/"]');
  await expect(link).toHaveCount(1);
  await link.click();
  await expect(other.getByRole("log").getByText("Can I deduct a standing desk for my home office?")).toBeVisible();

  // Settings on the laptop signs the phone out.
  await other.goto("/settings");
  await expect(other.getByRole("heading", { name: "Settings", level: 1 })).toBeVisible();
  const sessions = other.getByRole("list", { name: "Sessions" }).getByRole("listitem");
  await expect(sessions).toHaveCount(2);
  await expect(sessions.filter({ hasText: "This device" })).toHaveCount(1);
  await sessions.filter({ hasNotText: "This device" }).getByRole("button", { name: /Sign out/ }).click();
  await expect(other.getByRole("status").filter({ hasText: "That session is signed out." })).toBeVisible();
  await expect(other.getByRole("list", { name: "Sessions" }).getByRole("listitem")).toHaveCount(1);

  await page.reload();
  await expect(page.getByRole("link", { name: "Sign in", exact: true })).toBeVisible();
  await expect(page.getByRole("status").filter({ hasText: "questions left today" })).toBeVisible();
  await laptop.close();
});

test("the sign-up form's errors sit next to their fields and are announced", async ({ page, consoleErrors }) => {
  await openApp(page, "/signup");
  await page.getByLabel("Username").fill("no spaces allowed");
  await page.getByLabel("Email").fill("not-an-email");
  await page.getByLabel("Password").fill("short");
  await page.getByRole("button", { name: "Create account" }).click();
  await expect(page.getByRole("alert")).toHaveText("Please fix the problems below.");
  const username = page.getByLabel("Username");
  await expect(username).toBeFocused();
  await expect(username).toHaveAttribute("aria-invalid", "true");
  await expect(username).toHaveAccessibleDescription(/Use only letters \(a-z\), digits and underscores\./);
  await expect(username).toHaveValue("no spaces allowed");
  await expect(page.getByLabel("Email")).toHaveAccessibleDescription(/Enter an email address like name@example.com\./);
  const password = page.getByLabel("Password");
  await expect(password).toHaveAccessibleDescription(/Use at least 8 characters\./);
  await expect(password).toHaveAccessibleDescription(/Add an upper-case letter\./);
  await expect(password).toHaveAccessibleDescription(/Add a digit\./);
  await expect(password).toHaveValue("");
});

test("signing in works before any script runs, and a wrong password says so", async ({ browser }) => {
  // Made with scripts on (the sign-up's human check runs in the page).
  const setup = await browser.newContext();
  const username = uniqueName("nojs");
  await signUp(await setup.newPage(), username);
  await setup.close();

  const context = await browser.newContext({ javaScriptEnabled: false });
  const page = await context.newPage();
  await page.goto("/signin");
  await page.getByLabel("Username or email").fill(`${username}@example.com`);
  await page.getByLabel("Password").fill("Not-The-Password-1");
  await page.getByRole("button", { name: "Sign in" }).click();
  await expect(page.getByRole("alert")).toHaveText("That username or email and password do not match an account.");
  await expect(page.getByLabel("Username or email")).toHaveValue(`${username}@example.com`);
  await page.getByLabel("Password").fill(PASSWORD);
  await page.getByRole("button", { name: "Sign in" }).click();
  await expect(page).toHaveURL(/\/$/);
  await expect(page.getByRole("status").filter({ hasText: `Signed in as ${username}.` })).toBeVisible();
  await context.close();
});

for (const colorScheme of ["light", "dark"] as const) {
  test(`the account pages meet WCAG 2.1 AA in ${colorScheme} mode`, async ({ page, browser, consoleErrors }) => {
    await page.emulateMedia({ colorScheme });
    const violations = async () =>
      (await new AxeBuilder({ page }).withTags(["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]).analyze()).violations.map(
        (v) => `${v.id}: ${v.help} at ${v.nodes.map((n) => n.target.join(" ")).join(", ")}`,
      );
    await openApp(page, "/signin");
    expect(await violations(), "sign in").toEqual([]);
    await openApp(page, "/signup");
    await page.getByRole("button", { name: "Create account" }).click();
    await expect(page.getByRole("alert")).toBeVisible();
    expect(await violations(), "sign up with errors").toEqual([]);
    await signUp(page, uniqueName(colorScheme));
    await expect(page.locator("body[data-hydrated=true]")).toHaveCount(1);
    expect(await violations(), "chat, signed in").toEqual([]);
    await openApp(page, "/settings");
    await expect(page.getByRole("heading", { name: "Usage" })).toBeVisible();
    expect(await violations(), "settings").toEqual([]);
  });
}

test("at the day's limit the page says when the next question is possible and counts down", async ({ browser }) => {
  const limited = process.env.LIMITED_BASE_URL || "http://127.0.0.1:3102";
  const { context, page } = await newPhone(browser);
  await page.goto(limited);
  await expect(page.locator("body[data-hydrated=true]")).toHaveCount(1);
  await expect(page.getByRole("status").filter({ hasText: "questions left today" })).toContainText("2 of 2 questions left today");
  await ask(page, "First question of the day");
  await expect(page.getByRole("status").filter({ hasText: "questions left today" })).toContainText("1 of 2 questions left today");
  await ask(page, "Second question of the day", 2);
  await expect(page.getByRole("status").filter({ hasText: "no questions left" })).toBeVisible();
  await page.getByRole("textbox", { name: "Message" }).fill("Third question");
  await page.getByRole("textbox", { name: "Message" }).press("Enter");
  const alert = page.getByRole("alert");
  await expect(alert).toContainText("You have used your 2 questions for today.");
  const countdown = alert.locator("[data-countdown]");
  await expect(countdown).toContainText(/You can ask again in (\d+:)?\d+:\d\d\./);
  const first = await countdown.textContent();
  await expect.poll(() => countdown.textContent(), { timeout: 5000 }).not.toBe(first);
  await expect(alert.getByRole("button", { name: "Retry" })).toHaveCount(0);
  await context.close();
});
