import { test, expect, openApp, showConversations, DISCLAIMER } from "./fixtures";

test("Enter sends, the answer streams in, renders as markdown and shows usage", async ({ page, consoleErrors }) => {
  await openApp(page);
  await expect(page.getByText(DISCLAIMER)).toBeVisible();
  await expect(page.getByRole("status").filter({ hasText: "questions left today" })).toBeVisible();
  // A marker that a full page reload would wipe out.
  await page.evaluate(() => ((window as any).__noReload = true));
  // Record every text the answer goes through while it streams.
  await page.evaluate(() => {
    (window as any).__snapshots = [];
    const log = document.querySelector('[role="log"]')!;
    new MutationObserver(() => {
      const el = document.querySelector(".streaming");
      if (el) (window as any).__snapshots.push(el.textContent);
    }).observe(log, { subtree: true, childList: true, characterData: true });
  });

  const message = page.getByRole("textbox", { name: "Message" });
  await message.fill("How do quarterly estimated taxes work?");
  await message.press("Enter");

  const log = page.getByRole("log", { name: "Messages" });
  await expect(log.getByText("How do quarterly estimated taxes work?")).toBeVisible();
  await expect(page).toHaveURL(/\/c\/[0-9a-f-]{36}$/);
  await expect(log.getByRole("heading", { name: "Applicable tax categories" })).toBeVisible();
  await expect(log.getByRole("table")).toBeVisible();
  await expect(log.getByText(/\d+ tokens: \d+ in, \d+ out · mock-model/)).toBeVisible();
  await expect(message).toHaveValue("");
  // The page stays in place when the URL becomes /c/{id}: the textbox keeps focus for the next question.
  await expect(message).toBeFocused();

  const snapshots: string[] = await page.evaluate(() => (window as any).__snapshots);
  const distinct = new Set(snapshots.filter((s) => s && s.length > 0));
  expect(distinct.size, "the answer grew in several visible steps").toBeGreaterThan(3);
  expect(await page.evaluate(() => (window as any).__noReload)).toBe(true);
  await expect(page.getByText(DISCLAIMER)).toBeVisible();
});

test("Shift+Enter makes a new line instead of sending", async ({ page, consoleErrors }) => {
  await openApp(page);
  const message = page.getByRole("textbox", { name: "Message" });
  await message.fill("line one");
  await message.press("Shift+Enter");
  await message.pressSequentially("line two");
  await expect(message).toHaveValue("line one\nline two");
  await expect(page.getByRole("group", { name: "Suggested questions" })).toBeVisible();
});

test("a starter question sends when clicked", async ({ page, consoleErrors }) => {
  await openApp(page);
  const starters = page.getByRole("group", { name: "Suggested questions" }).getByRole("button");
  expect(await starters.count()).toBeGreaterThanOrEqual(6);
  const question = (await starters.first().textContent())!.trim();
  await starters.first().click();
  const log = page.getByRole("log", { name: "Messages" });
  await expect(log.getByRole("article", { name: "You" }).getByText(question, { exact: true })).toBeVisible();
  await expect(log.getByRole("heading", { name: "Deductions" })).toBeVisible();
  await expect(page.getByRole("group", { name: "Suggested questions" })).toHaveCount(0);
});

test("Stop ends the answer and keeps the partial text, also after a reload", async ({ page, consoleErrors }) => {
  await openApp(page);
  await page.getByRole("textbox", { name: "Message" }).fill("Tell me everything about deductions [mock:slow]");
  await page.getByRole("button", { name: "Send" }).click();
  const streaming = page.locator(".streaming");
  await expect(streaming).toContainText("Applicable tax categories");
  await page.getByRole("button", { name: "Stop" }).click();
  await expect(page.getByText("Stopped: the answer above is incomplete.")).toBeVisible();
  await expect(page.getByRole("button", { name: "Send" })).toBeVisible();
  const log = page.getByRole("log", { name: "Messages" });
  await expect(log.getByRole("heading", { name: "Applicable tax categories" })).toBeVisible();
  await expect(log.getByText("Exceptions and conditions")).toHaveCount(0);

  await page.reload();
  await expect(page.locator("body[data-hydrated=true]")).toHaveCount(1);
  await expect(log.getByRole("heading", { name: "Applicable tax categories" })).toBeVisible();
  await expect(page.getByText("Stopped: the answer above is incomplete.")).toBeVisible();
});

test("history survives a reload and a deep link, and another browser sees none of it", async ({ page, browser, consoleErrors }) => {
  await openApp(page);
  await page.getByRole("textbox", { name: "Message" }).fill("Is my home internet deductible?");
  await page.getByRole("textbox", { name: "Message" }).press("Enter");
  const log = page.getByRole("log", { name: "Messages" });
  await expect(log.getByText(/tokens: \d+ in/)).toBeVisible();
  const url = page.url();

  const question = log.getByRole("article", { name: "You" }).getByText("Is my home internet deductible?");
  await page.reload();
  await expect(question).toBeVisible();
  await expect(log.getByRole("heading", { name: "Deductions" })).toBeVisible();

  await page.goto("/");
  await openApp(page, new URL(url).pathname);
  await expect(question).toBeVisible();
  await showConversations(page);
  await expect(page.getByRole("navigation", { name: "Conversations" }).getByRole("link", { name: /^(Is my home internet deductible|Home Internet Deductible)/ })).toBeVisible();

  const stranger = await browser.newContext();
  const other = await stranger.newPage();
  const response = await other.goto(url);
  expect(response?.status()).toBe(404);
  await expect(other.getByText("does not exist or is not yours")).toBeVisible();
  await expect(other.getByText("Is my home internet deductible?")).toHaveCount(0);
  await other.goto("/");
  await expect(other.getByText("No conversations yet.")).toBeAttached();
  await stranger.close();
});

