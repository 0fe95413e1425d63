import { test, expect, openApp, showConversations, uniqueName, ask, signUp, wcagViolations, DISCLAIMER } from "./fixtures";

const QUESTION = "Can I deduct a standing desk for my home office?";

test("a user shares a conversation, someone without an account reads it, and revoking it in Settings ends it", async ({
  page,
  context,
  browser,
  consoleErrors,
}) => {
  await context.grantPermissions(["clipboard-read", "clipboard-write"]);
  await signUp(page, uniqueName("sharer"));
  await expect(page.locator("body[data-hydrated=true]")).toHaveCount(1);
  await ask(page, QUESTION);
  await showConversations(page);
  const sidebar = page.getByRole("navigation", { name: "Conversations" });
  await sidebar.getByRole("button", { name: /^Actions for / }).click();
  await sidebar.getByRole("button", { name: "Share", exact: true }).click();
  const link = sidebar.getByRole("textbox", { name: "Share link" });
  await expect(link).toHaveValue(/^http:\/\/127\.0\.0\.1:\d+\/s\/[A-Za-z0-9_-]{32}$/);
  const url = await link.inputValue();
  await sidebar.getByRole("button", { name: "Copy link" }).click();
  await expect(sidebar.getByRole("status").filter({ hasText: "Link copied" })).toBeVisible();
  expect(await page.evaluate(() => navigator.clipboard.readText())).toBe(url);

  // Someone the link was sent to, without an account: the conversation, read-only, with the disclaimer.
  const stranger = await browser.newContext();
  const reader = await stranger.newPage();
  const errors: string[] = [];
  reader.on("console", (msg) => msg.type() === "error" && errors.push(msg.text()));
  await reader.goto(url);
  await expect(reader.locator("body[data-hydrated=true]")).toHaveCount(1);
  const heading = reader.getByRole("heading", { level: 1 });
  const title = (await heading.textContent())!.trim();
  await expect(reader).toHaveTitle(`${title} · Tally`);
  await expect(reader.getByText(QUESTION)).toBeVisible();
  await expect(reader.getByText(DISCLAIMER)).toHaveCount(1);
  await expect(reader.getByText("Shared conversation · read only")).toBeVisible();
  await expect(reader.getByRole("textbox", { name: "Message" })).toHaveCount(0);
  await expect(reader.getByRole("navigation", { name: "Conversations" })).toHaveCount(0);
  await expect(reader.locator('meta[name="robots"]')).toHaveAttribute("content", "noindex, nofollow");
  await expect(reader.getByRole("link", { name: "Ask Tally your own question" })).toHaveAttribute("href", "/");
  for (const scheme of ["light", "dark"] as const) {
    await reader.emulateMedia({ colorScheme: scheme });
    expect(await wcagViolations(reader), `axe in ${scheme} mode`).toEqual([]);
  }
  expect(errors).toEqual([]);

  // The owner finds it in Settings and revokes it: the link stops working.
  await page.goto("/settings");
  const shared = page.getByRole("list", { name: "Your shared links" });
  await expect(shared.getByRole("link", { name: title })).toHaveAttribute("href", new URL(url).pathname);
  await page.getByRole("button", { name: `Revoke the link to ${title}` }).click();
  await expect(page.getByRole("status").filter({ hasText: "revoked" })).toBeVisible();
  await expect(page.getByText("You have not shared any conversations.")).toBeVisible();
  const gone = await reader.goto(url);
  expect(gone?.status()).toBe(404);
  await expect(reader.getByRole("heading", { name: "This link does not work" })).toBeVisible();
  await stranger.close();
});

test("a guest who tries to share is asked to sign up instead", async ({ page, consoleErrors }) => {
  await openApp(page);
  await ask(page, "What is Schedule C?");
  await showConversations(page);
  const sidebar = page.getByRole("navigation", { name: "Conversations" });
  await sidebar.getByRole("button", { name: /^Actions for / }).click();
  await sidebar.getByRole("button", { name: "Share", exact: true }).click();
  await expect(sidebar.getByText("Sign up to share conversations")).toBeVisible();
  await expect(sidebar.getByRole("textbox", { name: "Share link" })).toHaveCount(0);
  await sidebar.getByRole("link", { name: "Sign up to share" }).click();
  await expect(page).toHaveURL(/\/signup$/);
  await expect(page.getByRole("heading", { name: "Create your account" })).toBeVisible();
});
