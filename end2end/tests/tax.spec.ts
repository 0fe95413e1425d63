import { test, expect, openApp } from "./fixtures";

const OFFLINE = process.env.OFFLINE_BASE_URL || "http://127.0.0.1:3101";

test("a tax answer carries its year's stamp, cites [1] and lists IRS sources; the profile switches the year", async ({ page, consoleErrors }) => {
  await openApp(page);
  const message = page.getByRole("textbox", { name: "Message" });
  await message.fill("What is the self-employment tax rate for 2025?");
  await message.press("Enter");
  const log = page.getByRole("log", { name: "Messages" });
  const answer = log.getByRole("article", { name: "Tally" }).last();
  await expect(answer.getByText("Tax year 2025 · US federal · Sole proprietor")).toBeVisible();
  await expect(answer.getByText(/\[1\]/).first()).toBeVisible();
  const sources = answer.getByRole("region", { name: "Sources" });
  await expect(sources).toBeVisible();
  const links = sources.getByRole("link");
  expect(await links.count()).toBeGreaterThan(0);
  const hrefs = await links.evaluateAll((as) => as.map((a) => (a as HTMLAnchorElement).href));
  expect(hrefs.some((h) => h.startsWith("https://www.irs.gov/"))).toBe(true);
  await expect(sources).toContainText("tax year 2025");

  // Switch the profile to 2026 and ask again: the stamp and the sources follow.
  await page.getByRole("button", { name: "Tax profile" }).click();
  const dialog = page.getByRole("dialog", { name: "Tax profile" });
  await expect(dialog).toBeVisible();
  await dialog.getByLabel("Tax year").selectOption("2026");
  await dialog.getByRole("button", { name: "Save profile" }).click();
  await expect(dialog).toBeHidden();
  await message.fill("What is the Social Security wage base for self-employment tax?");
  await message.press("Enter");
  const second = log.getByRole("article", { name: "Tally" }).last();
  await expect(second.getByText("Tax year 2026 · US federal · Sole proprietor")).toBeVisible();
  const secondSources = second.getByRole("region", { name: "Sources" });
  await expect(secondSources).toContainText("tax year 2026");
  await expect(secondSources).not.toContainText("tax year 2025");
  // The dialog shows the saved profile when opened again.
  await page.getByRole("button", { name: "Tax profile" }).click();
  await expect(page.getByRole("dialog", { name: "Tax profile" }).getByLabel("Tax year")).toHaveValue("2026");
  await page.keyboard.press("Escape");
  await expect(page.getByRole("dialog", { name: "Tax profile" })).toBeHidden();
});

test("a figure the sources lack is marked for the reader", async ({ page, consoleErrors }) => {
  await openApp(page);
  const message = page.getByRole("textbox", { name: "Message" });
  await message.fill("What is the self-employment tax rate for 2025? [mock:hallucinate]");
  await message.press("Enter");
  const answer = page.getByRole("log", { name: "Messages" }).getByRole("article", { name: "Tally" }).last();
  const mark = answer.locator("mark.unsourced");
  await expect(mark).toHaveCount(1);
  await expect(mark).toContainText("18.7 %");
  await expect(mark).toContainText("(not in the sources)");
  await expect(answer.getByText(/were not found in the sources/)).toBeVisible();
});

test("the Calculators panel computes self-employment tax with every step", async ({ page, consoleErrors }) => {
  await openApp(page);
  await page.getByRole("button", { name: "Calculators" }).click();
  const dialog = page.getByRole("dialog", { name: "Calculators" });
  await expect(dialog).toBeVisible();
  await dialog.getByLabel("Calculator").selectOption({ label: "Self-employment tax" });
  await dialog.getByLabel("Tax year").selectOption("2025");
  await dialog.getByLabel("Net profit").fill("50000");
  await dialog.getByRole("button", { name: "Calculate" }).click();
  const result = dialog.getByRole("region", { name: "Result" });
  await expect(result.getByText("92.35 % of $50,000.00 = $46,175.00")).toBeVisible();
  await expect(result.getByText("$7,064.78").first()).toBeVisible();
  // A bad amount is named next to its field.
  await dialog.getByLabel("Net profit").fill("lots");
  await dialog.getByRole("button", { name: "Calculate" }).click();
  await expect(dialog.getByRole("alert")).toBeVisible();
});

test("with only the offline model, a tax question gets the passages and the calculator's numbers", async ({ page, consoleErrors }) => {
  test.setTimeout(120_000);
  await openApp(page, `${OFFLINE}/`);
  const message = page.getByRole("textbox", { name: "Message" });
  await message.fill("What is my self-employment tax on $50,000 net profit for 2025?");
  await message.press("Enter");
  const answer = page.getByRole("log", { name: "Messages" }).getByRole("article", { name: "Tally" }).last();
  await expect(answer.getByText("From Tally's knowledge base")).toBeVisible({ timeout: 60_000 });
  await expect(answer.getByText("92.35 % of $50,000.00 = $46,175.00").first()).toBeVisible();
  await expect(answer.getByText("Tax year 2025 · US federal · Sole proprietor")).toBeVisible();
  await expect(answer.getByRole("region", { name: "Sources" })).toBeVisible({ timeout: 60_000 });
  await expect(answer.getByRole("region", { name: /Calculation: / })).toBeVisible();
});
