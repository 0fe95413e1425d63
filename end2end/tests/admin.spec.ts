import { test, expect, uniqueName, ask, signUp, wcagViolations, PASSWORD } from "./fixtures";

// Made by end2end/run.sh with `tally admin create-user --admin`, as the README makes the first admin.
const ADMIN = "e2e_admin";
const ADMIN_PASSWORD = "Admin-Ledger-2026";

test("an admin reads usage as charts and tables, disables and enables a user, and changes a daily limit", async ({
  page,
  browser,
  consoleErrors,
}) => {
  // Someone who asked a question today.
  const theirs = await browser.newContext();
  const userPage = await theirs.newPage();
  const username = uniqueName("watched");
  await signUp(userPage, username);
  await expect(userPage.locator("body[data-hydrated=true]")).toHaveCount(1);
  await ask(userPage, "What is Schedule C?");

  await page.goto("/signin");
  await page.getByLabel("Username or email").fill(ADMIN);
  await page.getByLabel("Password").fill(ADMIN_PASSWORD);
  await page.getByRole("button", { name: "Sign in" }).click();
  await expect(page.locator("body[data-hydrated=true]")).toHaveCount(1);
  await page.getByRole("button", { name: ADMIN }).click();
  await page.getByRole("menuitem", { name: "Admin" }).click();
  await expect(page).toHaveURL(/\/admin$/);
  await expect(page.getByRole("heading", { level: 1, name: "Admin" })).toBeVisible();
  await expect(page.locator("body[data-hydrated=true]")).toHaveCount(1);

  for (const chart of ["Questions per day", "Tokens per day", "Estimated cost per day"]) {
    await expect(page.getByRole("img", { name: chart })).toBeVisible();
  }
  await page.getByText("Questions per day: the numbers as a table").click();
  const table = page.getByRole("table", { name: "Questions per day" });
  const today = new Date().toISOString().slice(0, 10);
  const todayRow = table.getByRole("row", { name: new RegExp(`^${today}`) });
  await expect(todayRow).toBeVisible();
  const total = Number(await todayRow.getByRole("cell").last().textContent());
  expect(total).toBeGreaterThanOrEqual(1);
  await expect(page.getByText(/Guests active today: \d+/)).toBeVisible();
  await expect(page.getByRole("table", { name: "Providers, last hour" }).getByRole("rowheader", { name: "Mock" })).toBeVisible();

  for (const scheme of ["light", "dark"] as const) {
    await page.emulateMedia({ colorScheme: scheme });
    expect(await wcagViolations(page), `axe in ${scheme} mode`).toEqual([]);
  }

  // Find the user and disable them: their browser is signed out and they cannot sign in again until enabled.
  await page.getByRole("searchbox", { name: "Search users" }).fill(username);
  await page.getByRole("button", { name: "Search", exact: true }).click();
  await expect(page).toHaveURL(new RegExp(`/admin\\?q=${username}`));
  const users = page.getByRole("table", { name: "Users" });
  await expect(users.getByRole("rowheader")).toHaveCount(1);
  await page.getByRole("button", { name: `Disable ${username}` }).click();
  await expect(page.getByRole("status").filter({ hasText: `${username} is disabled` })).toBeVisible();
  await expect(users.getByRole("cell", { name: "Disabled" })).toBeVisible();
  await userPage.reload();
  await expect(userPage.getByRole("link", { name: "Sign in" })).toBeVisible();
  await page.getByRole("button", { name: `Enable ${username}` }).click();
  await expect(page.getByRole("status").filter({ hasText: `${username} can sign in again` })).toBeVisible();

  // A new daily limit for users counts at once.
  const field = page.getByLabel("Users: questions per day");
  const before = await field.inputValue();
  try {
    await field.fill("37");
    await page.getByRole("button", { name: "Save limits" }).click();
    await expect(page.getByRole("status").filter({ hasText: "The daily limits are saved." })).toBeVisible();
    await expect(page.getByLabel("Users: questions per day")).toHaveValue("37");
    await userPage.goto("/signin");
    await userPage.getByLabel("Username or email").fill(username);
    await userPage.getByLabel("Password").fill(PASSWORD);
    await userPage.getByRole("button", { name: "Sign in" }).click();
    await expect(userPage.locator("body[data-hydrated=true]")).toHaveCount(1);
    await userPage.getByRole("button", { name: username }).click();
    await expect(userPage.getByRole("menu")).toContainText("36 questions left today");
  } finally {
    await page.getByLabel("Users: questions per day").fill(before);
    await page.getByRole("button", { name: "Save limits" }).click();
    await expect(page.getByRole("status").filter({ hasText: "The daily limits are saved." })).toBeVisible();
  }
  await theirs.close();
});

test("the dashboard is not there for anyone but an admin", async ({ page }) => {
  // No console check: Chromium logs the page's own 404 as a failed resource.
  const response = await page.goto("/admin");
  expect(response?.status()).toBe(404);
  await expect(page.getByRole("heading", { name: "Page not found" })).toBeVisible();
  await expect(page.getByText("Usage, last 30 days")).toHaveCount(0);
});
