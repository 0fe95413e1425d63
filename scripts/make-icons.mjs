// Renders the app icons in public/icons/ (committed) from the favicon's mark: node scripts/make-icons.mjs, run in
// public/icons/ with the npm packages installed (scripts/setup.sh).
import { chromium } from "playwright-core";
import { writeFileSync } from "fs";
const browser = await chromium.launch({ executablePath: "/usr/bin/chromium", args: ["--no-sandbox", "--disable-gpu"] });
const page = await browser.newPage();
const T = '<path d="M18 20h28v7H35.5v21h-7V27H18z" fill="#fff"/>';
// Any-purpose icon: the favicon's rounded square. Maskable: full bleed, the mark inside the 80 % safe zone.
const any = `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 64 64"><rect width="64" height="64" rx="14" fill="#0f766e"/>${T}</svg>`;
const maskable = `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 64 64"><rect width="64" height="64" fill="#0f766e"/><g transform="translate(32 34) scale(0.72) translate(-32 -34)">${T}</g></svg>`;
for (const [name, svg, size] of [["icon-192.png", any, 192], ["icon-512.png", any, 512], ["maskable-512.png", maskable, 512]]) {
  await page.setViewportSize({ width: size, height: size });
  await page.setContent(`<style>html,body{margin:0;background:transparent}svg{display:block;width:${size}px;height:${size}px}</style>${svg}`);
  writeFileSync(name, await page.screenshot({ omitBackground: true }));
}

await browser.close();
