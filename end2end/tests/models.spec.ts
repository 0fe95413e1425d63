import { test, expect, openApp } from "./fixtures";

test("choose a model, ask, get three follow-up chips, click one, reload: chips and choice stay", async ({
  page,
  consoleErrors,
}) => {
  await openApp(page);
  const model = page.getByRole("combobox", { name: "Model" });
  await expect(model).toBeVisible();
  await expect(model.getByRole("option")).toHaveText(["mock-model (Mock)", "mock-large (Mock)", "backup-model (Backup)"]);
  await expect(model).toHaveValue("mock/mock-model");
  await model.selectOption({ label: "mock-large (Mock)" });

  const message = page.getByRole("textbox", { name: "Message" });
  await message.fill("Can I deduct my home office?");
  await message.press("Enter");
  const log = page.getByRole("log", { name: "Messages" });
  await expect(log.getByText(/\d+ tokens: \d+ in, \d+ out · mock-large/)).toBeVisible();

  const chips = page.getByRole("group", { name: "Suggested follow-ups" }).getByRole("button");
  await expect(chips).toHaveCount(3);
  for (const chip of await chips.all()) {
    await expect(chip).toHaveText(/deduct home office.*\?$/);
  }
  const firstChips = await chips.allTextContents();

  // Clicking a chip asks it; the new answer gets chips of its own about the new question.
  const chosen = (await chips.nth(1).textContent())!.trim();
  await chips.nth(1).click();
  await expect(log.getByRole("article", { name: "You" }).getByText(chosen, { exact: true })).toBeVisible();
  await expect(log.getByText(/tokens: .* · mock-large/)).toHaveCount(2);
  await expect(chips).toHaveCount(3);
  await expect(chips.first()).not.toHaveText(firstChips[0]);
  const latestChips = await chips.allTextContents();

  await page.reload();
  await expect(page.getByRole("combobox", { name: "Model" })).toHaveValue("mock/mock-large");
  await expect(page.getByRole("group", { name: "Suggested follow-ups" }).getByRole("button")).toHaveText(latestChips);
  // Chips belong to the latest answer only.
  await expect(page.getByRole("group", { name: "Suggested follow-ups" })).toHaveCount(1);
});

test("a new chat starts with the model last chosen in this browser", async ({ page, consoleErrors }) => {
  await openApp(page);
  const model = page.getByRole("combobox", { name: "Model" });
  await model.selectOption({ label: "backup-model (Backup)" });
  await page.getByRole("textbox", { name: "Message" }).fill("What is Schedule C?");
  await page.getByRole("textbox", { name: "Message" }).press("Enter");
  await expect(page.getByRole("log", { name: "Messages" }).getByText(/· backup-model/)).toBeVisible();
  await page.goto("/");
  await expect(page.getByRole("combobox", { name: "Model" })).toHaveValue("backup/backup-model");
});
