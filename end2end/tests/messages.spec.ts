import { test, expect, openApp, ask, wcagViolations } from "./fixtures";

test("Regenerate keeps the earlier answer as 1 / 2, Edit goes on from the edited question, Delete asks first", async ({
  page,
  consoleErrors,
}) => {
  await openApp(page);
  await ask(page, "What is Schedule C?");
  const log = page.getByRole("log");
  // A question as the conversation shows it (the sources' "Found by searching for ..." may quote it too).
  const asked = (text: string) => log.getByRole("article", { name: "You" }).getByText(text, { exact: true });

  // Regenerate: a second answer, the first a switch away.
  await log.getByRole("button", { name: "Regenerate" }).click();
  const answerVersions = log.getByRole("group", { name: "Versions of this answer" });
  await expect(answerVersions).toContainText("2 / 2");
  await expect(log.getByText(/tokens: \d+ in/)).toHaveCount(1);
  await expect(answerVersions.getByRole("button", { name: "Next answer" })).toBeDisabled();
  await answerVersions.getByRole("button", { name: "Previous answer" }).click();
  await expect(answerVersions).toContainText("1 / 2");
  await expect(answerVersions.getByRole("button", { name: "Previous answer" })).toBeDisabled();
  await expect(answerVersions.getByRole("button", { name: "Next answer" })).toBeEnabled();

  // Edit: the edited question is asked, its answer follows; the earlier question (with its answers) comes back.
  await log.getByRole("button", { name: "Edit", exact: true }).click();
  const field = log.getByRole("textbox", { name: "Edit your question" });
  await expect(field).toBeFocused();
  await expect(field).toHaveValue("What is Schedule C?");
  await field.fill("What is Schedule SE?");
  await log.getByRole("button", { name: "Save and send" }).click();
  const questionVersions = log.getByRole("group", { name: "Versions of this question" });
  await expect(questionVersions).toContainText("2 / 2");
  await expect(asked("What is Schedule SE?")).toBeVisible();
  await expect(asked("What is Schedule C?")).toHaveCount(0);
  await expect(log.getByText(/tokens: \d+ in/)).toHaveCount(1);
  await questionVersions.getByRole("button", { name: "Previous version" }).click();
  await expect(asked("What is Schedule C?")).toBeVisible();
  await expect(log.getByRole("group", { name: "Versions of this answer" })).toContainText("1 / 2");
  await log.getByRole("group", { name: "Versions of this question" }).getByRole("button", { name: "Next version" }).click();
  await expect(asked("What is Schedule SE?")).toBeVisible();

  // A reload shows the same: the versions are kept by the server.
  await page.reload();
  await expect(page.locator("body[data-hydrated=true]")).toHaveCount(1);
  await expect(asked("What is Schedule SE?")).toBeVisible();
  await expect(log.getByRole("group", { name: "Versions of this question" })).toContainText("2 / 2");

  // Delete a question with its answer, after confirming; the rest of the conversation stays.
  await ask(page, "When are quarterly payments due?", 2);
  await log.getByRole("button", { name: "Delete", exact: true }).first().click();
  const confirm = log.getByRole("group", { name: "Confirm delete" });
  await expect(confirm).toContainText("Delete this question and its answer?");
  for (const scheme of ["light", "dark"] as const) {
    await page.emulateMedia({ colorScheme: scheme });
    expect(await wcagViolations(page), `axe in ${scheme} mode`).toEqual([]);
  }
  await confirm.getByRole("button", { name: "Delete" }).click();
  await expect(asked("What is Schedule SE?")).toHaveCount(0);
  await expect(asked("When are quarterly payments due?")).toBeVisible();
  await expect(log.getByText(/tokens: \d+ in/)).toHaveCount(1);
  await page.reload();
  await expect(asked("What is Schedule SE?")).toHaveCount(0);
  await expect(asked("When are quarterly payments due?")).toBeVisible();
});
