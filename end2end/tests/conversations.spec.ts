import { test, expect, openApp, showConversations, DISCLAIMER, Page } from "./fixtures";
import { readFileSync } from "node:fs";

/** Asks a question through the UI and waits for the whole answer. */
async function ask(page: Page, question: string) {
  const message = page.getByRole("textbox", { name: "Message" });
  await message.fill(question);
  await message.press("Enter");
  await expect(page.getByRole("log", { name: "Messages" }).getByText(/tokens: \d+ in/).last()).toBeVisible();
}

/** Creates a conversation without the UI (same browser, same guest), for filling a history quickly. */
async function createConversation(page: Page, question: string) {
  const response = await page.request.post("/api/v1/answer", { data: { question } });
  expect(response.status()).toBe(200);
  return (await response.json()).conversation_id as string;
}

function nav(page: Page) {
  return page.getByRole("navigation", { name: "Conversations" });
}

test("rename inline: Enter saves, Escape cancels, the new title stays after a reload", async ({ page, consoleErrors }) => {
  await openApp(page);
  await ask(page, "Can I deduct my home office?");
  // The model titles a new conversation from its first exchange.
  await expect(page.getByRole("heading", { level: 1 })).toHaveText("Deduct Home Office");
  await showConversations(page);

  await nav(page).getByRole("button", { name: "Actions for Deduct Home Office" }).click();
  await nav(page).getByRole("button", { name: "Rename" }).click();
  const field = nav(page).getByRole("textbox", { name: "Rename conversation" });
  await expect(field).toBeFocused();
  await field.fill("Something else");
  await field.press("Escape");
  await expect(field).toHaveCount(0);
  await expect(nav(page).getByRole("link", { name: /^Deduct Home Office/ })).toBeVisible();

  await nav(page).getByRole("button", { name: "Actions for Deduct Home Office" }).click();
  await nav(page).getByRole("button", { name: "Rename" }).click();
  await field.fill("My flat and office");
  await field.press("Enter");
  await expect(nav(page).getByRole("link", { name: /^My flat and office/ })).toBeVisible();
  await expect(page.getByRole("heading", { level: 1 })).toHaveText("My flat and office");

  await page.reload();
  await expect(page.getByRole("heading", { level: 1 })).toHaveText("My flat and office");
  await showConversations(page);
  await expect(nav(page).getByRole("link", { name: /^My flat and office/ })).toBeVisible();
});

test("pin puts a conversation first; archive hides it behind the filter", async ({ page, consoleErrors }) => {
  await openApp(page);
  await createConversation(page, "What is Schedule C?");
  await createConversation(page, "When are quarterly payments due?");
  await page.reload();
  await showConversations(page);
  const links = nav(page).getByRole("link", { name: /Schedule|Quarterly/ });
  await expect(links.first()).toHaveAccessibleName(/^Quarterly Payments/);

  await nav(page).getByRole("button", { name: "Actions for Schedule" }).click();
  await nav(page).getByRole("button", { name: "Pin", exact: true }).click();
  await expect(nav(page).getByRole("heading", { name: "Pinned" })).toBeVisible();
  const pinned = nav(page).getByRole("list", { name: "Pinned conversations" });
  await expect(pinned.getByRole("link")).toHaveCount(1);
  await expect(pinned.getByRole("link")).toHaveAccessibleName(/^Schedule/);
  await expect(links.first()).toHaveAccessibleName(/^Schedule/);

  await nav(page).getByRole("button", { name: "Actions for Quarterly Payments" }).click();
  await nav(page).getByRole("button", { name: "Archive", exact: true }).click();
  await expect(nav(page).getByRole("link", { name: /^Quarterly Payments/ })).toHaveCount(0);
  await nav(page).getByRole("button", { name: "Show archived" }).click();
  await expect(nav(page).getByRole("link", { name: /^Quarterly Payments/ })).toBeVisible();
  await expect(nav(page).getByRole("link", { name: /^Schedule/ })).toHaveCount(0);

  await page.reload();
  await showConversations(page);
  await expect(nav(page).getByRole("list", { name: "Pinned conversations" }).getByRole("link")).toHaveAccessibleName(/^Schedule/);
});

test("search finds words in titles and answers, with the matches marked", async ({ page, consoleErrors }) => {
  await openApp(page);
  await createConversation(page, "What is Schedule C?");
  const mileage = await createConversation(page, "How do I log business mileage?");
  await page.reload();
  await showConversations(page);
  const search = page.getByRole("searchbox", { name: "Search conversations" });
  await search.fill("mileage");
  const results = nav(page).getByRole("list", { name: "Search results" });
  await expect(results.getByRole("link")).toHaveCount(1);
  await expect(results.locator("mark").first()).toHaveText(/mileage/i);
  // Words from the answers count too: every mock answer has an "Applicable tax categories" section.
  await search.fill("applicable");
  await expect(results.getByRole("link")).toHaveCount(2);
  await search.fill("nothing-like-this");
  await expect(nav(page).getByText("No conversations match.")).toBeVisible();
  await search.fill("mileage");
  await results.getByRole("link").first().click();
  await expect(page).toHaveURL(new RegExp(`/c/${mileage}$`));
  await expect(page.getByRole("heading", { level: 1 })).toHaveText("Business Mileage");
  await showConversations(page);
  await search.press("Escape");
  await expect(search).toHaveValue("");
});

