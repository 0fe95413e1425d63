import { test, expect, openApp, showConversations, wcagViolations } from "./fixtures";

for (const colorScheme of ["light", "dark"] as const) {
  test(`the chat meets WCAG 2.1 AA in ${colorScheme} mode, empty and with an answer`, async ({ page, consoleErrors }) => {
    await page.emulateMedia({ colorScheme });
    await openApp(page);
    expect(await wcagViolations(page), "empty chat").toEqual([]);

    await page.getByRole("textbox", { name: "Message" }).fill("Which forms do I file as a freelancer?");
    await page.getByRole("textbox", { name: "Message" }).press("Enter");
    await expect(page.getByRole("log").getByText(/tokens: \d+ in/)).toBeVisible();
    await expect(page.getByRole("log").getByRole("table")).toBeVisible();
    expect(await wcagViolations(page), "chat with an answer").toEqual([]);

    await showConversations(page);
    expect(await wcagViolations(page), "conversation list shown").toEqual([]);
  });
}

test("a failure notice meets WCAG 2.1 AA and can be reached by keyboard", async ({ page, consoleErrors }) => {
  await openApp(page);
  await page.getByRole("textbox", { name: "Message" }).fill("Will this fail? [mock:status-500]");
  await page.getByRole("textbox", { name: "Message" }).press("Enter");
  const retry = page.getByRole("alert").getByRole("button", { name: "Retry" });
  await expect(retry).toBeVisible();
  expect(await wcagViolations(page)).toEqual([]);
  // Retry and Dismiss sit in the tab order right before the composer, and Enter on Retry sends again.
  await page.getByRole("textbox", { name: "Message" }).focus();
  await page.keyboard.press("Shift+Tab");
  await expect(page.getByRole("button", { name: "Dismiss error" })).toBeFocused();
  await page.keyboard.press("Shift+Tab");
  await expect(retry).toBeFocused();
  await page.keyboard.press("Enter");
  await expect(page.getByRole("log").getByText("Will this fail? [mock:status-500]")).toHaveCount(2);
});
