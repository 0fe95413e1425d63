import { spawn, ChildProcess } from "node:child_process";
import { cpSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { Page } from "@playwright/test";
import { test, expect } from "./fixtures";

// A new release never runs stale code: the worker is versioned by the build. Two "releases" of the built site are
// served in turn on one address: the second is the first with its JavaScript changed (and renamed, as a rebuild
// renames it). A browser that installed the first, reloaded after the second is out, runs the second's code.

const PORT = 3103;
const ORIGIN = `http://127.0.0.1:${PORT}`;
const root = resolve(__dirname, "../..");
// The server binary: the release build's, or the one scripts/test.sh points at (`cargo test` built it).
const binDir = resolve(root, process.env.TALLY_BIN_DIR ?? "target/release");

/** A copy of the built site and its hash file; `change` may edit it into another release. */
function release(dir: string, name: string, change?: (site: string, hashes: string) => string): { site: string; hashFile: string } {
  const site = join(dir, name, "site");
  cpSync(join(root, "target/site"), site, { recursive: true });
  let hashes = readFileSync(join(root, "target/release/hash.txt"), "utf8");
  if (change) hashes = change(site, hashes);
  const hashFile = join(dir, name, "hash.txt");
  writeFileSync(hashFile, hashes);
  return { site, hashFile };
}

function serve(dir: string, build: { site: string; hashFile: string }): Promise<ChildProcess> {
  const server = spawn(join(binDir, "tally"), [], {
    env: {
      ...process.env,
      LEPTOS_OUTPUT_NAME: "tally",
      LEPTOS_SITE_ROOT: build.site,
      LEPTOS_SITE_PKG_DIR: "pkg",
      LEPTOS_ENV: "PROD",
      LEPTOS_HASH_FILES: "true",
      LEPTOS_HASH_FILE_NAME: build.hashFile,
      LEPTOS_SITE_ADDR: `127.0.0.1:${PORT}`,
      DATA_DIR: join(dir, "data"),
      PROVIDERS: "",
      LOCAL_MODEL_PATH: "",
    },
    stdio: "ignore",
  });
  return new Promise((ready, fail) => {
    const started = Date.now();
    const poll = async () => {
      try {
        if ((await fetch(`${ORIGIN}/healthz`)).ok) return ready(server);
      } catch {}
      if (Date.now() - started > 20_000) return fail(new Error("the server did not start"));
      setTimeout(poll, 100);
    };
    poll();
  });
}

/** The version of the worker the server serves now. */
async function servedVersion(page: Page): Promise<string> {
  const worker = await (await page.request.get(`${ORIGIN}/sw.js`)).text();
  return worker.match(/"version":"([0-9a-f]+)"/)![1];
}

/** The version of the worker controlling the page (it says so when asked), or "" while none does. */
async function workerVersion(page: Page): Promise<string> {
  return page.evaluate(async () => {
    const registration = await navigator.serviceWorker.getRegistration();
    await registration?.update().catch(() => {});
    const controller = navigator.serviceWorker.controller;
    if (!controller) return "";
    return new Promise<string>((answer) => {
      navigator.serviceWorker.addEventListener("message", (event) => answer(event.data.version), { once: true });
      controller.postMessage("version");
      setTimeout(() => answer(""), 1000);
    });
  });
}

function stop(server: ChildProcess): Promise<void> {
  return new Promise((done) => {
    server.once("exit", () => done());
    server.kill("SIGTERM");
  });
}

test("after a new release, a reload runs the new release's code, not the cached one", async ({ page }) => {
  test.skip(test.info().project.name !== "desktop", "one browser is enough: the worker is the same");
  const dir = mkdtempSync(join(tmpdir(), "tally-release-"));
  const first = release(dir, "first");
  const second = release(dir, "second", (site, hashes) => {
    // The rebuilt JavaScript: the same glue, plus a line that says which release it is, under a new hashed name.
    const pkg = join(site, "pkg");
    const js = readdirSync(pkg).find((file) => /^tally\.[^.]+\.js$/.test(file))!;
    const oldHash = js.slice("tally.".length, -".js".length);
    const newHash = `r2${oldHash.slice(2)}`;
    const source = readFileSync(join(pkg, js), "utf8");
    for (const file of readdirSync(pkg).filter((f) => f.startsWith(js))) rmSync(join(pkg, file));
    writeFileSync(join(pkg, `tally.${newHash}.js`), `${source}\nglobalThis.__tallyRelease = "second";\n`);
    return hashes.replace(oldHash, newHash);
  });

  let server = await serve(dir, first);
  try {
    await page.goto(ORIGIN);
    await expect(page.locator("body[data-hydrated=true]")).toHaveCount(1);
    const firstVersion = await servedVersion(page);
    await expect.poll(() => workerVersion(page), { message: "the first release's worker controls the page" }).toBe(firstVersion);
    expect(await page.evaluate(() => (globalThis as any).__tallyRelease)).toBeUndefined();
    // With the network gone the first release still opens: its shell is in the worker's cache.
    await page.context().setOffline(true);
    await page.reload();
    await expect(page.getByRole("heading", { name: /You are offline/ })).toBeVisible();
    // Back online, the offline page returns to the app by itself (before this release's server goes away).
    await page.context().setOffline(false);
    await expect(page.locator("body[data-hydrated=true]")).toHaveCount(1, { timeout: 15_000 });

    await stop(server);
    server = await serve(dir, second);
    await page.goto(ORIGIN);
    const secondVersion = await servedVersion(page);
    expect(secondVersion).not.toBe(firstVersion);
    // The browser finds the new worker on this visit; once it has taken over, the next load is the new release.
    await expect.poll(() => workerVersion(page), { message: "the new worker takes over" }).toBe(secondVersion);
    await page.reload();
    await expect(page.locator("body[data-hydrated=true]")).toHaveCount(1);
    expect(await page.evaluate(() => (globalThis as any).__tallyRelease)).toBe("second");
    expect(await page.evaluate(() => caches.keys()), "the old release's cache is gone").toEqual([`tally-shell-${secondVersion}`]);
  } finally {
    await stop(server);
    rmSync(dir, { recursive: true, force: true });
  }
});
