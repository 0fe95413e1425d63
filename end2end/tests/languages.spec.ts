import { test, expect, openApp, wcagViolations, DISCLAIMER } from "./fixtures";

// The interface in Vietnamese: chosen in the header, remembered, rendered by the server (no flash of English),
// and as accessible as the English one.

const VI_DISCLAIMER =
  "Thông tin này chỉ mang tính hướng dẫn chung và không phải là tư vấn pháp lý hay tài chính. Hãy tham khảo ý kiến " +
  "của một chuyên gia thuế có chuyên môn để được tư vấn phù hợp với trường hợp cụ thể của bạn.";

test("choosing Tiếng Việt turns the whole app Vietnamese, and it stays so", async ({ page, consoleErrors }) => {
  await openApp(page);
  await page.getByRole("combobox", { name: "Language" }).first().selectOption("vi");
  await expect(page.locator("html[lang=vi]")).toHaveCount(1);
  await expect(page.locator("body[data-hydrated=true]")).toHaveCount(1);
  const message = page.getByRole("textbox", { name: "Tin nhắn" });
  await expect(message).toBeVisible();
  await expect(page.getByRole("combobox", { name: "Ngôn ngữ" }).first()).toHaveValue("vi");
  await expect(page.getByRole("heading", { name: "Hỏi về thuế của bạn khi làm nghề tự do" })).toBeVisible();

  // The server renders it: the HTML of a fresh load is Vietnamese before any script runs.
  const response = await page.reload();
  const html = await response!.text();
  expect(html).toContain('<html lang="vi"');
  expect(html).toContain("Tin nhắn");
  expect(html).not.toContain(">Send<");

  await message.fill("Thuế tự doanh được tính như thế nào?");
  await message.press("Enter");
  const log = page.getByRole("log", { name: "Các tin nhắn" });
  await expect(log.getByRole("article", { name: "Bạn" })).toBeVisible();
  await expect(log.getByText(/Trả lời trong [\d,]+ giây/)).toBeVisible({ timeout: 20_000 });
  await expect(log.getByRole("region", { name: "Nguồn" })).toBeVisible();
  await expect(page.getByText(VI_DISCLAIMER)).toBeVisible();
  await expect(page.getByText(DISCLAIMER)).toHaveCount(0);

  // Back to English in one step.
  await page.getByRole("combobox", { name: "Ngôn ngữ" }).first().selectOption("en");
  await expect(page.locator("html[lang=en]")).toHaveCount(1);
  await expect(page.getByRole("textbox", { name: "Message" })).toBeVisible();
});

test.describe("a browser set to Vietnamese", () => {
  test.use({ locale: "vi-VN" });

  test("gets Vietnamese on its first visit", async ({ page, consoleErrors }) => {
    const response = await page.goto("/");
    expect(await response!.text()).toContain('<html lang="vi"');
    await expect(page.locator("body[data-hydrated=true]")).toHaveCount(1);
    await expect(page.getByRole("button", { name: "Gửi" })).toBeVisible();
    await expect(page.getByRole("status").filter({ hasText: "Khách" })).toBeVisible();
  });

  for (const colorScheme of ["light", "dark"] as const) {
    test(`meets WCAG 2.1 AA in ${colorScheme} mode`, async ({ page, consoleErrors }) => {
      await page.emulateMedia({ colorScheme });
      await openApp(page);
      expect(await wcagViolations(page), "empty chat").toEqual([]);
      await page.goto("/signup");
      await expect(page.locator("body[data-hydrated=true]")).toHaveCount(1);
      expect(await wcagViolations(page), "sign-up page").toEqual([]);
    });
  }
});
