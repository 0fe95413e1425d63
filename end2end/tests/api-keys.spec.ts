import { test, expect, openApp, uniqueName, signUp, wcagViolations } from "./fixtures";

test("a user makes an API key in Settings, sees it once, uses it and revokes it", async ({ page, consoleErrors }) => {
  const username = uniqueName("keys");
  await signUp(page, username);
  await openApp(page, "/settings");
  const section = page.getByRole("region", { name: "API keys" });
  await expect(section).toBeVisible();
  await expect(section.getByText("You have no API keys.")).toBeVisible();

  await section.getByLabel("Key name").fill("bookkeeping script");
  await section.getByRole("checkbox", { name: "Rename, pin, archive and delete conversations" }).uncheck();
  await section.getByRole("button", { name: "Create API key" }).click();
  await expect(page.getByRole("status").filter({ hasText: "it will not be shown again" })).toBeVisible();
  const shown = page.getByRole("textbox", { name: "Your new API key" });
  const key = await shown.inputValue();
  expect(key).toMatch(/^tly_[A-Za-z0-9_-]{43}$/);

  const list = page.getByRole("list", { name: "Your API keys" });
  await expect(list.getByRole("listitem")).toHaveCount(1);
  await expect(list.getByText("bookkeeping script")).toBeVisible();
  await expect(list.getByText("Can: read, chat")).toBeVisible();
  await expect(list.getByText("Never used")).toBeVisible();

  // The key works for what it may do, and not for what it may not.
  const me = await page.request.get("/api/v1/me", { headers: { authorization: `Bearer ${key}` } });
  expect(me.status()).toBe(200);
  expect(await me.json()).toMatchObject({ username, access: "key", scopes: ["read", "chat"] });
  const write = await page.request.post("/api/v1/conversations", {
    headers: { authorization: `Bearer ${key}` },
    data: {},
  });
  expect(write.status()).toBe(403);

  // Shown once: a reload lists it with its last use, never the key.
  await page.reload();
  await expect(page.getByRole("textbox", { name: "Your new API key" })).toHaveCount(0);
  await expect(list.getByText(/Last used \d{4}-\d{2}-\d{2}/)).toBeVisible();
  expect(await page.content()).not.toContain(key);

  await list.getByRole("button", { name: "Revoke the key bookkeeping script" }).click();
  await expect(page.getByRole("status").filter({ hasText: "The API key was revoked." })).toBeVisible();
  await expect(page.getByRole("region", { name: "API keys" }).getByText("You have no API keys.")).toBeVisible();
  const after = await page.request.get("/api/v1/me", { headers: { authorization: `Bearer ${key}` } });
  expect(after.status()).toBe(401);
  expect(await wcagViolations(page)).toEqual([]);
  expect(consoleErrors).toEqual([]);
});

test("a key without a name is refused next to the field, and the API documentation opens", async ({ page }) => {
  await signUp(page, uniqueName("nameless"));
  await openApp(page, "/settings");
  const section = page.getByRole("region", { name: "API keys" });
  await section.getByRole("button", { name: "Create API key" }).click();
  await expect(section.getByText("Give the key a name, such as the script or tool that will use it.")).toBeVisible();
  await expect(section.getByLabel("Key name")).toHaveAttribute("aria-invalid", "true");
  await section.getByRole("link", { name: "API documentation" }).click();
  await expect(page).toHaveURL(/\/api\/docs\/?$/);
  await expect(page.getByText("Tally API").first()).toBeVisible();
});
