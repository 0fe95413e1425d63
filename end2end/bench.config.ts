import { defineConfig } from "@playwright/test";

// Browser measurements (not tests): run by scripts/bench-long-conversation.sh, numbers for docs/benchmarks.md.
export default defineConfig({
  testDir: "./bench",
  timeout: 300_000,
  workers: 1,
  reporter: [["list"]],
  outputDir: "./test-results-bench",
  use: {
    baseURL: process.env.BASE_URL,
    viewport: { width: 1280, height: 800 },
    launchOptions: {
      executablePath: process.env.CHROMIUM_PATH || "/usr/bin/chromium",
      args: ["--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking"],
    },
  },
});