test("a long sidebar loads more conversations as it scrolls", async ({ page, consoleErrors }) => {
  test.setTimeout(120_000);
  await openApp(page);
  // Five at a time: the same guest, so the same history, only faster.
  for (let batch = 0; batch < 9; batch++) {
    await Promise.all(
      [0, 1, 2, 3, 4].map((n) => createConversation(page, `Short question number ${batch * 5 + n} [mock:short]`)),
    );
  }
  await page.reload();
  // Paging on scroll is the wasm's: scrolling before it has hydrated the list would load nothing.
  await expect(page.locator("body[data-hydrated=true]")).toHaveCount(1);
  await showConversations(page);
  const links = nav(page).getByRole("link", { name: /Short Question Number|Short question number/ });
  await expect(links).toHaveCount(40);
  await links.last().scrollIntoViewIfNeeded();
  await nav(page).locator(".overflow-y-auto").evaluate((list) => list.scrollTo(0, list.scrollHeight));
  await expect(links).toHaveCount(45);
  await expect(nav(page).getByRole("button", { name: "Load more conversations" })).toHaveCount(0);
});

test("export downloads Markdown, JSON and PDF with every message and the disclaimer", async ({ page, consoleErrors }) => {
  await openApp(page);
  await ask(page, "What is Schedule C?");
  await ask(page, "And Schedule SE?");
  await showConversations(page);
  const actions = nav(page).getByRole("button", { name: /^Actions for / });
  await actions.click();
  const [markdown] = await Promise.all([
    page.waitForEvent("download"),
    nav(page).getByRole("link", { name: "Export as Markdown" }).click(),
  ]);
  expect(markdown.suggestedFilename()).toMatch(/^tally-.*\.md$/);
  const text = readFileSync((await markdown.path())!, "utf8");
  expect(text).toContain("What is Schedule C?");
  expect(text).toContain("And Schedule SE?");
  expect(text).toContain(DISCLAIMER);

  const [json] = await Promise.all([
    page.waitForEvent("download"),
    nav(page).getByRole("link", { name: "Export as JSON" }).click(),
  ]);
  expect(json.suggestedFilename()).toMatch(/^tally-.*\.json$/);
  const data = JSON.parse(readFileSync((await json.path())!, "utf8"));
  expect(data.messages).toHaveLength(4);
  expect(data.disclaimer).toBe(DISCLAIMER);

  const [pdf] = await Promise.all([
    page.waitForEvent("download"),
    nav(page).getByRole("link", { name: "Export as PDF" }).click(),
  ]);
  expect(pdf.suggestedFilename()).toMatch(/^tally-.*\.pdf$/);
  const bytes = readFileSync((await pdf.path())!);
  expect(bytes.subarray(0, 5).toString("latin1")).toBe("%PDF-");
});

test("drafts stay with their conversation, copy works, and a return visit reopens the last conversation", async ({
  page,
  context,
  consoleErrors,
}) => {
  await context.grantPermissions(["clipboard-read", "clipboard-write"]);
  await openApp(page);
  await ask(page, "What is Schedule C?");
  const first = page.url();
  const message = page.getByRole("textbox", { name: "Message" });
  await message.fill("half-written follow-up");

  await showConversations(page);
  await nav(page).getByRole("button", { name: "New chat" }).click();
  await expect(message).toHaveValue("");
  await ask(page, "When are quarterly payments due?");
  const second = page.url();
  await page.goto(first);
  await expect(message).toHaveValue("half-written follow-up");

  const log = page.getByRole("log", { name: "Messages" });
  await log.getByRole("article", { name: "You" }).getByRole("button", { name: "Copy message" }).click();
  await expect(log.getByRole("button", { name: "Copied" })).toBeVisible();
  expect(await page.evaluate(() => navigator.clipboard.readText())).toBe("What is Schedule C?");

  // A new tab is a return visit: the conversation opened last comes back.
  await page.goto(second);
  await expect(page.getByRole("heading", { level: 1 })).toHaveText("Quarterly Payments");
  const again = await context.newPage();
  await again.goto("/");
  await expect(again).toHaveURL(second);
  await expect(again.getByRole("heading", { level: 1 })).toHaveText("Quarterly Payments");
  await again.close();
});