test("a conversation can be deleted after confirming", async ({ page, consoleErrors }) => {
  await openApp(page);
  await page.getByRole("textbox", { name: "Message" }).fill("Temporary question to delete");
  await page.getByRole("textbox", { name: "Message" }).press("Enter");
  await expect(page.getByRole("log").getByText(/tokens: \d+ in/)).toBeVisible();
  await showConversations(page);
  const nav = page.getByRole("navigation", { name: "Conversations" });
  // The title is the question at first, then the one the model wrote.
  await nav.getByRole("button", { name: /^Actions for (Temporary question to delete|Temporary Question Delete)/ }).click();
  await nav.getByRole("button", { name: "Delete", exact: true }).click();
  await expect(nav.getByText("This cannot be undone.")).toBeVisible();
  await nav.getByRole("button", { name: "Delete", exact: true }).click();
  await expect(nav.getByRole("link", { name: /Temporary (question to delete|Question Delete)/ })).toHaveCount(0);
  await expect(page).toHaveURL(/\/$/);
  await expect(page.getByRole("group", { name: "Suggested questions" })).toBeVisible();
});

test("a failed answer explains itself with a reference and Retry", async ({ page, consoleErrors }) => {
  await openApp(page);
  await page.getByRole("textbox", { name: "Message" }).fill("Will this fail? [mock:status-500]");
  await page.getByRole("textbox", { name: "Message" }).press("Enter");
  const alert = page.getByRole("alert");
  await expect(alert).toContainText("The AI model returned an error");
  await expect(alert).toContainText(/ref [0-9a-f]{8}/);
  await expect(alert.getByRole("button", { name: "Retry" })).toBeVisible();
  await alert.getByRole("button", { name: "Retry" }).click();
  await expect(page.getByRole("alert")).toContainText(/ref [0-9a-f]{8}/);
  await expect(page.getByRole("log").getByText("Will this fail? [mock:status-500]")).toHaveCount(2);
});

test("markup from the model never executes", async ({ page, consoleErrors }) => {
  await openApp(page);
  await page.getByRole("textbox", { name: "Message" }).fill("Show me a trick [mock:xss]");
  await page.getByRole("textbox", { name: "Message" }).press("Enter");
  const log = page.getByRole("log");
  await expect(log.getByText(/tokens: \d+ in/)).toBeVisible();
  // The javascript: link keeps its words but loses its target; the image and script are gone.
  await expect(log.getByText("click me")).toBeVisible();
  await expect(log.locator('[href^="javascript:"], [onerror], script, img')).toHaveCount(0);
  await log.getByText("click me").click();
  await page.reload();
  await expect(page.locator("body[data-hydrated=true]")).toHaveCount(1);
  await expect(log.getByText("click me")).toBeVisible();
  await expect(log.locator('[href^="javascript:"], [onerror], script, img')).toHaveCount(0);
  expect(await page.evaluate(() => (window as any).__xss)).toBeUndefined();
});

test("leaving an answer mid-stream for a new chat leaves both intact", async ({ page, consoleErrors }) => {
  await openApp(page);
  const message = page.getByRole("textbox", { name: "Message" });
  await message.fill("What can I deduct for my car? [mock:slow]");
  await message.press("Enter");
  await expect(page.locator(".streaming")).toContainText("Applicable");
  await expect(page).toHaveURL(/\/c\/[0-9a-f-]{36}$/);
  const first = page.url();

  await showConversations(page);
  await page.getByRole("navigation", { name: "Conversations" }).getByRole("button", { name: "New chat" }).click();
  await expect(page).toHaveURL(/\/$/);
  const log = page.getByRole("log", { name: "Messages" });
  await expect(page.getByRole("group", { name: "Suggested questions" })).toBeVisible();
  await expect(log.getByText("What can I deduct for my car? [mock:slow]")).toHaveCount(0);
  await expect(page.getByRole("button", { name: "Send" })).toBeVisible();

  // The new chat works while the other answer is still being written.
  await message.fill("When are quarterly payments due?");
  await message.press("Enter");
  await expect(log.getByText(/tokens: \d+ in/)).toBeVisible();
  expect(page.url()).not.toBe(first);

  await showConversations(page);
  const nav = page.getByRole("navigation", { name: "Conversations" });
  await nav.getByRole("link", { name: /^(What can I deduct for my car|Deduct\b)/ }).click();
  await expect(page).toHaveURL(first);
  await expect(log.getByRole("article", { name: "You" }).getByText("What can I deduct for my car? [mock:slow]")).toBeVisible();
  await expect(log.getByText("When are quarterly payments due?")).toHaveCount(0);
});

test("a Social Security number in a question is kept on screen, kept from the model, and the answer says so", async ({ page, consoleErrors }) => {
  await openApp(page);
  const message = page.getByRole("textbox", { name: "Message" });
  await message.fill("My SSN is 123-45-6789. Do I need to file Schedule SE?");
  await message.press("Enter");
  const log = page.getByRole("log", { name: "Messages" });
  const note = "Before your question went to the model, Tally removed a Social Security number from it.";
  await expect(log.getByText(note)).toBeVisible();
  await expect(log.getByText(/\d+ tokens: \d+ in/)).toBeVisible({ timeout: 20_000 });
  // The user's own message is shown as typed; the note stays under the finished answer, also after a reload.
  await page.reload();
  await expect(log.getByRole("article", { name: "You" }).getByText("My SSN is 123-45-6789. Do I need to file Schedule SE?")).toBeVisible();
  await expect(log.getByText(note)).toBeVisible();
});
