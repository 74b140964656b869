// Builds ui/dist (npm --prefix ui run build) unless the UI sources are unchanged since the last build.
// Used as tauri's beforeBuildCommand and by scripts/*.sh: rebuilding an unchanged UI would touch
// ui/dist and make cargo re-embed the assets and relink the app. Sources are compared by content, not
// mtime, because `cargo test` rewrites the ts-rs bindings in ui/src/lib/bindings on every run.
// Plain Node so it runs on every CI OS. SHOPDESK_FORCE_UI_BUILD=1 rebuilds regardless.
import { spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import { existsSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { dirname, join, relative } from "node:path";
import { fileURLToPath } from "node:url";

const ui = join(dirname(fileURLToPath(import.meta.url)), "..", "ui");
// The stamp lives in node_modules so that `npm ci` (new dependencies) forces a rebuild too.
const stamp = join(ui, "node_modules", ".shopdesk-ui-built");
const skipDirs = new Set(["node_modules", "dist", ".svelte-kit", ".vite", "coverage"]);

function hashInputs(dir, hash = createHash("sha256")) {
  const entries = readdirSync(dir, { withFileTypes: true }).sort((a, b) => (a.name < b.name ? -1 : 1));
  for (const entry of entries) {
    if (skipDirs.has(entry.name)) continue;
    const path = join(dir, entry.name);
    if (entry.isDirectory()) {
      hashInputs(path, hash);
    } else if (entry.isFile()) {
      hash.update(relative(ui, path) + "\0");
      hash.update(readFileSync(path));
      hash.update("\0");
    }
  }
  return hash;
}

function run(args) {
  const r = spawnSync("npm", args, { cwd: ui, stdio: "inherit", shell: process.platform === "win32" });
  if (r.status !== 0) process.exit(r.status ?? 1);
}

if (!existsSync(join(ui, "node_modules"))) run(["ci", "--no-audit", "--no-fund"]);

const sources = hashInputs(ui).digest("hex");
const fresh =
  process.env.SHOPDESK_FORCE_UI_BUILD !== "1" &&
  existsSync(join(ui, "dist", "index.html")) &&
  existsSync(stamp) &&
  readFileSync(stamp, "utf8").trim() === sources;

if (fresh) {
  console.log("ui/dist is up to date, skipping the UI build");
} else {
  run(["run", "build"]);
  writeFileSync(stamp, sources + "\n");
}
