// Builds ui/dist (npm --prefix ui run build) unless it is newer than every UI source file.
// Used as tauri's beforeBuildCommand and by scripts/*.sh: rebuilding an unchanged UI would touch
// ui/dist and make cargo re-embed the assets and relink the app. Plain Node so it runs on every CI OS.
// SHOPDESK_FORCE_UI_BUILD=1 rebuilds regardless.
import { spawnSync } from "node:child_process";
import { existsSync, readdirSync, statSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const ui = join(dirname(fileURLToPath(import.meta.url)), "..", "ui");
// The stamp lives in node_modules so that `npm ci` (new dependencies) forces a rebuild too.
const stamp = join(ui, "node_modules", ".shopdesk-ui-built");
const skipDirs = new Set(["node_modules", "dist", ".svelte-kit", ".vite"]);

function newestInput(dir) {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    if (skipDirs.has(entry.name)) continue;
    const path = join(dir, entry.name);
    const t = entry.isDirectory() ? newestInput(path) : statSync(path).mtimeMs;
    if (t > newest) newest = t;
  }
  return newest;
}

function run(args) {
  const r = spawnSync("npm", args, { cwd: ui, stdio: "inherit", shell: process.platform === "win32" });
  if (r.status !== 0) process.exit(r.status ?? 1);
}

if (!existsSync(join(ui, "node_modules"))) run(["ci", "--no-audit", "--no-fund"]);

const fresh =
  process.env.SHOPDESK_FORCE_UI_BUILD !== "1" &&
  existsSync(join(ui, "dist", "index.html")) &&
  existsSync(stamp) &&
  statSync(stamp).mtimeMs >= newestInput(ui);

if (fresh) {
  console.log("ui/dist is up to date, skipping the UI build");
} else {
  run(["run", "build"]);
  writeFileSync(stamp, new Date().toISOString() + "\n");
}
